//go:build unix

package stl

import "syscall"

// mmap maps size bytes of zeroed memory outside the Go heap. The arrays kept
// there hold no pointers, so the garbage collector need not see them.
func mmap(size int) []byte {
	if size == 0 {
		return nil
	}
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		// Out of address space or a limit: let the Go heap try, and
		// fail the way any allocation does.
		return make([]byte, size)
	}
	return mem
}

// unmap gives mmap's memory back (memory that mmap fell back to the heap
// for is left to the garbage collector).
func unmap(mem []byte) {
	if len(mem) > 0 {
		syscall.Munmap(mem) // fails harmlessly for heap memory
	}
}
