package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/internal/testenv"
)

// The pages are tested in a real browser: Debian's chromium, headless,
// driven by chromedp. `make test` installs it (scripts/ensure-apt.sh).

type viewport struct {
	name          string
	width, height int64
}

var viewports = []viewport{{"desktop", 1280, 900}, {"phone", 360, 740}}

// browser is one headless chromium with a tab, recording every error the
// page reports: console errors, uncaught exceptions, and the browser's own
// log (failed loads, Content-Security-Policy violations).
type browser struct {
	t      *testing.T
	ctx    context.Context
	shots  string
	step   int
	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T, vp viewport, lang string) *browser {
	t.Helper()
	exe := testenv.Command(t, "chromium", "chromium")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // root in a container has no user namespaces for the sandbox
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(int(vp.width), int(vp.height)),
		// The machine's network is closed: without these the browser keeps
		// trying to reach Google's services.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", lang),
		chromedp.Flag("accept-lang", lang),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	dir := os.Getenv("MAKERHUB_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "makerhub-screenshots")
	}
	b := &browser{t: t, ctx: ctx, shots: filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "-"))}
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	// Every message of the console, exceptions and the browser's own log
	// (failed loads, Content-Security-Policy violations) is watched; the
	// errors fail the test at the next screenshot.
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				b.mu.Lock()
				b.errors = append(b.errors, string(m.Type)+": "+m.Text)
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc(); <-done })
	b.do(chromedp.EmulateViewport(vp.width, vp.height))
	t.Logf("screenshots in %s", b.shots)
	return b
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// shot saves a full-page screenshot of the step and fails the test on any
// error the page reported so far.
func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // 100: PNG; less is JPEG
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	b.step++
	file := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.step, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.errors) > 0 {
		b.t.Fatalf("the browser reported errors by step %s:\n%s", name, strings.Join(b.errors, "\n"))
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// A visitor signs up as a hospital from the home page and lands in the
// library, in each language and on a desktop and a phone, with no error in
// the browser.
func TestBrowserSignUp(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	maker := h.newCaller("maker")
	h.published(maker)
	for _, lang := range []string{"en", "fr"} {
		for _, vp := range viewports {
			t.Run(lang+"-"+vp.name, func(t *testing.T) {
				want := map[string][]string{
					"en": {"Open hardware for hospitals", "Create an account", "Design library", "Log out"},
					"fr": {"Du matériel libre pour les hôpitaux", "Créer un compte", "Bibliothèque de modèles", "Se déconnecter"},
				}[lang]
				b := newBrowser(t, vp, lang)
				b.do(chromedp.Navigate(h.ts.URL + "/"))
				if got := b.text("h1"); !strings.HasPrefix(got, want[0]) {
					t.Fatalf("home page title %q; want %q (Accept-Language %s)", got, want[0], lang)
				}
				b.shot("home")
				b.do(chromedp.Click(chromedp.CSS(`header a[href="/signup"]`)), chromedp.WaitVisible(chromedp.CSS(`#org_lat`)))
				if got := b.text("h1"); got != want[1] {
					t.Fatalf("sign-up title %q", got)
				}
				email := fmt.Sprintf("nurse-%s-%s@chu.example", lang, vp.name)
				b.do(
					chromedp.Click(chromedp.CSS(`input[name="role"][value="hospital"]`)),
					chromedp.SendKeys(chromedp.CSS(`#name`), "Camille Martin"),
					chromedp.SendKeys(chromedp.CSS(`#email`), email),
					chromedp.SendKeys(chromedp.CSS(`#password`), "une longue phrase de passe"),
					chromedp.SendKeys(chromedp.CSS(`#org_name`), "CHU Grenoble Alpes"),
					chromedp.SendKeys(chromedp.CSS(`#org_address`), "Bd de la Chantourne, 38700 La Tronche"),
					chromedp.SendKeys(chromedp.CSS(`#org_region`), "Auvergne-Rhône-Alpes"),
					chromedp.SendKeys(chromedp.CSS(`#org_lat`), "45,2"),
					chromedp.SendKeys(chromedp.CSS(`#org_lon`), "5,75"),
				)
				b.shot("signup-filled")
				b.do(chromedp.Click(chromedp.CSS(`form.stack button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`.cards`)))
				if got := b.text("h1"); got != want[2] {
					t.Fatalf("after sign-up: %q", got)
				}
				if nav := b.text("header nav"); !strings.Contains(nav, "Camille Martin") || !strings.Contains(nav, want[3]) {
					t.Fatalf("the header does not show the new account: %q", nav)
				}
				// The card's thumbnail was drawn and loaded.
				if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`(() => { const i = document.querySelector(".card img"); return i && i.complete && i.naturalWidth === 256 })()`,
					chromedp.WithPollingTimeout(20*time.Second))); err != nil {
					t.Fatalf("the card's thumbnail did not load: %v", err)
				}
				b.shot("library")
			})
		}
	}
}
