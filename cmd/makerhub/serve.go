package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/blob/local"
	"github.com/makerhub/makerhub/internal/blob/s3"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/production/notify"
	"github.com/makerhub/makerhub/web"
)

// storeFlags are where the hub keeps its data; serve and the operator
// commands share them.
type storeFlags struct {
	data, db, blobs string
	s3              s3.Config
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "./data", "`folder` for the database and blobs, unless --db or --blobs say otherwise")
	fs.StringVar(&f.db, "db", "", "SQLite database `file` (default DATA/makerhub.db)")
	fs.StringVar(&f.blobs, "blobs", "", "`folder` for blobs on local disk (default DATA/blobs); unused with S3")
	fs.StringVar(&f.s3.Endpoint, "s3-endpoint", "", "S3 service `host:port` (MinIO, Ceph, AWS…); setting it moves blobs there")
	fs.StringVar(&f.s3.AccessKey, "s3-access-key", "", "S3 access `key`")
	fs.StringVar(&f.s3.SecretKey, "s3-secret-key", "", "S3 secret `key` (prefer the environment variable: flags show in ps)")
	fs.StringVar(&f.s3.Bucket, "s3-bucket", "makerhub", "S3 `bucket`, created if missing")
	fs.StringVar(&f.s3.Region, "s3-region", "", "S3 `region` (empty: ask the service)")
	fs.BoolVar(&f.s3.Secure, "s3-secure", false, "talk to S3 over HTTPS")
}

func (f *storeFlags) dbPath() string {
	if f.db != "" {
		return f.db
	}
	return filepath.Join(f.data, "makerhub.db")
}

// openDB opens and migrates the database.
func (f *storeFlags) openDB(ctx context.Context) (*sql.DB, error) {
	return sqlite.Open(ctx, f.dbPath())
}

// openBlobs returns the configured blob store and a description for logs.
func (f *storeFlags) openBlobs() (makerhub.BlobStore, string, error) {
	if f.s3.Endpoint == "" {
		dir := f.blobs
		if dir == "" {
			dir = filepath.Join(f.data, "blobs")
		}
		st, err := local.New(dir)
		if err != nil {
			return nil, "", fmt.Errorf("blob folder %s: %w", dir, err)
		}
		return st, "local disk " + dir, nil
	}
	st, err := s3.New(f.s3)
	if err != nil {
		return nil, "", err
	}
	return st, st.String(), nil
}

type serveFlags struct {
	store           storeFlags
	addr            string
	logLevel        string
	logFormat       string
	cookieSecure    bool
	trustedProxies  listFlag
	sessionTTL      time.Duration
	shutdownTimeout time.Duration
	loginAccount    int
	loginIP         int
	maxUploadMB     int64
	publicURL       string
	mapTiles        string
	tmpDir          string
	debugAddr       string
	lease           time.Duration
	offerWindow     time.Duration
	staleAfter      time.Duration
	horizonDays     int
	routingEvery    time.Duration
	sweepEvery      time.Duration
	webhooksPrivate bool
	smtpURL         string
	mailFrom        string
	smtp            *notify.SMTP // from smtpURL and mailFrom; nil: mail is off
	demo            bool
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f, err := parseServeFlags(args, getenv, stdout)
	if err != nil {
		return err
	}
	log, err := newLogger(stderr, f.logLevel, f.logFormat)
	if err != nil {
		return err
	}
	st, err := openStorage(ctx, log, &f.store)
	if err != nil {
		return err
	}
	defer st.db.Close()
	hub, err := openServices(f, log, st)
	if err != nil {
		return err
	}
	defer hub.designs.Close() // after the server has stopped: removes the kept upload spool files
	ln, err := listenAndSeed(ctx, log, f, hub, st.blobs, stdout)
	if err != nil {
		return err
	}
	hs := newHTTPServer(hub.web, log)
	log.Info("makerhub serving", "addr", ln.Addr().String(), "version", makerhub.Version,
		"database", f.store.dbPath(), "blobs", st.where)
	if f.smtp == nil {
		log.Warn("mail is off: the hub sends no e-mail (set --smtp-url and --mail-from to send it)")
	} else {
		log.Info("mail on", "server", f.smtp.String())
	}
	if f.debugAddr != "" {
		stopDebug, err := serveDebug(f.debugAddr, log)
		if err != nil {
			return err
		}
		defer stopDebug()
	}
	stopBackground := startBackground(f, hub)
	defer stopBackground()
	return serveUntilSignal(ctx, log, hs, ln, f.shutdownTimeout)
}

