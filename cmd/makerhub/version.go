package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

func runVersion(_ context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usagef("version takes no arguments")
	}
	ms, err := sqlite.Migrations()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "makerhub %s (%s, %s/%s, database schema %d)\n",
		makerhub.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH, ms[len(ms)-1].Version)
	return nil
}
