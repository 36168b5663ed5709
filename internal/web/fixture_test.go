package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/demo"
	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/progress"
	"github.com/targetwatch/targetwatch/internal/store"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// The demo year is filled once per test binary: every test reads it, none
// writes figures.
var (
	demoOnce  sync.Once
	demoDir   string
	demoErr   error
	demoStory demo.Story
)

func TestMain(m *testing.M) {
	code := m.Run()
	if demoDir != "" {
		os.RemoveAll(demoDir)
	}
	os.Exit(code)
}

// fixture is the repo's plan with the demo year, as of 2019-10-15, behind
// a status page.
type fixture struct {
	plan       *plan.Plan
	path       string // the database file
	db         *store.DB
	snap       *plan.Snapshot
	story      demo.Story
	supervisor string // token secrets
	agency     string
	revokedID  int64
	revoked    string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	p, err := planfile.Load(filepath.Join(testenv.RepoRoot(), "targets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	demoOnce.Do(func() {
		demoDir, demoErr = os.MkdirTemp("", "web-demo-")
		if demoErr != nil {
			return
		}
		var res *demo.Result
		res, demoErr = demo.Fill(context.Background(), filepath.Join(demoDir, "demo.db"), p, demo.DefaultThrough)
		if res != nil {
			demoStory = res.Story
		}
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	// Each test gets its own copy, so tokens issued here stay its own.
	path := filepath.Join(t.TempDir(), "demo.db")
	b, err := os.ReadFile(filepath.Join(demoDir, "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	revs, err := db.Revisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2019, 10, 15, 9, 0, 0, 0, p.Location)
	tr, err := progress.New(progress.Config{Plan: p, Now: func() time.Time { return asOf }})
	if err != nil {
		t.Fatal(err)
	}
	tr.Load(revs)
	f := &fixture{plan: p, path: path, db: db, snap: tr.Snapshot(), story: demoStory}
	if _, f.supervisor, err = db.IssueToken(ctx, "inspector", "", plan.RoleSupervisor); err != nil {
		t.Fatal(err)
	}
	if _, f.agency, err = db.IssueToken(ctx, "water clerk", "water-affairs", plan.RoleAgency); err != nil {
		t.Fatal(err)
	}
	tok, secret, err := db.IssueToken(ctx, "former inspector", "", plan.RoleSupervisor)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	f.revoked = secret
	return f
}

// fixedSnapshot serves one snapshot.
type fixedSnapshot struct{ s *plan.Snapshot }

func (f fixedSnapshot) Snapshot() *plan.Snapshot { return f.s }

func (f *fixture) handler(t *testing.T, protect bool) *Handler {
	t.Helper()
	h, err := New(Config{Snapshots: fixedSnapshot{f.snap}, History: f.db, Auth: f.db, RequireToken: protect})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// get serves one request and returns the answer and its body.
func get(t *testing.T, h http.Handler, target string, hdr ...string) (*http.Response, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	resp := w.Result()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// attrs returns the values of every data-NAME="..." attribute in order.
func attrs(body, name string) []string {
	var out []string
	key := "data-" + name + `="`
	for {
		i := strings.Index(body, key)
		if i < 0 {
			return out
		}
		body = body[i+len(key):]
		j := strings.IndexByte(body, '"')
		out = append(out, body[:j])
		body = body[j:]
	}
}
