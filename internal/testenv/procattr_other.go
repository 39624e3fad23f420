//go:build !linux

package testenv

import "syscall"

// sysProcAttr has no parent-death signal outside Linux; Cleanup stops the
// server when the test ends normally.
func sysProcAttr() *syscall.SysProcAttr { return nil }
