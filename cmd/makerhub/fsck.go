package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"github.com/makerhub/makerhub"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/blob/s3"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
)

func runFsck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		store  storeFlags
		repair bool
	)
	fs := newFlagSet("fsck", "Check that every stored file's object exists and matches its SHA-256, list objects\nthat no file references, and check the inventory's invariants (stock against the ledger,\nbatches, requests). Exit status 1 if anything is wrong.", stdout)
	store.register(fs)
	fs.BoolVar(&repair, "repair", false, "remove the objects that no file references")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	db, err := store.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	blobs, where, err := store.openBlobs()
	if err != nil {
		return err
	}
	if st, ok := blobs.(*s3.Store); ok {
		if err := st.Ping(ctx); err != nil {
			return err
		}
	}
	rep, problems, err := runChecks(ctx, db, blobs, repair, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "checked %d files in %s against %s\n", rep.Checked, store.dbPath(), where)
	if !rep.Clean() || len(problems) > 0 {
		return fmt.Errorf("fsck found %d missing, %d corrupt and %d unreferenced objects, and %d inventory invariant(s) broken",
			len(rep.Missing), len(rep.Corrupt), len(rep.Unreferenced), len(problems))
	}
	fmt.Fprintln(stdout, "clean")
	return nil
}

// runChecks runs fsck's checks — every file's object against its SHA-256,
// objects no file references (removed with repair), the inventory's
// invariants — and lists what they find on stdout; fsck and restore share
// it.
func runChecks(ctx context.Context, db *sql.DB, blobs makerhub.BlobStore, repair bool, stdout io.Writer) (*designs.FsckReport, []string, error) {
	acc, err := accounts.New(db, accounts.Options{})
	if err != nil {
		return nil, nil, err
	}
	ds := designs.New(db, acc, blobs, designs.Options{})
	rep, err := ds.Fsck(ctx, repair)
	if err != nil {
		return nil, nil, err
	}
	problems, err := inventory.New(db, acc, ds, production.New(db, acc, ds, production.Options{}), inventory.Options{}).Check(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range rep.Missing {
		fmt.Fprintf(stdout, "missing object:      %s (the file's bytes are gone; restore them from a backup)\n", s)
	}
	for _, s := range rep.Corrupt {
		fmt.Fprintf(stdout, "corrupt object:      %s (the bytes no longer match this SHA-256)\n", s)
	}
	for _, k := range rep.Unreferenced {
		fmt.Fprintf(stdout, "unreferenced object: %s (remove with --repair)\n", k)
	}
	for _, k := range rep.Removed {
		fmt.Fprintf(stdout, "removed:             %s\n", k)
	}
	for _, p := range problems {
		fmt.Fprintf(stdout, "inventory:           %s\n", p)
	}
	return rep, problems, nil
}
