package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
)

func TestOverviewShowsEveryTargetByUrgency(t *testing.T) {
	f := newFixture(t)
	resp, body := get(t, f.handler(t, false), "/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want 200", resp.StatusCode)
	}
	ids := attrs(body, "target")
	if got, want := len(ids), len(f.plan.Targets); got != want {
		t.Fatalf("got %d targets on the page, want %d", got, want)
	}
	var ranks []int
	for _, id := range ids {
		g, _ := f.snap.Target(id)
		ranks = append(ranks, urgency(g))
	}
	if !slices.IsSorted(ranks) {
		t.Errorf("got urgencies %v, want them in order (breached, off track, missed, at risk, overdue, on track, achieved)", ranks)
	}
	if got, want := ids[0], f.story.Breached; got != want {
		t.Errorf("got %s first, want the breached cap %s", got, want)
	}
	for _, want := range []string{f.plan.Title, "突破上限", "进度滞后", "存在风险", "正常推进", "已完成", "各部门逾期未报情况", "区民政局", `lang="zh-CN"`} {
		if !strings.Contains(body, want) {
			t.Errorf("got a page without %q, want it", want)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "style=") {
		t.Error("got a script or an inline style, want neither (the content security policy forbids them)")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("got Content-Security-Policy %q, want default-src 'none'", csp)
	}
}

func TestLanguage(t *testing.T) {
	f := newFixture(t)
	h := f.handler(t, false)
	for _, tc := range []struct {
		name   string
		target string
		accept string
		cookie string // the language cookie sent, "" none
		want   string
		links  bool // links carry lang=
	}{
		{"Chinese is the default", "/", "", "", `lang="zh-CN"`, false},
		{"the cookie of an earlier ?lang=en keeps English", "/", "", "en", `lang="en"`, false},
		{"the cookie wins over a Chinese browser", "/", "zh-CN,zh", "en", "Overdue reports by agency", false},
		{"a zh cookie wins over an English browser", "/", "en-US", "zh", "各部门逾期未报情况", false},
		{"?lang=zh wins over an en cookie", "/?lang=zh", "", "en", "各部门逾期未报情况", true},
		{"a cookie neither zh nor en is ignored: the browser decides", "/", "en-US", "fr", `lang="en"`, false},
		{"?lang=en switches to English and keeps it in links", "/?lang=en", "", "", "Overdue reports by agency", true},
		{"an English browser gets English", "/", "en-US,en;q=0.9", "", `lang="en"`, false},
		{"a Chinese browser gets Chinese", "/", "zh-CN,zh;q=0.9,en;q=0.5", "", "各部门逾期未报情况", false},
		{"?lang=zh wins over an English browser", "/?lang=zh", "en-US", "", "各部门逾期未报情况", true},
		{"the target page speaks English too", "/targets/" + "dry-waste-daily" + "?lang=en", "", "", "Monthly reports", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := []string{"Accept-Language", tc.accept}
			if tc.cookie != "" {
				hdr = append(hdr, "Cookie", LangCookie+"="+tc.cookie)
			}
			_, body := get(t, h, tc.target, hdr...)
			if !strings.Contains(body, tc.want) {
				t.Errorf("got a page without %q, want it", tc.want)
			}
			if got := strings.Contains(body, "/targets/"+f.plan.Targets[0].ID+"?lang="); got != tc.links && !strings.HasPrefix(tc.target, "/targets/") {
				t.Errorf("got links with lang %v, want %v", got, tc.links)
			}
		})
	}
}

