// Package testenv gives tests real services and tools instead of mocks: a
// MinIO server, so that the S3 blob store is tested against the same
// protocol, checksums and error codes it meets in production; a mailpit
// SMTP server, whose HTTP API shows what mail arrived; and the commands of
// Debian packages the tests drive (Command).
//
// The MinIO and mailpit binaries are built once from pinned versions by
// scripts/ensure-minio.sh and scripts/ensure-mailpit.sh (which `make test`
// runs) and cached per user. Tests that need them skip when they are
// missing, except in CI (CI=true), where a missing binary is a broken setup
// and fails the test.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// MinIOVersion is the pinned version of the github.com/minio/minio module
// the tests run. scripts/ensure-minio.sh builds the same version; a test
// checks that the two agree.
const MinIOVersion = "v0.0.0-20260212201848-7aac2a2c5b7c"

// ensureScript is the script that builds the binary, named in hints.
const ensureScript = "scripts/ensure-minio.sh"

// MinIOBinary returns the path of the MinIO server binary: $MAKERHUB_MINIO
// if set, else the cached build of MinIOVersion in
// ${XDG_CACHE_HOME:-$HOME/.cache}/makerhub/minio-<MinIOVersion>/minio.
// When there is none it skips the test, or fails it when CI=true.
func MinIOBinary(tb testing.TB) string {
	tb.Helper()
	return builtBinary(tb, "MAKERHUB_MINIO", "minio", MinIOVersion, ensureScript, "about 6 minutes", "a MinIO server binary")
}

// builtBinary finds a server binary that a scripts/ensure-*.sh builds into
// the user cache: $env if set (an explicit path that does not work is a
// mistake to report, never a reason to skip), else the cached build.
func builtBinary(tb testing.TB, env, name, version, script, howLong, what string) string {
	tb.Helper()
	if p := os.Getenv(env); p != "" {
		if err := checkExecutable(p); err != nil {
			tb.Fatalf("%s=%s: %v; point it to %s or unset it", env, p, err, what)
			return ""
		}
		return p
	}
	p, err := cachedBinaryPath(name, version)
	if err == nil {
		err = checkExecutable(p)
	}
	if err == nil {
		return p
	}
	missing(tb, fmt.Sprintf("%s not found: %v; run %s (or `make test`) to build it once (%s), or set %s to %s", name, err, script, howLong, env, what))
	return ""
}

// missing skips the test for want of a tool, or fails it in CI, where a
// missing tool is a broken setup.
func missing(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s", why)
		return
	}
	tb.Skipf("%s", why)
}

// Command returns the path of a command a test drives (a Debian package's,
// which `make test` installs with scripts/ensure-apt.sh COMMAND:PACKAGE).
// When it is missing it skips the test, or fails it when CI=true.
func Command(tb testing.TB, name, pkg string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(tb, fmt.Sprintf("%s not found: run scripts/ensure-apt.sh %s:%s (or `make test`) to install it", name, name, pkg))
		return ""
	}
	return p
}

// cachedBinaryPath is where scripts/ensure-go-binary.sh puts a binary. It
// follows the script's ${XDG_CACHE_HOME:-$HOME/.cache} rather than
// os.UserCacheDir, which differs on macOS, so both find the same file.
func cachedBinaryPath(name, version string) (string, error) {
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "makerhub", name+"-"+version, name), nil
}

func checkExecutable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return &os.PathError{Op: "exec", Path: p, Err: os.ErrPermission}
	}
	return nil
}