// parseServeFlags reads serve's flags (and their environment variables) and
// checks them.
func parseServeFlags(args []string, getenv func(string) string, stdout io.Writer) (*serveFlags, error) {
	f := &serveFlags{}
	fs := newFlagSet("serve", "Start the hub.", stdout)
	f.store.register(fs)
	fs.StringVar(&f.addr, "addr", ":8080", "`address` to listen on")
	fs.StringVar(&f.logLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.StringVar(&f.logFormat, "log-format", "text", "log `format`: text or json")
	fs.BoolVar(&f.cookieSecure, "cookie-secure", false, "mark session cookies Secure (set when users reach the hub over HTTPS)")
	fs.Var(&f.trustedProxies, "trusted-proxies", "comma-separated `addresses or CIDRs` of reverse proxies whose X-Forwarded-For is trusted")
	fs.DurationVar(&f.sessionTTL, "session-ttl", 30*24*time.Hour, "how long a login session lasts (`duration`)")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 30*time.Second, "on SIGINT/SIGTERM, how long in-flight requests may take to finish (`duration`)")
	fs.IntVar(&f.loginAccount, "login-account-burst", accounts.DefaultLoginLimits().AccountBurst, "failed logins allowed per account before one a minute (`n`; -1 turns the limit off)")
	fs.IntVar(&f.loginIP, "login-ip-burst", accounts.DefaultLoginLimits().IPBurst, "login attempts allowed per client IP before one every 2 s (`n`; -1 turns the limit off)")
	fs.Int64Var(&f.maxUploadMB, "max-upload-mb", designs.DefaultMaxUpload>>20, "largest file accepted for upload, in `MiB`")
	fs.StringVar(&f.publicURL, "public-url", "", "the hub's `address` as users reach it, for links in exports (default: from each request)")
	fs.StringVar(&f.mapTiles, "map-tiles", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
		"`URL template` of the tiles under the coordinators' map; empty: the places on a plain background (a hub without Internet access)")
	fs.StringVar(&f.tmpDir, "tmp-dir", "", "`folder` where uploads are spooled while they are checked (default DATA/tmp)")
	fs.StringVar(&f.debugAddr, "debug-addr", "", "`address` for Go's profiler (/debug/pprof/) on a listener of its own; keep it private (default: off)")
	fs.DurationVar(&f.lease, "lease", 24*time.Hour, "how long a claim holds a job without progress (`duration`); each progress report renews it")
	fs.DurationVar(&f.offerWindow, "offer-window", 12*time.Hour, "how long a routed job stays offered to one maker before it goes to the open pool (`duration`)")
	fs.DurationVar(&f.staleAfter, "stale-after", 7*24*time.Hour, "how long a request may go without being reconfirmed before it is stale and left out of routing (`duration`)")
	fs.IntVar(&f.horizonDays, "horizon-days", 28, "how many `days` ahead routing plans printer capacity")
	fs.DurationVar(&f.routingEvery, "routing-every", time.Hour, "run routing on this schedule (`duration`; 0 turns the schedule off, coordinators can still run it)")
	fs.DurationVar(&f.sweepEvery, "sweep-every", time.Minute, "how often expired offers and leases go back to the pool (`duration`)")
	fs.BoolVar(&f.webhooksPrivate, "webhooks-allow-private-networks", false, "let webhooks call loopback and private addresses (a chat bridge on the hub's own network)")
	fs.StringVar(&f.smtpURL, "smtp-url", "", "the mail `server`: smtp://user:password@host:587 (STARTTLS) or smtps://… (TLS); empty: the hub sends no mail (prefer the environment variable: flags show in ps)")
	fs.StringVar(&f.mailFrom, "mail-from", "", "the `address` mail comes from, such as \"makerhub <hub@example.org>\" (required with --smtp-url)")
	fs.BoolVar(&f.demo, "demo", false, "fill an empty hub with sample data and print the demo accounts to log in with (a hub with any account is left as it is)")
	if err := parseFlags(fs, args, getenv); err != nil {
		return nil, err
	}
	if f.maxUploadMB < 1 {
		return nil, usagef("--max-upload-mb must be at least 1")
	}
	if f.lease < time.Minute || f.offerWindow < time.Minute || f.staleAfter < time.Hour {
		return nil, usagef("--lease and --offer-window must be at least 1m, --stale-after at least 1h")
	}
	if f.horizonDays < 1 || f.horizonDays > 365 {
		return nil, usagef("--horizon-days must be from 1 to 365")
	}
	if f.routingEvery < 0 || f.sweepEvery < time.Second {
		return nil, usagef("--routing-every must not be negative, --sweep-every at least 1s")
	}
	if f.smtpURL != "" {
		smtp, err := notify.ParseSMTP(f.smtpURL, f.mailFrom)
		if err != nil {
			return nil, usagef("%v", err)
		}
		f.smtp = smtp
	} else if f.mailFrom != "" {
		return nil, usagef("--mail-from is set but --smtp-url is not: give the mail server too, or leave both out")
	}
	return f, nil
}