// TestLanguageCookie: ?lang= sets the cookie the next pages follow; a page
// without ?lang= sets none, and every page varies by both inputs.
func TestLanguageCookie(t *testing.T) {
	f := newFixture(t)
	h := f.handler(t, false)
	for _, tc := range []struct {
		name, target, want string // want: the cookie's value, "" none set
	}{
		{"?lang=en remembers English", "/?lang=en", "en"},
		{"?lang=zh remembers Chinese", "/targets/dry-waste-daily?lang=zh", "zh"},
		{"no ?lang= sets nothing", "/", ""},
		{"?lang=fr is no choice to remember", "/?lang=fr", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := get(t, h, tc.target)
			got := ""
			for _, c := range resp.Cookies() {
				if c.Name == LangCookie {
					got = c.Value
					if c.Path != "/" || c.MaxAge <= 0 || !c.HttpOnly {
						t.Errorf("got cookie %+v, want path /, a lasting max-age and HttpOnly", c)
					}
				}
			}
			if got != tc.want {
				t.Errorf("got language cookie %q, want %q", got, tc.want)
			}
			if v := strings.Join(resp.Header.Values("Vary"), ","); !strings.Contains(v, "Accept-Language") || !strings.Contains(v, "Cookie") {
				t.Errorf("got Vary %q, want Accept-Language and Cookie", v)
			}
		})
	}
	// What the cookie set by ?lang=en does to the next page.
	resp, _ := get(t, h, "/?lang=en")
	next := httptest.NewRequest(http.MethodGet, "/", nil)
	next.Header.Set("Accept-Language", "zh-CN")
	for _, c := range resp.Cookies() {
		next.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, next)
	if body := w.Body.String(); !strings.Contains(body, `lang="en"`) {
		t.Errorf("the page after ?lang=en, from a Chinese browser: got no lang=\"en\", want English")
	}
}

func TestFilters(t *testing.T) {
	f := newFixture(t)
	h := f.handler(t, false)
	count := func(pred func(g *plan.Progress) bool) int {
		n := 0
		for i := range f.snap.Targets {
			if pred(f.snap.Targets[i]) {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		name  string
		query string
		want  func(g *plan.Progress) bool
	}{
		{"an agency shows only its targets", "agency=landscaping", func(g *plan.Progress) bool { return g.Target.Agency == "landscaping" }},
		{"a status shows only that status", "status=breached", func(g *plan.Progress) bool { return g.Status == plan.Breached }},
		{"overdue shows targets with months missing", "status=overdue", func(g *plan.Progress) bool { return len(g.Missing) > 0 }},
		{"both filters combine", "agency=landscaping&status=on_track", func(g *plan.Progress) bool {
			return g.Target.Agency == "landscaping" && g.Status == plan.OnTrack
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, h, "/?"+tc.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got status %d, want 200", resp.StatusCode)
			}
			ids := attrs(body, "target")
			for _, id := range ids {
				g, _ := f.snap.Target(id)
				if !tc.want(g) {
					t.Errorf("got %s (%s, %s), want it filtered out", id, g.Target.Agency, g.Status)
				}
			}
			if got, want := len(ids), count(tc.want); got != want || want == 0 {
				t.Errorf("got %d targets, want %d (and at least one)", got, want)
			}
		})
	}
	for _, q := range []string{"agency=nope", "status=late"} {
		t.Run("an unknown filter value is a bad request: "+q, func(t *testing.T) {
			resp, body := get(t, h, "/?"+q)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("got status %d, want 400", resp.StatusCode)
			}
			if v := strings.SplitN(q, "=", 2)[1]; !strings.Contains(body, v) {
				t.Errorf("got an error page without %q, want the bad value named", v)
			}
		})
	}
}

