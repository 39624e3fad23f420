//go:build !unix

package stl

func mmap(size int) []byte { return make([]byte, size) }

func unmap([]byte) {}
