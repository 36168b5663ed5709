package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/progress"
	"github.com/targetwatch/targetwatch/internal/store"
)

// runTracker runs tr's owner until the test ends, as serve does.
func runTracker(tb testing.TB, tr *progress.Tracker) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tr.Run(ctx); close(done) }()
	tb.Cleanup(func() { cancel(); <-done })
}

// A progress rebuild that takes long holds neither the store's writer nor
// readers. The tracker's clock is held while it rebuilds for one figure;
// meanwhile a second figure is committed (it is in the database), the
// snapshot read is the one before, and neither PUT is answered until the
// rebuild has published a snapshot with its figure.
func TestCommitDoesNotWaitForAProgressRebuild(t *testing.T) {
	ctx := context.Background()
	p := testPlan()
	now := func() time.Time { return asOf }
	var hold atomic.Bool
	held := make(chan struct{}, 1)
	release := make(chan struct{})
	trackerNow := func() time.Time {
		if hold.Load() {
			select {
			case held <- struct{}{}:
			default:
			}
			<-release
		}
		return asOf
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "tw.db"), store.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tr, err := progress.New(progress.Config{Plan: p, Now: trackerNow})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Store: db, Progress: tr, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(documented(t, h))
	t.Cleanup(srv.Close)
	_, token, err := db.IssueToken(ctx, "admin-clerk", "", plan.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	runTracker(t, tr)
	free := sync.OnceFunc(func() { close(release) })
	t.Cleanup(free) // before runTracker's, so a failing test lets Run stop
	before := tr.Snapshot()

	put := func(target string) <-chan int {
		status := make(chan int, 1)
		go func() {
			req, _ := http.NewRequest("PUT", srv.URL+Prefix+"/targets/"+target+"/reports/2019-03", strings.NewReader(`{"value": 3}`))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				status <- 0
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			status <- res.StatusCode
		}()
		return status
	}

	hold.Store(true)
	first := put("river-clean")
	select {
	case <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("the tracker never started a rebuild for the first figure")
	}
	second := put("road-repair")
	deadline := time.Now().Add(10 * time.Second)
	for !stored(t, db, "road-repair") {
		if time.Now().After(deadline) {
			t.Fatal("the second figure was not committed while a progress rebuild was held: the writer waits for progress")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := tr.Snapshot(); got != before {
		t.Errorf("a read during the rebuild: got snapshot version %d, want the one before (%d)", got.Version, before.Version)
	}
	select {
	case s := <-first:
		t.Errorf("the first PUT was answered %d before the snapshot included its figure", s)
	case s := <-second:
		t.Errorf("the second PUT was answered %d before the snapshot included its figure", s)
	case <-time.After(50 * time.Millisecond):
	}

	free()
	for name, c := range map[string]<-chan int{"first": first, "second": second} {
		select {
		case s := <-c:
			if s != http.StatusCreated {
				t.Errorf("the %s PUT: got %d, want 201", name, s)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("the %s PUT was not answered after the rebuild was released", name)
		}
	}
	s := tr.Snapshot()
	for _, id := range []string{"river-clean", "road-repair"} {
		if g, _ := s.Target(id); g.Actual != 3 {
			t.Errorf("%s after both answers: got actual %v, want 3", id, g.Actual)
		}
	}
}

// stored reports whether target has a figure in the database.
func stored(t *testing.T, db *store.DB, target string) bool {
	t.Helper()
	revs, err := db.Revisions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range revs {
		if r.Target == target {
			return true
		}
	}
	return false
}