func TestTargetPage(t *testing.T) {
	f := newFixture(t)
	h := f.handler(t, false)
	id := f.story.Corrected[0]
	tg, _ := f.plan.Target(id)
	resp, body := get(t, h, "/targets/"+id)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want 200", resp.StatusCode)
	}
	for _, want := range []string{
		`<svg viewBox="0 0 720 320"`, `class="actual"`, `class="expected"`, `class="goal"`, `class="projection"`,
		"demo-" + tg.Agency, "更正", `class="superseded"`, tg.Title, "计划原文",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("got a target page without %q, want it", want)
		}
	}
	// The quote is shown verbatim (html/template escapes only <>&'").
	if q := strings.NewReplacer(`"`, "&#34;", "'", "&#39;", "&", "&amp;").Replace(tg.Quote); !strings.Contains(body, q) {
		t.Errorf("got a page without the plan quote %q", tg.Quote)
	}
	// Every month up to September has a row: the revision table has
	// nine current figures and one superseded one.
	if got, want := strings.Count(body, `class="current"`), 9; got != want {
		t.Errorf("got %d current revisions, want %d", got, want)
	}
	if got, want := strings.Count(body, `class="superseded"`), 1; got != want {
		t.Errorf("got %d superseded revisions, want %d", got, want)
	}

	_, body = get(t, h, "/targets/integrated-windows-share")
	if got, want := strings.Count(body, `class="missing"`), 2; got != want {
		t.Errorf("overdue target: got %d missing months, want %d", got, want)
	}

	resp, _ = get(t, h, "/targets/no-such-target")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown target: got status %d, want 404", resp.StatusCode)
	}
}