// storage is where the hub keeps its data: the database and the blob store
// (where describes the blob store for logs).
type storage struct {
	db    *sql.DB
	blobs makerhub.BlobStore
	where string
}

// openStorage opens and migrates the database and opens the blob store; an
// S3 bucket is made sure of in the background, so that the hub starts even
// when the service is down.
func openStorage(ctx context.Context, log *slog.Logger, f *storeFlags) (*storage, error) {
	db, err := f.openDB(ctx)
	if err != nil {
		return nil, err
	}
	blobs, where, err := f.openBlobs()
	if err != nil {
		db.Close()
		return nil, err
	}
	if st, ok := blobs.(*s3.Store); ok {
		go ensureBucket(ctx, log, st)
	}
	return &storage{db: db, blobs: blobs, where: where}, nil
}

// services are the hub's domain services and the web server over them.
type services struct {
	accounts   *accounts.Service
	designs    *designs.Service
	notify     *notify.Service
	production *production.Service
	inventory  *inventory.Service
	web        *web.Server
}

// openServices wires the domain services and the web server on st. The
// caller closes the designs service once the server has stopped.
func openServices(f *serveFlags, log *slog.Logger, st *storage) (*services, error) {
	db, blobs := st.db, st.blobs
	limits := accounts.DefaultLoginLimits()
	limits.AccountBurst, limits.IPBurst = f.loginAccount, f.loginIP
	acc, err := accounts.New(db, accounts.Options{SessionTTL: f.sessionTTL, Login: limits})
	if err != nil {
		return nil, err
	}
	tmp := f.tmpDir
	if tmp == "" {
		tmp = filepath.Join(f.store.data, "tmp")
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, fmt.Errorf("upload folder %s: %w", tmp, err)
	}
	ds := designs.New(db, acc, blobs, designs.Options{MaxUpload: f.maxUploadMB << 20, TempDir: tmp, Logger: log})
	nt := notify.New(db, acc, notify.Options{Logger: log, AllowPrivateNetworks: f.webhooksPrivate, SMTP: f.smtp})
	acc.UseMailer(nt) // reset links
	prod := production.New(db, acc, ds, production.Options{Logger: log, Lease: f.lease, OfferWindow: f.offerWindow,
		StaleAfter: f.staleAfter, HorizonDays: f.horizonDays, Notifier: nt})
	inv := inventory.New(db, acc, ds, prod, inventory.Options{Logger: log, Notifier: nt})
	srv, err := web.NewServer(web.Config{
		Logger: log, DB: db, Blobs: blobs, Accounts: acc, Designs: ds, Production: prod, Inventory: inv, Notify: nt,
		CookieSecure: f.cookieSecure, TrustedProxies: f.trustedProxies,
		PublicURL: f.publicURL, MaxUpload: f.maxUploadMB << 20, MapTiles: f.mapTiles,
	})
	if err != nil {
		ds.Close()
		return nil, err
	}
	return &services{accounts: acc, designs: ds, notify: nt, production: prod, inventory: inv, web: srv}, nil
}

