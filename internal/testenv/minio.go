package testenv

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// How long MinIO gets to become ready, and to stop after SIGTERM. Startup
// is usually about a second; the margin is for loaded CI machines.
const (
	minioReadyTimeout = 60 * time.Second
	minioStopTimeout  = 10 * time.Second
)

// MinIO is a MinIO server running for a test, on 127.0.0.1 with its data in
// the test's temporary folder. Stop and Start let a test take the storage
// away and bring it back on the same address with the same data.
type MinIO struct {
	// Endpoint is the S3 API address, host:port.
	Endpoint string
	// AccessKey and SecretKey are the root credentials.
	AccessKey string
	SecretKey string

	bin, dataDir, consoleAddr string
	proc
}

// StartMinIO starts a MinIO server for the test and stops it when the test
// ends. It skips or fails the test as MinIOBinary does when there is no
// binary, and fails it when the server does not become ready in time.
func StartMinIO(tb testing.TB) *MinIO {
	tb.Helper()
	bin := MinIOBinary(tb)
	dir := tb.TempDir()
	m := &MinIO{
		AccessKey: "makerhub-test",
		SecretKey: "makerhub-test-secret",
		bin:       bin,
		dataDir:   filepath.Join(dir, "data"),
		proc:      proc{name: "MinIO", logPath: filepath.Join(dir, "minio.log"), stopTimeout: minioStopTimeout},
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("MinIO log (%s):\n%s", m.logPath, m.logTail())
		}
		m.stop()
	})
	// A free port found by listening on :0 can be taken by another process
	// before MinIO binds it, so a failed start is retried on new ports.
	var err error
	for range 3 {
		m.Endpoint, m.consoleAddr = freeAddr(tb), freeAddr(tb)
		if err = m.start(); err == nil {
			return m
		}
	}
	tb.Fatalf("cannot start MinIO: %v\nlog (%s):\n%s", err, m.logPath, m.logTail())
	return nil
}

// Start starts the server again after Stop, on the same address and with
// the same data, and waits until it is ready.
func (m *MinIO) Start(tb testing.TB) {
	tb.Helper()
	if err := m.start(); err != nil {
		tb.Fatalf("cannot restart MinIO on %s: %v\nlog (%s):\n%s", m.Endpoint, err, m.logPath, m.logTail())
	}
}

// Stop stops the server: SIGTERM, then SIGKILL if it has not exited after
// 10 seconds. It returns once the process is gone and its port is free.
func (m *MinIO) Stop(tb testing.TB) {
	tb.Helper()
	if err := m.stop(); err != nil {
		tb.Fatalf("cannot stop MinIO: %v", err)
	}
}

func (m *MinIO) start() error {
	cmd := exec.Command(m.bin, "server",
		"--address", m.Endpoint, "--console-address", m.consoleAddr, m.dataDir)
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+m.AccessKey,
		"MINIO_ROOT_PASSWORD="+m.SecretKey,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
	)
	return m.proc.start(cmd, "MinIO on "+m.Endpoint, func(exited <-chan struct{}) error { return waitReady(m.Endpoint, exited) })
}

// waitReady polls MinIO until it serves requests, the process exits or the
// timeout passes. /minio/health/ready answers 200 as soon as the HTTP
// server is up, flagging "x-minio-server-status: offline" while the object
// layer is still starting, when S3 requests fail with "Server not
// initialized yet". /minio/health/cluster also waits for IAM and bucket
// metadata, so both must answer 200 with no status flag.
func waitReady(endpoint string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	check := func(path string) error {
		resp, err := client.Get("http://" + endpoint + path)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if st := resp.Header.Get("X-Minio-Server-Status"); resp.StatusCode != http.StatusOK || st != "" {
			return fmt.Errorf("%s answered %s (server status %q)", path, resp.Status, st)
		}
		return nil
	}
	deadline := time.Now().Add(minioReadyTimeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("MinIO exited during startup")
		default:
		}
		last = check("/minio/health/ready")
		if last == nil {
			if last = check("/minio/health/cluster"); last == nil {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("MinIO not ready after %v: %v", minioReadyTimeout, last)
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment
// ago.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("cannot find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// PID is the server process's id (0 when stopped), for benchmarks that
// account its CPU time.
func (m *MinIO) PID() int { return m.pid() }
