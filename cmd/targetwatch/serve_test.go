package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/testenv"
)

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestServeEndpointsRevocationAndGracefulStop(t *testing.T) {
	db := filepath.Join(t.TempDir(), "tw.db")
	admin := issueToken(t, db, "--role", "admin")
	clerk := issueToken(t, db, "--agency", "water-affairs", "--name", "水务局填报员")
	proc := testenv.Serve(t, "--db", db, "--as-of", "2019-10-15")

	if code, body := get(t, proc.URL+"/healthz", ""); code != 200 || !strings.Contains(body, "ok") {
		t.Errorf("/healthz: got %d %q, want 200 ok", code, body)
	}
	if code, _ := get(t, proc.URL+"/readyz", ""); code != 200 {
		t.Errorf("/readyz: got %d, want 200", code)
	}
	code, body := get(t, proc.URL+"/api/v1/targets", clerk)
	if code != 200 || !strings.Contains(body, `"as_of":"2019-10-15T12:00:00+08:00"`) {
		t.Errorf("/api/v1/targets: got %d %.200s, want 200 as of noon on 15 October", code, body)
	}
	if code, _ := get(t, proc.URL+"/api/v1/targets", ""); code != 401 {
		t.Errorf("/api/v1/targets without a token: got %d, want 401", code)
	}
	if code, body := get(t, proc.URL+"/api/v1/openapi.json", ""); code != 200 || !strings.Contains(body, `"openapi": "3.1.0"`) {
		t.Errorf("/api/v1/openapi.json without a token: got %d %.100s, want 200 and an OpenAPI 3.1 document", code, body)
	}
	// The status page's download is the API's report, byte for byte.
	code, apiCSV := get(t, proc.URL+"/api/v1/report?format=csv", clerk)
	_, pageCSV := get(t, proc.URL+"/report/csv", "")
	if code != 200 || !strings.HasPrefix(apiCSV, "\ufeff序号,指标") || pageCSV != apiCSV {
		t.Errorf("report: got API %d %.80q and a page download that is the same: %v; want 200, a Chinese CSV, the same", code, apiCSV, pageCSV == apiCSV)
	}
	if code, body := get(t, proc.URL+"/api/v1/nothing", clerk); code != 404 || !strings.Contains(body, `"type":"urn:targetwatch:problem:not_found"`) {
		t.Errorf("/api/v1/nothing: got %d %.200s, want a 404 problem", code, body)
	}
	_, metrics := get(t, proc.URL+"/metrics", "")
	// The build info carries the version `targetwatch version` prints, under
	// targetwatch_ (not go_build_info, whose labels are the module's path).
	// Unknown fields are empty labels.
	v := map[string]string{}
	for i, line := range strings.Split(strings.TrimSpace(testenv.Run(t, "version")), "\n") {
		if i == 0 {
			line = strings.Replace(line, "targetwatch", "version:", 1)
		}
		k, val, _ := strings.Cut(line, ":")
		v[k] = strings.TrimPrefix(strings.TrimSpace(val), "unknown")
	}
	buildInfo := fmt.Sprintf(`targetwatch_build_info{goversion=%q,modified=%q,revision=%q,revision_time=%q,version=%q} 1`,
		runtime.Version(), v["modified"], v["revision"], v["time"], v["version"])
	for _, want := range []string{`targetwatch_submissions_total{result="created"} 0`, "go_goroutines", "process_resident_memory_bytes", buildInfo,
		`targetwatch_http_requests_total{code="200",handler="targets",method="get"} 1`,
		`targetwatch_http_requests_total{code="200",handler="report",method="get"} 1`,
		`targetwatch_http_requests_total{code="401",handler="targets",method="get"} 1`,
		`targetwatch_http_requests_total{code="404",handler="unknown",method="get"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// Revoking with the CLI while the server runs takes effect at once,
	// for submissions too (which are authenticated from a cache).
	c := &http.Client{Timeout: 10 * time.Second}
	for i, period := range []string{"2019-08", "2019-09"} {
		if code, err := putFigure(c, proc.URL, clerk, figureKey{"inferior-water-bodies-eliminated", period}, float64(10+i), ""); err != nil || code != 201 {
			t.Fatalf("PUT %s before the revocation: got %d %v, want 201", period, code, err)
		}
	}
	list := testenv.Run(t, "token", "list", "--db", db)
	if !strings.Contains(list, "水务局填报员") || strings.Contains(list, clerk) {
		t.Errorf("token list: got\n%s\nwant the label and no secret", list)
	}
	testenv.Run(t, "token", "revoke", "--db", db, "2")
	if code, _ := get(t, proc.URL+"/api/v1/targets", clerk); code != 401 {
		t.Errorf("a revoked token: got %d, want 401", code)
	}
	if code, err := putFigure(c, proc.URL, clerk, figureKey{"inferior-water-bodies-eliminated", "2019-09"}, 12, "更正"); err != nil || code != 401 {
		t.Errorf("a revoked token's PUT: got %d %v, want 401", code, err)
	}
	if code, _ := get(t, proc.URL+"/api/v1/targets", admin); code != 200 {
		t.Errorf("another token after a revocation: got %d, want 200", code)
	}

	proc.Stop()
	if code := proc.Cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("after SIGTERM: exit code %d, want 0", code)
	}
}

// serve remembers the checked plan next to its database and uses it on the
// next start; --plan-cache "" turns that off.
func TestServePlanCache(t *testing.T) {
	planLine := func(p *testenv.Process) string {
		for _, l := range p.LogLines() {
			if strings.Contains(l, `msg="plan loaded"`) {
				return l
			}
		}
		t.Fatalf("no plan loaded line in\n%s", strings.Join(p.LogLines(), "\n"))
		return ""
	}
	db := filepath.Join(t.TempDir(), "data", "tw.db")
	for i, want := range []string{`cache=miss why="no cache file yet" checked_by="child process"`, "cache=hit"} {
		proc := testenv.Serve(t, "--db", db, "--as-of", "2019-10-15")
		if l := planLine(proc); !strings.Contains(l, want) || !strings.Contains(l, "targets=54") {
			t.Errorf("start %d: got %q, want %s and 54 targets", i+1, l, want)
		}
		if code, body := get(t, proc.URL+"/metrics", ""); code != 200 || !strings.Contains(body, `targetwatch_target_goal{plan="jiading-2019",target_id="inferior-water-bodies-eliminated"} 329`) {
			t.Errorf("start %d: /metrics got %d without the plan's goals", i+1, code)
		}
		proc.Stop()
		if _, err := os.Stat(db + ".plancache"); err != nil {
			t.Errorf("start %d: %v", i+1, err)
		}
	}

	// check --plan-cache writes the cache a serve starts from.
	warm := filepath.Join(t.TempDir(), "tw.db")
	testenv.Run(t, "check", "--plan-cache", warm+".plancache", "--quiet")
	proc := testenv.Serve(t, "--db", warm)
	if l := planLine(proc); !strings.Contains(l, "cache=hit") {
		t.Errorf("after check --plan-cache: got %q, want cache=hit", l)
	}
	proc.Stop()

	off := filepath.Join(t.TempDir(), "tw.db")
	proc = testenv.Serve(t, "--db", off, "--plan-cache", "")
	if l := planLine(proc); !strings.Contains(l, "cache=off") {
		t.Errorf(`--plan-cache "": got %q, want cache=off`, l)
	}
	proc.Stop()
	if _, err := os.Stat(off + ".plancache"); !os.IsNotExist(err) {
		t.Errorf(`--plan-cache "": the cache file was written (%v)`, err)
	}
}

func TestServeRefusesBadFlags(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"a malformed --as-of", []string{"serve", "--as-of", "2019-13-01"}, "--as-of"},
		{"an unknown log format", []string{"serve", "--log-format", "xml"}, "--log-format"},
		{"an unknown log level", []string{"serve", "--log-level", "verbose"}, "--log-level"},
		{"a log level with an offset", []string{"serve", "--log-level", "info+2"}, "--log-level"},
		{"a negative lock", []string{"serve", "--lock-after", "-1"}, "--lock-after"},
		{"an unknown token role", []string{"token", "issue", "--role", "root"}, "--role"},
		{"an agency token without an agency", []string{"token", "issue"}, "--agency"},
		{"an agency not in the plan", []string{"token", "issue", "--agency", "no-such-bureau"}, "not an agency"},
		{"a token name with a right-to-left override", []string{"token", "issue", "--role", "admin", "--name", "clerk\u202eexe.txt"}, "--name: must not contain the control character U+202E"},
		{"a token name with an escape sequence", []string{"token", "issue", "--role", "admin", "--name", "\x1b[31mroot"}, "--name: must not contain the control character U+001B"},
		{"revoking a token id that is not a number", []string{"token", "revoke", "x"}, "token ID"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append(c.args, "--db", filepath.Join(t.TempDir(), "tw.db"))
			if c.args[0] == "serve" || c.args[1] == "issue" {
				args = append(args, "--targets", filepath.Join(testenv.RepoRoot(), "targets.yaml"))
			}
			code, _, stderr := cli(t, "", args...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Errorf("got exit %d %q, want 2 and a message naming %s", code, stderr, c.want)
			}
		})
	}
}
