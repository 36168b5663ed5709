package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// TestBackupUnderConcurrentWrites backs up while four writers keep
// committing. The copy must hold every figure acknowledged before the
// backup began, pass integrity_check, and number each period's revisions
// 1..n: a torn copy would show a revision without its predecessors or a
// figure without its period.
func TestBackupUnderConcurrentWrites(t *testing.T) {
	dir := t.TempDir()
	db := open(t, filepath.Join(dir, "tw.db"))
	const writers = 4
	var (
		mu    sync.Mutex
		acked = map[curKey]float64{} // the last acknowledged value of each period
		n     atomic.Int64
		stop  = make(chan struct{})
		wg    sync.WaitGroup
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				// Each writer owns its targets, so its acknowledgements arrive in order.
				k := curKey{fmt.Sprintf("t%d-%d", w, i%7), plan.Period{Year: 2019, Month: time.Month(1 + i%12)}}
				v := float64(i)
				_, err := db.Submit(context.Background(), clerk, []Submission{{Target: k.target, Period: k.period, Value: v, Note: "next"}}, SubmitOptions{})
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				mu.Lock()
				acked[k] = v
				mu.Unlock()
				n.Add(1)
			}
		}()
	}
	for n.Load() < 300 {
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	before := make(map[curKey]float64, len(acked))
	for k, v := range acked {
		before[k] = v
	}
	mu.Unlock()
	out := filepath.Join(dir, "backups", "copy.db")
	if err := os.Mkdir(filepath.Dir(out), 0o750); err != nil {
		t.Fatal(err)
	}
	start, atStart := time.Now(), n.Load()
	stats, err := Backup(context.Background(), db.Path(), out)
	took, during := time.Since(start), n.Load()-atStart
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if during == 0 {
		t.Error("no figure was committed during the backup: the test proves nothing about concurrency")
	}
	t.Logf("backup of %d revisions, %d bytes, took %v while %d figures were acknowledged", stats.Revisions, stats.Bytes, took, during)

	copied := open(t, out)
	figures := map[curKey]float64{}
	var revisions int64
	if err := copied.ForEachRevision(context.Background(), func(r plan.Report) error {
		figures[curKey{r.Target, r.Period}] = r.Value // in commit order: the last is current
		revisions++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if revisions != stats.Revisions {
		t.Errorf("the copy holds %d revisions, Backup said %d", revisions, stats.Revisions)
	}
	for k, want := range before {
		// A later figure of the same period may have made it into the copy
		// too; the writer only ever raises its values.
		if got, ok := figures[k]; !ok || got < want {
			t.Errorf("%v acknowledged as %v before the backup, copy has %v (present %v)", k, want, got, ok)
		}
	}
	assertGapless(t, out)
	assertIntegrity(t, out)
}

// openReadOnly opens a database file with database/sql alone, as an
// independent reader; it is closed when the test ends.
func openReadOnly(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", path+"?_query_only=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// assertGapless checks that every period's revisions in the file are
// exactly 1..n.
func assertGapless(t *testing.T, path string) {
	t.Helper()
	db := openReadOnly(t, path)
	rows, err := db.Query(`SELECT target, period, count(*), min(revision), max(revision)
		FROM revisions GROUP BY target, period HAVING min(revision) != 1 OR max(revision) != count(*)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var target, period string
		var n, lo, hi int
		if err := rows.Scan(&target, &period, &n, &lo, &hi); err != nil {
			t.Fatal(err)
		}
		t.Errorf("%s %s: %d revisions numbered %d..%d, want 1..%d", target, period, n, lo, hi, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func assertIntegrity(t *testing.T, path string) {
	t.Helper()
	db := openReadOnly(t, path)
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check of %s: got %q, %v; want ok", path, res, err)
	}
}

func TestBackupRefusesAndLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "tw.db")
	submit(t, open(t, src), Submission{Target: "roads", Period: march, Value: 3})
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte("not a database, but long enough to have a header\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "out", "existing.db")
	if err := os.MkdirAll(filepath.Dir(existing), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(existing, []byte("yesterday's backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, src, dst string
		exists         bool
	}{
		{"an existing output file is kept as it was", src, existing, true},
		{"a missing source is not created", filepath.Join(dir, "missing.db"), filepath.Join(dir, "out", "a.db"), false},
		{"a file that is not a database is refused", notDB, filepath.Join(dir, "out", "b.db"), false},
		{"an output directory that does not exist is not created", src, filepath.Join(dir, "nodir", "c.db"), false},
		{"a name SQLite would read as options is refused", src, filepath.Join(dir, "out", "d.db?mode=memory"), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Backup(context.Background(), c.src, c.dst)
			if err == nil {
				t.Fatal("got no error")
			}
			if got := errors.Is(err, fs.ErrExist); got != c.exists {
				t.Errorf("errors.Is(%v, fs.ErrExist) = %v, want %v", err, got, c.exists)
			}
			entries, _ := os.ReadDir(filepath.Join(dir, "out"))
			if len(entries) != 1 || entries[0].Name() != "existing.db" {
				t.Errorf("output directory holds %v, want only existing.db", entries)
			}
			if b, _ := os.ReadFile(existing); string(b) != "yesterday's backup" {
				t.Errorf("existing.db now holds %q", b)
			}
			if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
				t.Error("the missing source was created")
			}
		})
	}
}