// listenAndSeed listens on --addr, seeds the demo if asked, and warns when
// no coordinator exists yet. It listens before seeding the demo, so that a
// busy port fails first and the accounts name the real address; connections
// wait in the backlog until the hub is seeded and serving.
func listenAndSeed(ctx context.Context, log *slog.Logger, f *serveFlags, hub *services, blobs makerhub.BlobStore, stdout io.Writer) (net.Listener, error) {
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (is another hub running? choose another --addr)", f.addr, err)
	}
	if f.demo {
		svc := demoServices{Accounts: hub.accounts, Designs: hub.designs, Production: hub.production, Inventory: hub.inventory, Blobs: blobs}
		if err := startDemo(ctx, log, svc, demoURL(f.publicURL, ln.Addr()), f.store.dbPath(), stdout); err != nil {
			ln.Close()
			return nil, err
		}
	}
	if n, err := hub.accounts.CountCoordinators(ctx); err != nil {
		ln.Close()
		return nil, err
	} else if n == 0 {
		log.Warn("no coordinator account exists yet: nobody can verify hospitals or review designs. Create the first one with:\n\n" +
			"    makerhub users create --data " + f.store.data + " --email you@example.org --name \"Your Name\" --role coordinator\n\n" +
			"(it reads the password from stdin)")
	}
	return ln, nil
}

// newHTTPServer is the hub's http.Server around handler.
func newHTTPServer(handler http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler: handler,
		// No overall read or write timeout: uploads and downloads of large
		// STL files take as long as they take. Slow-header clients are cut.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// startBackground starts the background work: webhook deliveries, mail,
// expired offers and leases, and scheduled routing. The returned stop must
// run before the database closes (the dispatcher and the mailer write as
// they let go of what they hold); it waits for every worker to end.
func startBackground(f *serveFlags, hub *services) (stop func()) {
	bg, cancel := context.WithCancel(context.Background())
	var workers sync.WaitGroup
	workers.Go(func() { hub.notify.RunDispatcher(bg) })
	workers.Go(func() { hub.notify.RunMailer(bg) })
	workers.Go(func() { hub.production.RunSweeper(bg, f.sweepEvery) })
	if f.routingEvery > 0 {
		workers.Go(func() { hub.production.RunScheduler(bg, f.routingEvery) })
	}
	return func() { cancel(); workers.Wait() }
}

// serveUntilSignal serves on ln until ctx is done (SIGINT or SIGTERM), then
// shuts down; a server that fails first is an error.
func serveUntilSignal(ctx context.Context, log *slog.Logger, hs *http.Server, ln net.Listener, timeout time.Duration) error {
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	return shutDown(log, hs, served, timeout)
}

// shutDown stops taking connections and waits up to timeout for the
// requests in flight.
func shutDown(log *slog.Logger, hs *http.Server, served <-chan error, timeout time.Duration) error {
	log.Info("shutting down: no new connections; waiting for requests in flight", "timeout", timeout)
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: requests still running after %s: %w", timeout, err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// ensureBucket creates the S3 bucket, retrying while the service is
// unreachable: the hub starts anyway and /readyz says why it is not ready.
func ensureBucket(ctx context.Context, log *slog.Logger, st *s3.Store) {
	wait := time.Second
	for {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := st.EnsureBucket(cctx)
		cancel()
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			return
		}
		log.Warn("object store not ready; retrying", "store", st.String(), "in", wait, "error", makerhub.ErrorMessage(err))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usagef("--log-format %q: use text or json", format)
}
