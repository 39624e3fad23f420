package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlagSet returns a flag set whose help lists each flag's environment
// variable, and whose errors are returned rather than printed and exited on.
func newFlagSet(name, summary string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(out, "%s\n\nUsage: makerhub %s [flags]\n\nFlags (each also read from its environment variable):\n", summary, name)
		fs.VisitAll(func(f *flag.Flag) {
			typ, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(out, "  --%s %s\n    \t%s (env %s", f.Name, typ, usage, envName(f.Name))
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
				fmt.Fprintf(out, ", default %q", f.DefValue)
			}
			fmt.Fprintln(out, ")")
		})
	}
	return fs
}

// envName is the environment variable that sets a flag.
func envName(flagName string) string {
	return "MAKERHUB_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseFlags parses args, then fills every flag not given on the command line
// from its environment variable. Flags win over the environment, which wins
// over defaults. --help prints usage (fs.Parse does) and returns errHelp.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp // fs.Parse has printed the usage
		}
		// The flag package writes flags with one dash; the help uses two.
		msg := strings.NewReplacer("flag -", "flag --", "defined: -", "defined: --").Replace(err.Error())
		return usagef("%s: %s (see makerhub %s --help)", fs.Name(), msg, fs.Name())
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q (see makerhub %s --help)", fs.Name(), fs.Arg(0), fs.Name())
	}
	return fromEnv(fs, getenv)
}

// parseFlagsWithArgs is parseFlags for commands that take arguments after
// their flags (FILE…), which it returns.
func parseFlagsWithArgs(fs *flag.FlagSet, args []string, getenv func(string) string) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp // fs.Parse has printed the usage
		}
		msg := strings.NewReplacer("flag -", "flag --", "defined: -", "defined: --").Replace(err.Error())
		return nil, usagef("%s: %s (see makerhub %s --help)", fs.Name(), msg, fs.Name())
	}
	return fs.Args(), fromEnv(fs, getenv)
}

// fromEnv fills every flag not given on the command line from its
// environment variable.
func fromEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, usagef("%s=%q: %v", envName(f.Name), v, err))
			}
		}
	})
	return errors.Join(errs...)
}

// errHelp means help was printed: nothing else to do, and not a failure.
var errHelp = errors.New("help printed")

// listFlag is a comma-separated list flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = nil
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}
