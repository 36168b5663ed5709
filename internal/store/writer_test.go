package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// faultSQL makes real SQLite fail where the group commit must cope. An
// insert of the value 666 fails as a statement (RAISE(ABORT)); 667 rolls
// the whole transaction back under the writer (RAISE(ROLLBACK)); 777
// leaves a dangling deferred foreign key, so its insert succeeds and the
// COMMIT fails.
const faultSQL = `
CREATE TABLE fault_parent (id INTEGER PRIMARY KEY);
CREATE TABLE fault_child (parent INTEGER REFERENCES fault_parent (id) DEFERRABLE INITIALLY DEFERRED);
CREATE TRIGGER fault_statement BEFORE INSERT ON revisions WHEN NEW.value = 666
BEGIN SELECT RAISE(ABORT, 'injected: the insert fails'); END;
CREATE TRIGGER fault_transaction BEFORE INSERT ON revisions WHEN NEW.value = 667
BEGIN SELECT RAISE(ROLLBACK, 'injected: the transaction is rolled back'); END;
CREATE TRIGGER fault_commit AFTER INSERT ON revisions WHEN NEW.value = 777
BEGIN INSERT INTO fault_child VALUES (1); END;`

const (
	failsStatement   = 666
	failsTransaction = 667
	failsCommit      = 777
)

