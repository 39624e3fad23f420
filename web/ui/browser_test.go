package ui_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

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
	base   string // the hub's URL
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
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	dir := os.Getenv("MAKERHUB_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "makerhub-screenshots")
	}
	b := &browser{t: t, ctx: ctx, shots: filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "-"))}
	if err := os.RemoveAll(b.shots); err != nil { // the screenshots of an earlier run
		t.Fatal(err)
	}
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
	for try := 0; err != nil && strings.Contains(err.Error(), "0 width") && try < 20; try++ {
		time.Sleep(50 * time.Millisecond) // a page that has just loaded may not be laid out yet
		png, err = chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	}
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
	b.audit(name)
	// Reflow (WCAG 1.4.10): nothing makes the page wider than the window;
	// a wide table scrolls in its own box.
	if wide := eval[string](b, `(() => {
		const w = document.documentElement.clientWidth;
		if (document.documentElement.scrollWidth <= w) return "";
		const e = [...document.querySelectorAll("body *")].find(e => e.getBoundingClientRect().right > w + 1 && e.parentElement.getBoundingClientRect().right <= w + 1);
		return document.documentElement.scrollWidth + " px wide in a " + w + " px window, first by " + (e ? e.outerHTML.slice(0, 200) : "?") })()`); wide != "" {
		b.t.Errorf("step %s: the page is %s", name, wide)
	}
}

// axeSource is axe-core, the accessibility engine browsers' own audits
// use, from web/node_modules (a devDependency that scripts/build-web.sh
// installs); empty when it is not installed.
var axeSource = sync.OnceValue(func() string {
	src, _ := os.ReadFile("../node_modules/axe-core/axe.min.js")
	return string(src)
})

// audit checks the page against WCAG 2.1 A and AA with axe-core: labels
// and names of every control, contrast, landmarks, headings, ARIA use, and
// more. Every violation fails the test, with the elements at fault.
func (b *browser) audit(step string) {
	b.t.Helper()
	if found := b.violations(); len(found) > 0 {
		b.t.Errorf("accessibility, step %s:\n%s", step, strings.Join(found, "\n"))
	}
}

func (b *browser) violations() []string {
	b.t.Helper()
	src := axeSource()
	if src == "" {
		if os.Getenv("CI") == "true" {
			b.t.Fatal("web/node_modules/axe-core is not installed (scripts/build-web.sh installs it): the pages cannot be audited")
		}
		return nil
	}
	// Evaluated through DevTools, which the page's CSP does not govern.
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`window.axe ? true : (() => { `+src+`; return true })()`)); err != nil {
		b.t.Fatalf("loading axe-core: %v", err)
	}
	found, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
		.then(r => r.violations.map(v => v.id + " (" + v.impact + "): " + v.help + " — " + v.nodes.map(n => n.target.join(" ")).join(", ")))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe-core: %v", err)
	}
	return found
}

// The audit is not vacuous: a page with an unlabelled field, a picture
// without a text alternative and pale text fails it.
func TestAuditFindsViolations(t *testing.T) {
	if axeSource() == "" {
		t.Skip("web/node_modules/axe-core is not installed: run scripts/build-web.sh")
	}
	b := newBrowser(t, viewports[0], "en")
	b.do(chromedp.Navigate(`data:text/html,<!doctype html><html lang="en"><title>t</title><main><h1>t</h1>` +
		`<input name="q"><img src="data:,"><p style="color:%23ccc;background:%23fff">pale</p></main></html>`))
	got := strings.Join(b.violations(), "\n")
	for _, rule := range []string{"label", "image-alt", "color-contrast"} {
		if !strings.Contains(got, rule+" (") {
			t.Errorf("the audit missed %s:\n%s", rule, got)
		}
	}
}

