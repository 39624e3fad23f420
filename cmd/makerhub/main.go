// Command makerhub runs the maker coordination hub and its operator tools.
//
//	makerhub serve                  start the hub (SQLite and blobs under ./data)
//	makerhub users create …         create an account (the first coordinator)
//	makerhub backup --out DIR       snapshot the database and its objects
//	makerhub restore --from DIR     bring a hub back from a backup
//	makerhub version                print the version
//
// Every flag can also be set with an environment variable: --s3-bucket is
// MAKERHUB_S3_BUCKET. See docs/configuration.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	var usage *usageError
	switch {
	case err == nil:
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "makerhub:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "makerhub:", err)
		os.Exit(1)
	}
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

const mainUsage = `makerhub — coordination hub for open-hardware makers in a health emergency.

Usage:
  makerhub serve [flags]            start the hub (embedded defaults: SQLite and blobs under ./data)
  makerhub users create [flags]     create an account; reads the password from stdin
  makerhub stl analyze FILE…        analyse STL files: one JSON object per file
  makerhub fsck [--repair]          check stored files against the database
  makerhub backup --out DIR         snapshot the database and copy its objects into DIR (safe while serving)
  makerhub restore --from DIR       bring a hub back from a backup (into local disk or S3)
  makerhub version                  print the version
  makerhub help [command]           show help for a command

Every flag also reads an environment variable: --addr is MAKERHUB_ADDR,
--s3-bucket is MAKERHUB_S3_BUCKET, and so on. A flag on the command line wins.
`

// run is the whole program, testable end to end: arguments, environment and
// streams come in, an error comes out.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, mainUsage)
		return usagef("no command given")
	}
	err := dispatch(ctx, args, getenv, stdin, stdout, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "users":
		return runUsers(ctx, rest, getenv, stdin, stdout, stderr)
	case "stl":
		return runSTL(ctx, rest, getenv, stdout, stderr)
	case "fsck":
		return runFsck(ctx, rest, getenv, stdout, stderr)
	case "backup":
		return runBackup(ctx, rest, getenv, stdout, stderr)
	case "restore":
		return runRestore(ctx, rest, getenv, stdout, stderr)
	case "version", "--version":
		return runVersion(ctx, rest, stdout)
	case "help", "-h", "--help", "-help":
		if len(rest) > 0 {
			return run(ctx, []string{rest[0], "--help"}, getenv, stdin, stdout, stderr)
		}
		fmt.Fprint(stdout, mainUsage)
		return nil
	default:
		fmt.Fprint(stderr, mainUsage)
		return usagef("unknown command %q", cmd)
	}
}
