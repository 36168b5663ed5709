package web

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/targetwatch/targetwatch/internal/testenv"
)

// browser starts a headless Chromium that records every console error,
// uncaught exception and browser log error (failed loads, CSP violations).
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	exe := testenv.LookPath(t, "chromium", "chromium-browser")
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true),
		// A Chinese reader's browser: Accept-Language decides the page
		// language.
		chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })

	// Start the browser and subscribe before any page loads.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	var mu sync.Mutex
	var errs []string
	msgs := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			// Errors, exceptions and warnings (a CSP violation is one).
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning {
				mu.Lock()
				errs = append(errs, m.String())
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { cancelTimeout(); <-done })
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

// checkPages drives the status page at base in a real browser: the
// overview and a target page load, show the expected targets and statuses,
// and log no errors.
func checkPages(t *testing.T, base string, breached, offTrack string) {
	ctx, consoleErrors := browser(t)

	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	str := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+"`"+sel+"`"+`).length`))
		if err != nil {
			t.Fatalf("count %s: %v", sel, err)
		}
		return n
	}
	attr := func(sel, name string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
		if err != nil {
			t.Fatalf("%s[%s]: %v", sel, name, err)
		}
		return v.Value
	}

	run("overview", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`article.card`)))
	if n := count("article.card"); n < 50 {
		t.Errorf("overview: got %d targets, want every target of the plan (more than 50)", n)
	}
	if first, status := attr("article.card", "data-target"), attr("article.card", "data-status"); first != breached || status != "breached" {
		t.Errorf("overview: got %s (%s) first, want the breached cap %s", first, status, breached)
	}
	text := str("overview text", chromedp.Text(chromedp.CSS(`main`)))
	for _, want := range []string{"突破上限", "进度滞后", "正常推进", "各部门逾期未报情况"} {
		if !strings.Contains(text, want) {
			t.Errorf("overview: got no %q on the page, want it", want)
		}
	}
	if lang := attr("html", "lang"); lang != "zh-CN" {
		t.Errorf("overview: got lang %q, want zh-CN", lang)
	}

	// Follow the link of the off-track target, as a supervisor would.
	run("target page", chromedp.Click(chromedp.CSS(`#t-`+offTrack+` a.title`)), chromedp.WaitVisible(chromedp.CSS(`svg.chart-svg`)))
	status := attr("section.target", "data-status")
	heading := str("heading", chromedp.Text(chromedp.CSS(`h1`)))
	if status != "off_track" || !strings.Contains(heading, "进度滞后") {
		t.Errorf("target page: got status %q and heading %q, want off_track shown as 进度滞后", status, heading)
	}
	if points, rows := count("svg.chart-svg circle.dot"), count(".history tbody tr"); points != 9 || rows < 9 {
		t.Errorf("target page: got %d chart points and %d table rows, want 9 months (January to September)", points, rows)
	}

	run("English overview", chromedp.Navigate(base+"/?lang=en&status=breached"), chromedp.WaitVisible(chromedp.CSS(`article.card`)))
	enText := str("English text", chromedp.Text(chromedp.CSS(`main`)))
	if n := count("article.card"); n != 1 || !strings.Contains(enText, "breached") {
		t.Errorf("English overview filtered by breached: got %d targets, want 1 shown as breached", n)
	}
	// The browser asks for Chinese, but the cookie ?lang=en set wins on a
	// page reached without ?lang=; ?lang=zh switches back for good.
	run("overview after ?lang=en", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`article.card`)))
	if lang := attr("html", "lang"); lang != "en" {
		t.Errorf("overview after ?lang=en: got lang %q, want en from the cookie", lang)
	}
	run("back to Chinese", chromedp.Navigate(base+"/?lang=zh"), chromedp.WaitVisible(chromedp.CSS(`article.card`)))
	run("overview after ?lang=zh", chromedp.Navigate(base+"/targets/"+offTrack), chromedp.WaitVisible(chromedp.CSS(`svg.chart-svg`)))
	if lang := attr("html", "lang"); lang != "zh-CN" {
		t.Errorf("target page after ?lang=zh: got lang %q, want zh-CN from the cookie", lang)
	}

	// Give late messages (favicon, policy reports) a moment to arrive.
	run("settle", chromedp.Sleep(500*time.Millisecond))
	for _, e := range consoleErrors() {
		t.Errorf("browser logged: %s", e)
	}
}

// TestBrowser runs the real binary on the demo year, as the README's quick
// start does, and reads it in headless Chromium.
func TestBrowser(t *testing.T) {
	f := newFixture(t)
	proc := testenv.Serve(t, "--db", f.path, "--as-of", "2019-10-15")
	checkPages(t, proc.URL, f.story.Breached, f.story.OffTrack)
}

// TestBrowserSignIn: with reading protected, a supervisor signs in through
// the form and lands on the page asked for.
func TestBrowserSignIn(t *testing.T) {
	f := newFixture(t)
	proc := testenv.Serve(t, "--db", f.path, "--as-of", "2019-10-15", "--require-token")
	ctx, consoleErrors := browser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(proc.URL+"/targets/"+f.story.Breached),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), f.supervisor),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.CSS(`svg.chart-svg`)),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	status, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("section.target"), "data-status"))
	if err != nil {
		t.Fatal(err)
	}
	if status.Value != "breached" {
		t.Errorf("after signing in: got status %q, want the breached target's page", status.Value)
	}
	// The cookie is invisible to scripts.
	cookie, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`))
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "" {
		t.Errorf("got document.cookie %q, want the HttpOnly cookie hidden from scripts", cookie)
	}
	for _, e := range consoleErrors() {
		t.Errorf("browser logged: %s", e)
	}
}