// throttleUploads slows what the page sends to bytesPerSecond (-1: no
// limit), so that an upload's progress can be seen.
func (b *browser) throttleUploads(bytesPerSecond float64) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{DownloadThroughput: -1, UploadThroughput: bytesPerSecond}}}); err != nil {
		b.t.Fatalf("throttle: %v", err)
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

// A visitor signs up as a hospital from the home page, lands on the
// dashboard (which says the hospital awaits verification) and opens the
// library, in each language and on a desktop and a phone, with no error in
// the browser.
func TestBrowserSignUp(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	maker := h.NewCaller("maker")
	h.Published(maker)
	for _, lang := range []string{"en", "fr"} {
		for _, vp := range viewports {
			t.Run(lang+"-"+vp.name, func(t *testing.T) {
				want := map[string][]string{
					"en": {"Open hardware for hospitals", "Create an account", "Dashboard", "Log out", "Design library"},
					"fr": {"Du matériel libre pour les hôpitaux", "Créer un compte", "Tableau de bord", "Se déconnecter", "Bibliothèque de modèles"},
				}[lang]
				b := newBrowser(t, vp, lang)
				b.do(chromedp.Navigate(h.TS.URL + "/"))
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
				b.do(chromedp.Click(chromedp.CSS(`form.stack button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
				if got := b.text("h1"); got != want[2] {
					t.Fatalf("after sign-up: %q", got)
				}
				if nav := b.text("header nav"); !strings.Contains(nav, "Camille Martin") || !strings.Contains(nav, want[3]) {
					t.Fatalf("the header does not show the new account: %q", nav)
				}
				b.shot("dashboard")
				// Her account: the password changed from its page.
				b.next(`header a[href="/account"]`, `location.pathname === "/account"`, "the account page")
				b.fill(`#current_password`, "une longue phrase de passe", `#new_password`, "une autre phrase, plus longue")
				b.shot("account")
				b.submit(`form[action="/account/password"] button`, "password")
				b.shot("account-changed")
				b.do(chromedp.Click(chromedp.CSS(`header a[href="/designs"]`)), chromedp.WaitVisible(chromedp.CSS(`.cards`)))
				if got := b.text("h1"); got != want[4] {
					t.Fatalf("library: %q", got)
				}
				// The card's thumbnail was drawn and loaded.
				if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`(() => { const i = document.querySelector(".card img"); return i && i.complete && i.naturalWidth === 256 })()`,
					chromedp.WithPollingTimeout(20*time.Second))); err != nil {
					t.Fatalf("the card's thumbnail did not load: %v", err)
				}
				b.shot("library")
				// Someone who forgot their password finds the way to ask for a
				// link (this hub sends no mail, and says so).
				b.logout()
				b.next(`header a[href="/login"]`, `location.pathname === "/login"`, "the login page")
				b.next(`a[href="/password-reset"]`, `location.pathname === "/password-reset"`, "the reset form")
				b.shot("password-reset")
			})
		}
	}
}

// eval runs a JavaScript expression in the page and returns its value.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition; on timeout the test fails with the
// page's error message, if it shows one.
func (b *browser) waitFor(cond, what string, timeout time.Duration) {
	b.t.Helper()
	// A loop of evaluations rather than chromedp.Poll: a navigation in
	// between destroys the page's context, which Poll reports as an error.
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	msg, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(document.querySelector("[role=alert]") || {}).textContent || ""`))
	b.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
	b.t.Fatalf("waiting %s for %s (last error: %v); the page says %q", timeout, what, last, msg)
}

// next clicks sel, which posts a form or follows a link, and waits for the
// next page to have loaded and to satisfy cond.
func (b *browser) next(sel, cond, what string) {
	b.t.Helper()
	eval[bool](b, `window.__previous = true`)
	b.do(chromedp.Click(chromedp.CSS(sel)))
	b.waitFor(`!window.__previous && document.readyState === "complete" && (`+cond+`)`, what, 30*time.Second)
}

// submit clicks a form's button and waits for the page that says it was
// done (?done=).
func (b *browser) submit(sel, done string) {
	b.t.Helper()
	b.next(sel, `new URLSearchParams(location.search).get("done") === "`+done+`"`, done)
}

// keyboard reaches sel from the top of the page with the Tab key alone,
// and presses Enter on it, as a keyboard user does.
func (b *browser) keyboard(sel string) {
	b.t.Helper()
	eval[bool](b, `(document.activeElement && document.activeElement.blur(), window.scrollTo(0, 0), true)`)
	for range 60 {
		b.do(chromedp.KeyEvent(kb.Tab))
		if eval[bool](b, `document.activeElement.matches(`+"`"+sel+"`"+`)`) {
			b.do(chromedp.KeyEvent(kb.Enter))
			return
		}
	}
	b.t.Fatalf("60 presses of Tab did not reach %s", sel)
}

func (b *browser) fill(fields ...string) {
	b.t.Helper()
	for i := 0; i < len(fields); i += 2 {
		b.do(chromedp.SetValue(chromedp.CSS(fields[i]), fields[i+1]))
	}
}

func (b *browser) login(email, password string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base + "/login"))
	b.fill(`#email`, email, `#password`, password)
	b.next(`form.stack button[type="submit"]`, `location.pathname === "/dashboard"`, "the dashboard after login")
}

func (b *browser) logout() {
	b.t.Helper()
	b.next(`header form[action="/logout"] button`, `location.pathname === "/"`, "the home page after logout")
}

func (b *browser) signup(role, name, email, org, lat, lon string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base + "/signup"))
	b.do(chromedp.Click(chromedp.CSS(`input[name="role"][value="` + role + `"]`)))
	b.fill(`#name`, name, `#email`, email, `#password`, "une longue phrase de passe", `#org_name`, org,
		`#org_address`, "Rue de l’exemple, "+org, `#org_region`, "Auvergne-Rhône-Alpes", `#org_lat`, lat, `#org_lon`, lon)
	b.next(`form.stack button[type="submit"]`, `location.pathname === "/dashboard"`, "the dashboard after sign-up")
}

