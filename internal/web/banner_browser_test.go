package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/targetwatch/targetwatch/internal/testenv"
)

// TestBrowserPeriodBanner: the demo year (2019) served on the wall clock,
// years later, shows a banner saying the plan period has ended and how to
// replay it, in Chinese by default and in English when asked; replayed
// with --as-of inside the year, no banner.
func TestBrowserPeriodBanner(t *testing.T) {
	f := newFixture(t)
	live := testenv.Serve(t, "--db", f.path)
	replay := testenv.Serve(t, "--db", f.path, "--as-of", "2019-10-15")
	ctx, consoleErrors := browser(t)
	text := func(url string) string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`article.card`))); err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".period-banner").length`))
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return ""
		}
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.period-banner`)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// targets.yaml: start 2019-01-01, end 2019-12-31; the replay day is the last.
	for _, c := range []struct {
		name, url string
		want      []string
	}{
		{"in Chinese by default", live.URL + "/", []string{"计划期（2019-01-01 至 2019-12-31）已结束", "targetwatch serve --as-of 2019-12-31"}},
		{"in English when asked", live.URL + "/?lang=en", []string{"The plan period (2019-01-01 to 2019-12-31) has ended", "targetwatch serve --as-of 2019-12-31"}},
	} {
		got := text(c.url)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: got banner %q, want it to contain %q", c.name, got, w)
			}
		}
	}
	if got := text(replay.URL + "/"); got != "" {
		t.Errorf("replayed as of 2019-10-15: got banner %q, want none", got)
	}
	for _, e := range consoleErrors() {
		t.Errorf("browser logged: %s", e)
	}
}
