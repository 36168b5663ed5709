package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/targetwatch/targetwatch/internal/testenv"
)

// TestExitStatusTellsWhatToDoNext: every command that talks to a server
// exits 1 when the server refuses, 2 on a usage error found before
// sending, and 3 when the server cannot be reached or answers 5xx, so a
// script retries on 3 only.
func TestExitStatusTellsWhatToDoNext(t *testing.T) {
	answer := func(status int, contentType, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	refusing := answer(422, "application/problem+json",
		`{"title":"Unprocessable","status":422,"detail":"2 problems","errors":[{"line":2,"field":"value","message":"must not be negative, got -1"},{"line":3,"field":"target","message":"unknown target \"x\""}]}`)
	failing := answer(503, "application/problem+json", `{"title":"Service Unavailable","status":503,"detail":"the database is busy"}`)
	proxy := answer(502, "text/html", "<html><body>502 Bad Gateway</body></html>")
	down := "http://" + testenv.FreeAddr(t) // nothing listens there
	file := filepath.Join(t.TempDir(), "figures.csv")
	if err := os.WriteFile(file, []byte("target,period,value,note\nsewer-pipes-built,2019-10,1,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	commands := map[string][]string{
		"submit":          {"submit", "sewer-pipes-built", "2019-10", "1"},
		"import":          {"import", file},
		"template":        {"template", "--agency", "water-affairs"},
		"report --server": {"report"},
	}
	for name, args := range commands {
		for _, c := range []struct {
			name   string
			server string
			code   int
			stderr []string
		}{
			{"a refusal exits 1 with each reason on its own line", refusing, 1,
				[]string{"2 problems (HTTP 422)\nline 2: value: must not be negative, got -1\nline 3: target: unknown target \"x\"\n"}},
			{"a 503 answer exits 3", failing, 3, []string{"the database is busy (HTTP 503)"}},
			{"a proxy's 502 page exits 3", proxy, 3, []string{"Bad Gateway (HTTP 502)"}},
			{"a closed port exits 3", down, 3, []string{"cannot reach"}},
			{"an unknown flag exits 2 without sending", down, 2, []string{"unknown flag -nope"}},
			{"no token exits 2 without sending", down, 2, []string{"set TARGETWATCH_TOKEN or --token"}},
		} {
			t.Run(name+": "+c.name, func(t *testing.T) {
				token := "tw_sometoken"
				args := append([]string{args[0], "--server", c.server}, args[1:]...)
				switch {
				case strings.Contains(c.name, "unknown flag"):
					args = append(args, "--nope")
				case strings.Contains(c.name, "no token"):
					token = ""
				}
				code, _, stderr := cli(t, token, args...)
				if code != c.code {
					t.Errorf("%v: got exit %d, want %d; stderr: %s", args, code, c.code, stderr)
				}
				for _, want := range c.stderr {
					if !strings.Contains(stderr, want) {
						t.Errorf("%v: got stderr %q, want it to contain %q", args, stderr, want)
					}
				}
			})
		}
	}
	// Values a clerk got wrong are usage errors found before sending: the
	// server is down, yet the answer is 2, not 3.
	for _, c := range []struct {
		name, period, value, want string
	}{
		{"a month 13", "2019-13", "1", "has no month 1..12"},
		{"a word for a figure", "2019-10", "abc", `want a number, got "abc"`},
		{"a comma as the decimal mark", "2019-10", "1,5", `want a number, got "1,5"`},
	} {
		t.Run("submit: "+c.name+" exits 2 without sending", func(t *testing.T) {
			code, _, stderr := cli(t, "tw_sometoken", "submit", "--server", down, "sewer-pipes-built", c.period, c.value)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Errorf("got exit %d, %q; want 2 and %q", code, stderr, c.want)
			}
		})
	}
}