// ids lists the ids the page's elements matching sel carry in data-attr.
func (b *browser) ids(sel, attr string) []int64 {
	b.t.Helper()
	return eval[[]int64](b, `[...document.querySelectorAll(`+"`"+sel+"`"+`)].map(e => +e.dataset.`+attr+`)`)
}

// The journey of issue 6 in a real browser, in each language and on a
// desktop and a phone: a hospital signs up, a coordinator verifies it (with
// the keyboard alone), a
// maker signs up, declares a printer, shares a design, uploads its STL
// (watching the progress bar), sees its 3D view and its thumbnail, and
// publishes it; the hospital requests 50; the coordinator runs routing and
// sees its result, map and chart; the maker claims, prints, hands over,
// checks and ships every job; the hospital confirms receipt. Any console
// error fails it; every step is saved as a screenshot.
func TestBrowserJourney(t *testing.T) {
	probe := newTestHub(t, accounts.Options{})
	if probe.page("/static/dist/viewer.js", "").StatusCode != 200 || probe.page("/static/dist/map.js", "").StatusCode != 200 ||
		probe.page("/static/dist/upload.js", "").StatusCode != 200 {
		if os.Getenv("CI") == "true" {
			t.Fatal("the front-end assets are not built (scripts/build-web.sh): the journey needs the 3D viewer, the map and the upload progress")
		}
		t.Skip("the front-end assets are not built: run scripts/build-web.sh")
	}
	stl, err := filepath.Abs("../../testdata/stl/face-shield-headpiece.stl") // GliaX faceshield, GPL-3.0 (testdata/README.md)
	if err != nil {
		t.Fatal(err)
	}
	words := map[string]map[string]string{
		"en": {"fulfilled": "Fulfilled", "allocated": "Units allocated", "dashboard": "Dashboard"},
		"fr": {"fulfilled": "Satisfaite", "allocated": "Unités attribuées", "dashboard": "Tableau de bord"},
	}
	for _, lang := range []string{"en", "fr"} {
		for _, vp := range viewports {
			t.Run(lang+"-"+vp.name, func(t *testing.T) {
				h := newTestHub(t, accounts.Options{})
				coord := h.NewCaller("coordinator")
				w := words[lang]
				b := newBrowser(t, vp, lang)
				b.base = h.TS.URL

				// A hospital signs up; it waits for verification.
				b.signup("hospital", "Camille Martin", "camille@chu.example", "CHU Grenoble Alpes", "45,2", "5,75")
				if got := b.text("h1"); got != w["dashboard"] {
					t.Fatalf("after sign-up: %q", got)
				}
				b.shot("hospital-signed-up")
				b.logout()

				// The coordinator verifies it.
				b.login(coord.User.Email, "correct horse battery")
				b.shot("coordinator-to-verify")
				// With the keyboard alone: Tab to the button, Enter.
				eval[bool](b, `window.__previous = true`)
				b.keyboard(`form[action^="/dashboard/organisations/"] button`)
				b.waitFor(`!window.__previous && new URLSearchParams(location.search).get("done") === "verified"`, "verified by keyboard", 30*time.Second)
				b.shot("coordinator-verified")
				b.logout()

				// A maker signs up, declares a printer and shares a design.
				b.signup("maker", "Louis Dupont", "louis@fablab.example", "Fablab de Grenoble", "45,19", "5,72")
				b.fill(`#printer-name`, "Prusa de l’atelier", `#printer-bed`, "prusa-mk3s", `#printer-hours`, "20")
				b.do(chromedp.Click(chromedp.CSS(`input[name="materials"][value="PETG"]`)))
				b.submit(`form[action="/dashboard/printers"] button`, "printer")
				b.shot("maker-printer")
				b.next(`header a[href="/designs/new"]`, `location.pathname === "/designs/new"`, "the new design form")
				b.fill(`#title`, "Visière GliaX", `#category`, "face_shield", `#licence`, "GPL-3.0-or-later", `#material`, "PETG",
					`#description`, "Serre-tête de visière, imprimé en PETG.")
				b.shot("new-design")
				b.next(`form[action="/designs/new"] button`, `/^\/designs\/\d+$/.test(location.pathname)`, "the new design's page")

				// The upload shows its progress: uploads are slowed to
				// 400 kB/s so that the bar can be seen moving.
				b.throttleUploads(400_000)
				b.do(chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{stl}))
				eval[bool](b, `window.__previous = true`)
				b.do(chromedp.Click(chromedp.CSS(`form.upload button[type="submit"]`)))
				b.waitFor(`(() => { const p = document.querySelector(".upload-progress"); return p && !p.hidden && p.value > 0 && p.value < 100 })()`,
					"the upload's progress bar", 20*time.Second)
				if status := b.text(".upload-status"); !strings.Contains(status, "%") {
					t.Errorf("the upload's status says %q", status)
				}
				b.shot("upload-progress")
				b.waitFor(`!window.__previous && document.readyState === "complete" && new URLSearchParams(location.search).get("done") === "uploaded"`,
					"the design page after the upload", 60*time.Second)
				b.throttleUploads(-1)

				// The 3D view draws the part: its canvas is not blank.
				b.waitFor(`document.querySelector(".viewer").dataset.state === "ready"`, "the 3D view", 30*time.Second)
				lit := eval[int](b, `(() => {
					const src = document.querySelector(".viewer canvas");
					const c = document.createElement("canvas"); c.width = 64; c.height = 64;
					const g = c.getContext("2d"); g.drawImage(src, 0, 0, 64, 64);
					const d = g.getImageData(0, 0, 64, 64).data; let n = 0;
					for (let i = 0; i < d.length; i += 4) if (d[i+3] > 0 && d[i] > d[i+2] + 40) n++; // orange
					return n })()`)
				if lit < 64 {
					t.Errorf("the 3D view shows %d orange pixels of 4096: the part is not drawn", lit)
				}
				// The view turns with the keyboard too: focused, the arrow
				// keys move it.
				before := eval[string](b, `document.querySelector(".viewer canvas").toDataURL()`)
				eval[bool](b, `(document.querySelector(".viewer canvas").focus(), document.activeElement.matches(".viewer canvas"))`)
				b.do(chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowUp))
				b.waitFor(`document.querySelector(".viewer canvas").toDataURL() !== `+strconv.Quote(before), "the 3D view to move with the arrow keys", 10*time.Second)
				b.shot("design-3d-view")
				b.submit(`form[action$="/publish"] button`, "published")
				b.next(`header a[href="/designs"]`, `location.pathname === "/designs"`, "the library")
				b.waitFor(`(() => { const i = document.querySelector(".card img"); return i && i.complete && i.naturalWidth === 256 })()`,
					"the card's thumbnail", 20*time.Second)
				b.shot("library-thumbnail")
				b.logout()

				// The hospital asks for 50.
				b.login("camille@chu.example", "une longue phrase de passe")
				b.fill(`#request-quantity`, "50", `#request-priority`, "high")
				b.submit(`form[action="/dashboard/requests"] button`, "requested")
				b.shot("hospital-requested")
				b.logout()

				// The coordinator runs routing, and sees its result, the map
				// and the chart.
				b.login(coord.User.Email, "correct horse battery")
				b.submit(`form[action="/dashboard/routing"] button`, "routed")
				if stats := b.text(".run-stats"); !strings.Contains(stats, w["allocated"]) || !strings.Contains(stats, "50") {
					t.Fatalf("routing result: %q", stats)
				}
				b.waitFor(`document.querySelector(".map").dataset.state === "ready" && +document.querySelector(".map").dataset.markers === 2`,
					"the map with the maker and the hospital", 20*time.Second)
				b.shot("coordinator-routed")
				// The map's places as a table: its version without JavaScript.
				b.next(`a[href="/dashboard/places"]`, `location.pathname === "/dashboard/places"`, "the places as a table")
				if rows := b.text("table.places tbody"); !strings.Contains(rows, "CHU Grenoble Alpes") || !strings.Contains(rows, "Fablab de Grenoble") {
					t.Fatalf("the table of places: %q", rows)
				}
				b.shot("coordinator-places")
				// The audit trail: the verification and the routing run are in it.
				b.do(chromedp.Navigate(b.base + "/dashboard/audit"))
				if rows := b.text("table tbody"); !strings.Contains(rows, "organisation.verify") || !strings.Contains(rows, "routing.run") {
					t.Fatalf("the audit trail: %q", rows)
				}
				b.shot("coordinator-audit")
				b.logout()

				// The maker claims, prints, hands over, checks and ships.
				b.login("louis@fablab.example", "une longue phrase de passe")
				b.shot("maker-offered")
				offered := b.ids(`section[aria-labelledby="offered"] tr[data-job]`, "job")
				if len(offered) == 0 {
					t.Fatal("no job is offered to the maker")
				}
				for _, job := range offered {
					b.submit(fmt.Sprintf(`form[action="/dashboard/jobs/%d/claim"] button`, job), "claimed")
					b.submit(fmt.Sprintf(`form[action="/dashboard/jobs/%d/complete"] button`, job), "completed")
					b.submit(fmt.Sprintf(`form[action="/dashboard/jobs/%d/handover"] button`, job), "handedover")
				}
				b.shot("maker-stock")
				for _, batch := range b.ids(`article[data-batch]`, "batch") {
					b.submit(fmt.Sprintf(`form[action="/dashboard/batches/%d/pass"] button`, batch), "passed")
					b.fill(fmt.Sprintf(`#carrier-%d`, batch), "Marie, bénévole")
					b.submit(fmt.Sprintf(`form[action="/dashboard/batches/%d/ship"] button`, batch), "shipped")
				}
				b.shot("maker-shipped")
				b.logout()

				// The hospital confirms receipt: the request is fulfilled.
				b.login("camille@chu.example", "une longue phrase de passe")
				b.shot("hospital-incoming")
				for _, sh := range b.ids(`article[data-shipment]`, "shipment") {
					b.submit(fmt.Sprintf(`form[action="/dashboard/shipments/%d/receive"] button`, sh), "received")
				}
				if got := b.text(`section[aria-labelledby="requests"] tbody tr`); !strings.Contains(got, w["fulfilled"]) || !strings.Contains(got, "50") {
					t.Fatalf("the request after receipt: %q", got)
				}
				b.shot("hospital-received")
			})
		}
	}
}
