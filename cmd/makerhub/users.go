package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
)

const usersUsage = `Manage accounts.

Usage:
  makerhub users create --email E --name N --role coordinator   (password on stdin)
  makerhub users create --email E --name N --role maker|hospital --org-name O --org-address A --org-lat LAT --org-lon LON
`

func runUsers(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		fmt.Fprint(stdout, usersUsage)
		if len(args) == 0 {
			return usagef("users: which command? create")
		}
		return nil
	}
	switch args[0] {
	case "create":
		return runUsersCreate(ctx, args[1:], getenv, stdin, stdout, stderr)
	}
	fmt.Fprint(stderr, usersUsage)
	return usagef("users: unknown command %q", args[0])
}

func runUsersCreate(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var (
		store               storeFlags
		email, name, role   string
		orgName, orgAddress string
		orgLat, orgLon      float64
	)
	fs := newFlagSet("users create", "Create an account. The password is read from stdin (one line), or asked for on a terminal.", stdout)
	store.register(fs)
	fs.StringVar(&email, "email", "", "the account's `email`, used to log in")
	fs.StringVar(&name, "name", "", "the person's `name`")
	fs.StringVar(&role, "role", "coordinator", "`role`: coordinator, maker or hospital")
	fs.StringVar(&orgName, "org-name", "", "organisation `name` (required for makers and hospitals)")
	fs.StringVar(&orgAddress, "org-address", "", "organisation `address`")
	fs.Float64Var(&orgLat, "org-lat", math.NaN(), "organisation `latitude`")
	fs.Float64Var(&orgLon, "org-lon", math.NaN(), "organisation `longitude`")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	in := accounts.NewUser{Email: email, Name: name, Role: makerhub.Role(role)}
	if orgName != "" || orgAddress != "" || !math.IsNaN(orgLat) || !math.IsNaN(orgLon) {
		in.Organisation = &accounts.OrganisationInput{Name: orgName, Address: orgAddress}
		if !math.IsNaN(orgLat) {
			in.Organisation.Lat = &orgLat
		}
		if !math.IsNaN(orgLon) {
			in.Organisation.Lon = &orgLon
		}
	}
	pw, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	in.Password = pw

	db, err := store.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	acc, err := accounts.New(db, accounts.Options{})
	if err != nil {
		return err
	}
	u, err := acc.CreateUser(ctx, in)
	if err != nil {
		if makerhub.ErrorCode(err) != makerhub.EINTERNAL {
			return fmt.Errorf("%s", makerhub.ErrorMessage(err))
		}
		return err
	}
	fmt.Fprintf(stderr, "Created %s %s (user %d) in %s.\n", u.Role, u.Email, u.ID, store.dbPath())
	return json.NewEncoder(stdout).Encode(u)
}

// readPassword reads the password: asked twice without echo on a terminal,
// else the first line of stdin (so scripts can pipe it in).
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Password again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", fmt.Errorf("the two passwords differ; nothing was created")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("no password on stdin: pipe it in, for example: echo \"$PASSWORD\" | makerhub users create …")
	}
	return line, nil
}