// otherProcess is a connection of its own to the database file, as another
// process would have.
func otherProcess(t *testing.T, path string) *sql.Conn {
	t.Helper()
	pool, err := sql.Open("sqlite3", path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	conn, err := pool.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// call is one Submit of a batch and its answer.
type call struct {
	subs   []Submission
	cancel bool // its context is cancelled while it waits in the queue
	out    []Outcome
	err    error
}

// inOneBatch makes the writer commit calls in one group commit, in order.
// Another connection holds the write lock; a plug request is handed to
// the writer, which blocks on BEGIN; the calls queue up behind it (and
// the cancelled ones are cancelled there); the lock is released and the
// writer takes all of them at once.
func inOneBatch(t *testing.T, db *DB, plug plan.Period, calls []*call) {
	t.Helper()
	// A commit of one request first: after it the writer does not wait
	// for company (see writer), so the plug goes to BEGIN alone.
	submit(t, db, Submission{Target: "plug", Period: plug, Value: 0})
	lock := otherProcess(t, db.Path())
	if _, err := lock.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	plugReq := &request{ctx: context.Background(), who: clerk, subs: []Submission{{Target: "plug", Period: plug, Value: 1, Note: "plug"}}, done: make(chan reply, 1)}
	db.queue <- plugReq
	waitQueue(t, db, 0)
	// Give the writer ample time to be blocked on BEGIN.
	time.Sleep(20 * time.Millisecond)
	var wg sync.WaitGroup
	cancels := make([]context.CancelFunc, len(calls))
	for i, c := range calls {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.out, c.err = db.Submit(ctx, clerk, c.subs, SubmitOptions{})
		}()
		waitQueue(t, db, i+1) // keeps the calls in order
	}
	for i, c := range calls {
		if c.cancel {
			cancels[i]()
		}
	}
	if _, err := lock.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for _, cancel := range cancels {
		cancel()
	}
	if r := <-plugReq.done; r.err != nil {
		t.Fatalf("the plug request failed: %v", r.err)
	}
}

func waitQueue(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(db.queue) != n {
		if time.Now().After(deadline) {
			t.Fatalf("queue holds %d requests, want %d", len(db.queue), n)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// currentValues reads each period's current value and revision count with
// a reader of its own, not through the store.
func currentValues(t *testing.T, path string) map[curKey][2]float64 {
	t.Helper()
	rows, err := openReadOnly(t, path).Query(`SELECT target, period, value, n FROM
		(SELECT target, period, value, revision, count(*) OVER (PARTITION BY target, period) AS n,
			max(revision) OVER (PARTITION BY target, period) AS top FROM revisions)
		WHERE revision = top AND target != 'plug'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[curKey][2]float64{}
	for rows.Next() {
		var target, period string
		var v, n float64
		if err := rows.Scan(&target, &period, &v, &n); err != nil {
			t.Fatal(err)
		}
		m, err := plan.ParsePeriod(period)
		if err != nil {
			t.Fatal(err)
		}
		out[curKey{target, m}] = [2]float64{v, n}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func month(m int) plan.Period { return plan.Period{Year: 2019, Month: time.Month(m)} }

func one(target string, m int, v float64) []Submission {
	return []Submission{{Target: target, Period: month(m), Value: v, Note: "fault test"}}
}

// Answers a call may get.
const (
	acked     = "acknowledged"
	failed    = "failed"    // an internal error: the batch could not be stored
	refused   = "refused"   // plan.Problems about its own figures
	cancelled = "cancelled" // context.Canceled
)

func answer(err error) string {
	var ps plan.Problems
	switch {
	case err == nil:
		return acked
	case errors.Is(err, context.Canceled):
		return cancelled
	case errors.As(err, &ps):
		return refused
	}
	return failed
}

// TestGroupCommitFailures runs batches through the real writer and real
// SQLite, with faults raised by triggers. Whatever fails, a submitter is
// acknowledged only if its figures are committed, progress (OnCommit)
// sees only committed revisions, and afterwards the writer numbers the
// next revision of every period it touched from what is really stored.
func TestGroupCommitFailures(t *testing.T) {
	path := t.TempDir() + "/tw.db"
	db := open(t, path)
	if _, err := otherProcess(t, path).ExecContext(context.Background(), faultSQL); err != nil {
		t.Fatal(err)
	}
	// Periods with stored revisions, which some batches correct. Each
	// period appears at most once in a batch, so its stored value tells
	// what that one call did.
	submit(t, db, Submission{Target: "seeded", Period: month(1), Value: 10}, Submission{Target: "seeded", Period: month(2), Value: 20})
	submit(t, db, Submission{Target: "seeded", Period: month(1), Value: 11, Note: "first correction"})
	var mu sync.Mutex
	var hooked []plan.Report
	db.OnCommit(func(rs []plan.Report) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range rs {
			if r.Target != "plug" {
				hooked = append(hooked, r)
			}
		}
	})
	correct := func(v float64) []Submission {
		return []Submission{{Target: "seeded", Period: month(1), Value: v, Note: "a correction"}}
	}
	noNote := []Submission{{Target: "seeded", Period: month(2), Value: 99}}

	for i, c := range []struct {
		name  string
		calls []*call
		want  []string
	}{
		{
			"a statement that fails fails every request of its batch, also those applied before it",
			[]*call{
				{subs: one("a", 1, 1)},
				{subs: append(one("a", 2, 2), one("a", 3, 3)...)},
				{subs: correct(12)},
				{subs: one("a", 4, failsStatement)},
				{subs: one("a", 5, 5)},
			},
			[]string{failed, failed, failed, failed, failed},
		},
		{
			"a transaction rolled back under the writer fails every request of its batch",
			[]*call{
				{subs: one("b", 1, 1)},
				{subs: append(one("b", 2, 2), one("b", 3, failsTransaction)...)},
				{subs: one("b", 4, 4)},
			},
			[]string{failed, failed, failed},
		},
		{
			"a failed commit fails every request that had succeeded and keeps the others' own answers",
			[]*call{
				{subs: one("c", 1, 1)},
				{subs: correct(13)},
				{subs: noNote},
				{subs: one("c", 2, 2), cancel: true},
				{subs: append(one("c", 3, 3), one("c", 4, failsCommit)...)},
			},
			[]string{failed, failed, refused, cancelled, failed},
		},
		{
			"a request cancelled while queued is skipped and the rest of its batch committed",
			[]*call{
				{subs: one("d", 1, 1)},
				{subs: one("d", 2, 2), cancel: true},
				{subs: correct(14)},
				{subs: append(one("d", 3, 3), one("d", 4, 4)...), cancel: true},
				{subs: noNote},
				{subs: append(one("d", 5, 5), one("d", 6, 6)...)},
			},
			[]string{acked, cancelled, acked, cancelled, refused, acked},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := currentValues(t, path)
			mu.Lock()
			hooked = nil
			mu.Unlock()
			inOneBatch(t, db, month(i+1), c.calls)
			after := currentValues(t, path)
			var wantHooked []string
			for j, cl := range c.calls {
				if got := answer(cl.err); got != c.want[j] {
					t.Errorf("call %d: got %s (%v), want %s", j, got, cl.err, c.want[j])
				}
				for _, s := range cl.subs {
					k := curKey{s.Target, s.Period}
					was, now := before[k], after[k]
					switch {
					case cl.err == nil && now[0] != s.Value:
						t.Errorf("call %d: %s %s acknowledged as %v, stored %v", j, s.Target, s.Period, s.Value, now[0])
					case cl.err != nil && now != was:
						t.Errorf("call %d: %s %s not acknowledged (%v), but stored changed from %v to %v", j, s.Target, s.Period, cl.err, was, now)
					}
					if cl.err == nil {
						wantHooked = append(wantHooked, fmt.Sprintf("%s %s %v", s.Target, s.Period, s.Value))
					}
				}
			}
			mu.Lock()
			var gotHooked []string
			for _, r := range hooked {
				gotHooked = append(gotHooked, fmt.Sprintf("%s %s %v", r.Target, r.Period, r.Value))
			}
			mu.Unlock()
			if fmt.Sprint(gotHooked) != fmt.Sprint(wantHooked) {
				t.Errorf("OnCommit saw %v, want exactly the acknowledged %v", gotHooked, wantHooked)
			}
			afterwards(t, db, path, c.calls)
		})
	}
}

// afterwards submits a new value for every period the calls touched, one
// at a time: each must be the next revision of what is really stored (1
// for a period still empty), and the file's numbering must stay 1..n.
func afterwards(t *testing.T, db *DB, path string, calls []*call) {
	t.Helper()
	stored := currentValues(t, path)
	for _, cl := range calls {
		for _, s := range cl.subs {
			k := curKey{s.Target, s.Period}
			want := int(stored[k][1]) + 1
			out, err := db.Submit(context.Background(), clerk, []Submission{{Target: s.Target, Period: s.Period, Value: 1000 + float64(want), Note: "afterwards"}}, SubmitOptions{})
			if err != nil {
				t.Errorf("afterwards, %s %s: %v", s.Target, s.Period, err)
				continue
			}
			if out[0].Report.Revision != want {
				t.Errorf("afterwards, %s %s: revision %d, want %d (%v stored)", s.Target, s.Period, out[0].Report.Revision, want, stored[k][1])
			}
			stored[k] = [2]float64{1000 + float64(want), float64(want)}
		}
	}
	assertGapless(t, path)
}

// TestLockedDatabaseFailsEveryWaitingSubmitter: when another process
// holds the write lock past the busy timeout, BEGIN fails, and every
// request waiting in that batch gets the error; nothing is stored, and
// once the lock is gone the same figures are stored as revision 1.
func TestLockedDatabaseFailsEveryWaitingSubmitter(t *testing.T) {
	path := t.TempDir() + "/tw.db"
	db := open(t, path)
	// The service waits 5 s; a shorter wait on the writer's one connection
	// keeps the test quick.
	if _, err := db.w.Exec("PRAGMA busy_timeout = 300"); err != nil {
		t.Fatal(err)
	}
	lock := otherProcess(t, path)
	if _, err := lock.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = db.Submit(context.Background(), clerk, one("e", i+1, float64(i)), SubmitOptions{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if answer(err) != failed {
			t.Errorf("submitter %d: got %v, want the busy database's error", i, err)
		}
	}
	if _, err := lock.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if n := len(currentValues(t, path)); n != 0 {
		t.Errorf("%d periods stored while the lock was held, want 0", n)
	}
	for i := range errs {
		out := submit(t, db, one("e", i+1, float64(i))...)
		if out[0].Result != Created || out[0].Report.Revision != 1 {
			t.Errorf("after the lock, e %s: got %s revision %d, want created revision 1", month(i+1), out[0].Result, out[0].Report.Revision)
		}
	}
}
