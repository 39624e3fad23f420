package testenv

import "syscall"

// sysProcAttr makes the kernel kill MinIO when the test binary dies, so
// that a test killed by `go test -timeout` leaves no server behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