func TestReadProtection(t *testing.T) {
	f := newFixture(t)
	h := f.handler(t, true)
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	resp, err := client.Get(srv.URL + "/targets/dry-waste-daily")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.StatusCode, http.StatusSeeOther; got != want {
		t.Fatalf("no cookie: got status %d, want %d", got, want)
	}
	if got, want := resp.Header.Get("Location"), "/signin?next=%2Ftargets%2Fdry-waste-daily"; got != want {
		t.Errorf("got redirect to %q, want %q", got, want)
	}

	signin := func(token string) *http.Response {
		resp, err := client.PostForm(srv.URL+"/signin", url.Values{"token": {token}, "next": {"/targets/dry-waste-daily"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, tc := range []struct {
		name  string
		token string
		code  int
	}{
		{"an unknown token is refused", "tw_nonsense", http.StatusUnauthorized},
		{"a revoked token is refused", f.revoked, http.StatusUnauthorized},
		{"an agency token may not read the page", f.agency, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := signin(tc.token)
			if resp.StatusCode != tc.code {
				t.Errorf("got status %d, want %d", resp.StatusCode, tc.code)
			}
			if len(resp.Cookies()) != 0 {
				t.Errorf("got cookies %v, want none", resp.Cookies())
			}
		})
	}

	resp = signin(f.supervisor)
	if got, want := resp.StatusCode, http.StatusSeeOther; got != want {
		t.Fatalf("supervisor: got status %d, want %d", got, want)
	}
	if got, want := resp.Header.Get("Location"), "/targets/dry-waste-daily"; got != want {
		t.Errorf("got redirect to %q, want back to %q", got, want)
	}
	var c *http.Cookie
	for _, k := range resp.Cookies() {
		if k.Name == CookieName {
			c = k
		}
	}
	if c == nil {
		t.Fatal("got no cookie, want one")
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure {
		t.Errorf("got cookie HttpOnly=%v SameSite=%v Secure=%v, want HttpOnly, Strict, and not Secure over plain HTTP", c.HttpOnly, c.SameSite, c.Secure)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/targets/dry-waste-daily", nil)
	req.AddCookie(&http.Cookie{Name: CookieName, Value: c.Value})
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("with the cookie: got status %d, want 200", resp.StatusCode)
	}

	// Static assets stay open so the sign-in form is styled.
	resp, err = client.Get(srv.URL + "/static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("style sheet: got status %d, want 200", resp.StatusCode)
	}
}

func TestCookieIsSecureUnderTLS(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewTLSServer(f.handler(t, true))
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.PostForm(srv.URL+"/signin", url.Values{"token": {f.supervisor}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cs := resp.Cookies()
	if len(cs) != 1 || !cs[0].Secure {
		t.Errorf("got cookies %v, want one Secure cookie", cs)
	}
}

func TestOpenRedirectIsRefused(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/targets/x", "/targets/x"},
		{"//evil.example/", "/"},
		{"https://evil.example/", "/"},
		{`/\evil.example`, "/"},
		{"", "/"},
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestEveryTextExists guards against a key used in a template but missing
// from the messages: it would render as an empty string.
func TestEveryTextExists(t *testing.T) {
	re := regexp.MustCompile(`\.T\.([a-z_]+)`)
	entries, err := os.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile("templates/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if v, ok := messages[m[1]]; !ok || v[0] == "" || v[1] == "" {
				t.Errorf("%s: got no text for %q in both languages, want one", e.Name(), m[1])
			}
		}
	}
}

// The page's downloads are the files the API serves, rendered by the same
// functions, in the page's language.
func TestDownloads(t *testing.T) {
	f := newFixture(t)
	h := f.handler(t, false)
	_, body := get(t, h, "/?agency=civil-affairs&lang=en")
	if !strings.Contains(body, `href="/template/civil-affairs?lang=en" download`) {
		t.Errorf("overview of one agency: got no link to its template:\n%.2000s", body)
	}
	// The workbooks are offered first, before the CSV files.
	for _, pair := range [][2]string{
		{`href="/template/civil-affairs.xlsx?lang=en" download`, `href="/template/civil-affairs?lang=en" download`},
		{`href="/report/xlsx?lang=en" download`, `href="/report/csv?lang=en" download`},
	} {
		x, c := strings.Index(body, pair[0]), strings.Index(body, pair[1])
		if x < 0 || c < 0 || x > c {
			t.Errorf("got %s at %d and %s at %d, want both, the workbook first", pair[0], x, pair[1], c)
		}
	}
	if _, body := get(t, h, "/"); strings.Contains(body, `href="/template/`) {
		t.Errorf("overview of every agency: got a template link, want none")
	}
	wantTemplate, err := report.TemplateFile(f.snap, "civil-affairs", report.English)
	if err != nil {
		t.Fatal(err)
	}
	wantReport, err := report.ReportFile(f.snap, report.Markdown, report.Chinese)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path  string
		code        int
		disposition string
		want        string // a part of the body
		same        []byte // the API's file, when the answer is one
	}{
		// As of 2019-10-15 the demo's civil affairs bureau owes August.
		{"an agency's template in English", "/template/civil-affairs?lang=en", 200,
			`attachment; filename="template-civil-affairs-2019-10.csv"`, "integrated-windows-share,2019-08,,", wantTemplate.Body},
		{"the report in Markdown, in Chinese by default", "/report/md", 200,
			`attachment; filename="report-2019-10-15.md"`, "执行情况", wantReport.Body},
		{"an unknown agency has no template", "/template/nope", 404, "", "", nil},
		{"an unknown format has no report", "/report/xls", 404, "", "", nil},
		{"the report as a workbook", "/report/xlsx", 200,
			`attachment; filename="report-2019-10-15.xlsx"`, "PK\x03\x04", nil},
		{"an agency's template as a workbook", "/template/civil-affairs.xlsx?lang=en", 200,
			`attachment; filename="template-civil-affairs-2019-10.xlsx"`, "PK\x03\x04", nil},
		{"an unknown agency has no workbook template", "/template/nope.xlsx", 404, "", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, h, tc.path)
			if resp.StatusCode != tc.code {
				t.Errorf("got status %d, want %d", resp.StatusCode, tc.code)
			}
			if got := resp.Header.Get("Content-Disposition"); got != tc.disposition {
				t.Errorf("got Content-Disposition %q, want %q", got, tc.disposition)
			}
			if !strings.Contains(body, tc.want) {
				t.Errorf("got body without %q:\n%.400s", tc.want, body)
			}
			if tc.same != nil && body != string(tc.same) {
				t.Errorf("got a download that is not the API's file")
			}
		})
	}
}
