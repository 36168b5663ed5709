package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

var (
	march = plan.Period{Year: 2019, Month: time.March}
	april = plan.Period{Year: 2019, Month: time.April}
	clerk = plan.Principal{Name: "water-clerk", Agency: "water", Role: plan.RoleAgency}
)

func open(t testing.TB, path string) *DB {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "sub", "tw.db")
	}
	clock := time.Date(2019, 4, 12, 9, 0, 0, 0, time.UTC)
	db, err := Open(context.Background(), path, WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func submit(t testing.TB, db *DB, subs ...Submission) []Outcome {
	t.Helper()
	out, err := db.Submit(context.Background(), clerk, subs, SubmitOptions{})
	if err != nil {
		t.Fatalf("Submit(%+v): %v", subs, err)
	}
	return out
}

func TestSubmitRevisions(t *testing.T) {
	db := open(t, "")
	ctx := context.Background()
	var hooked []plan.Report
	db.OnCommit(func(rs []plan.Report) { hooked = append(hooked, rs...) })

	steps := []struct {
		name    string
		sub     Submission
		want    Result
		wantRev int
		wantErr plan.ErrorKind
	}{
		{"a new period is created as revision 1", Submission{Target: "roads", Period: march, Value: 3}, Created, 1, 0},
		{"the same value again changes nothing", Submission{Target: "roads", Period: march, Value: 3, Note: "retry"}, Unchanged, 1, 0},
		{"a different value without a note is refused", Submission{Target: "roads", Period: march, Value: 4}, "", 0, plan.KindInvalid},
		{"a blank note does not count as a reason", Submission{Target: "roads", Period: march, Value: 4, Note: "  "}, "", 0, plan.KindInvalid},
		{"a correction with a note is revision 2", Submission{Target: "roads", Period: march, Value: 4, Note: "统计口径调整"}, Corrected, 2, 0},
		{"If-Match on the old revision fails", Submission{Target: "roads", Period: march, Value: 5, Note: "x", IfMatch: 1}, "", 0, plan.KindConflict},
		{"If-Match on the current revision passes", Submission{Target: "roads", Period: march, Value: 5, Note: "x", IfMatch: 2}, Corrected, 3, 0},
		{"If-Match * on an empty period fails", Submission{Target: "roads", Period: april, Value: 1, IfMatch: AnyRevision}, "", 0, plan.KindConflict},
		{"a locked period refuses a change", Submission{Target: "roads", Period: march, Value: 6, Note: "late", Locked: true}, "", 0, plan.KindLocked},
		{"a locked period still answers a retry as unchanged", Submission{Target: "roads", Period: march, Value: 5, Locked: true}, Unchanged, 3, 0},
	}
	for _, s := range steps {
		out, err := db.Submit(ctx, clerk, []Submission{s.sub}, SubmitOptions{})
		if s.wantErr != 0 {
			var ps plan.Problems
			if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Err.Kind != s.wantErr {
				t.Errorf("%s: got error %v, want one problem of kind %d", s.name, err, s.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: got error %v", s.name, err)
			continue
		}
		if out[0].Result != s.want || out[0].Report.Revision != s.wantRev {
			t.Errorf("%s: got %s revision %d, want %s revision %d", s.name, out[0].Result, out[0].Report.Revision, s.want, s.wantRev)
		}
	}
	hist, err := db.History(ctx, "roads")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range hist {
		got = append(got, fmt.Sprintf("%s r%d %v %q %s", r.Period, r.Revision, r.Value, r.Note, r.TokenName))
	}
	want := []string{`2019-03 r1 3 "" water-clerk`, `2019-03 r2 4 "统计口径调整" water-clerk`, `2019-03 r3 5 "x" water-clerk`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("history:\ngot  %q\nwant %q", got, want)
	}
	if len(hooked) != 3 {
		t.Errorf("commit hook saw %d revisions, want 3", len(hooked))
	}
}

// The refusal of a correction without a note names both figures in their
// shortest form: a figure stored with float noise (as the demo once did)
// reads as the bureau typed it.
func TestCorrectionWithoutNoteNamesFiguresShortly(t *testing.T) {
	db := open(t, "")
	submit(t, db, Submission{Target: "roads", Period: march, Value: 1.4000000000000001})                                                          // 14·0.1 at run time
	_, err := db.Submit(context.Background(), clerk, []Submission{{Target: "roads", Period: march, Value: 0.30000000000000004}}, SubmitOptions{}) // 0.1+0.2 at run time
	if want := "changing roads 2019-03 from 1.4 to 0.3 is a correction"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want it to contain %q", err, want)
	}
}

func TestSubmitBatchIsAllOrNothing(t *testing.T) {
	db := open(t, "")
	ctx := context.Background()
	submit(t, db, Submission{Target: "roads", Period: march, Value: 3})
	_, err := db.Submit(ctx, clerk, []Submission{
		{Target: "roads", Period: april, Value: 1, Line: 2},
		{Target: "roads", Period: march, Value: 9, Line: 3},             // correction without note
		{Target: "parks", Period: march, Value: 2, Line: 4},             // fine
		{Target: "parks", Period: march, Value: 7, Line: 5},             // corrects line 4 without a note
		{Target: "roads", Period: april, Value: 1, Line: 6},             // repeats line 2: unchanged
		{Target: "roads", Period: march, Value: 9, Line: 7, IfMatch: 5}, // wrong revision
	}, SubmitOptions{})
	var ps plan.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("got %v, want plan.Problems", err)
	}
	var lines []int
	for _, p := range ps {
		lines = append(lines, p.Line)
	}
	if fmt.Sprint(lines) != "[3 5 7]" {
		t.Errorf("bad lines: got %v, want [3 5 7] (%v)", lines, err)
	}
	revs, err := db.Revisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 1 {
		t.Errorf("after a rejected batch: got %d revisions, want 1", len(revs))
	}
}

func TestDryRunStoresNothing(t *testing.T) {
	db := open(t, "")
	out, err := db.Submit(context.Background(), clerk, []Submission{{Target: "roads", Period: march, Value: 3}}, SubmitOptions{DryRun: true})
	if err != nil || out[0].Result != Created {
		t.Fatalf("dry run: got %v %v, want created", out, err)
	}
	revs, _ := db.Revisions(context.Background())
	if len(revs) != 0 {
		t.Errorf("dry run stored %d revisions, want 0", len(revs))
	}
}

func TestConcurrentSubmitsNumberRevisionsOnce(t *testing.T) {
	db := open(t, "")
	ctx := context.Background()
	submit(t, db, Submission{Target: "roads", Period: march, Value: 0})
	var wg sync.WaitGroup
	const n = 40
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.Submit(ctx, clerk, []Submission{
				{Target: "roads", Period: march, Value: float64(i + 1), Note: "concurrent"},
				{Target: fmt.Sprintf("t%d", i), Period: march, Value: 1},
			}, SubmitOptions{})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	hist, err := db.History(ctx, "roads")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != n+1 {
		t.Fatalf("got %d revisions, want %d", len(hist), n+1)
	}
	for i, r := range hist {
		if r.Revision != i+1 {
			t.Errorf("revision %d: got number %d", i, r.Revision)
		}
	}
}

func TestRevisionsAreAppendOnly(t *testing.T) {
	db := open(t, "")
	submit(t, db, Submission{Target: "roads", Period: march, Value: 3})
	for _, q := range []string{`UPDATE revisions SET value = 4`, `DELETE FROM revisions`} {
		if _, err := db.w.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want the append-only trigger to refuse", q, err)
		}
	}
}

func TestReopenKeepsDataAndMigrationsAreIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tw.db")
	db := open(t, path)
	submit(t, db, Submission{Target: "roads", Period: march, Value: 3, Note: "首次"})
	db.Close()
	db = open(t, path)
	revs, err := db.Revisions(context.Background())
	if err != nil || len(revs) != 1 || revs[0].Note != "首次" || revs[0].Value != 3 {
		t.Errorf("after reopening: got %+v %v, want the one revision", revs, err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tw.db")
	db := open(t, path)
	db.Close()
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, err = Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "newer than this targetwatch understands") {
		t.Errorf("got %v, want a refusal naming the newer schema", err)
	}
}

func TestTokens(t *testing.T) {
	db := open(t, "")
	ctx := context.Background()
	tok, secret, err := db.IssueToken(ctx, "", "water", plan.RoleAgency)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) < len(TokenPrefix)+22 {
		t.Errorf("secret %q: want the prefix and at least 128 bits", secret)
	}
	p, err := db.Authenticate(ctx, secret)
	if err != nil || p.TokenID != tok.ID || p.Agency != "water" || p.Role != plan.RoleAgency || p.Name != "water-agency" {
		t.Errorf("Authenticate: got %+v %v, want token %d of water", p, err, tok.ID)
	}
	for _, bad := range []string{"", "tw_", secret + "x", strings.ToUpper(secret), "Bearer " + secret} {
		if _, err := db.Authenticate(ctx, bad); plan.KindOf(err) != plan.KindUnauthenticated {
			t.Errorf("Authenticate(%q): got %v, want unauthenticated", bad, err)
		}
	}
	if _, _, err := db.IssueToken(ctx, "x", "", plan.RoleAgency); plan.KindOf(err) != plan.KindInvalid {
		t.Errorf("agency token without agency: got %v, want invalid", err)
	}
	if _, _, err := db.IssueToken(ctx, "x", "", "root"); plan.KindOf(err) != plan.KindInvalid {
		t.Errorf("unknown role: got %v, want invalid", err)
	}
	if _, _, err := db.IssueToken(ctx, "clerk\u0085", "", plan.RoleAdmin); plan.KindOf(err) != plan.KindInvalid || !strings.Contains(err.Error(), "name: must not contain") {
		t.Errorf("a name with a C1 control: got %v, want invalid naming the name", err)
	}
	if err := db.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, secret); plan.KindOf(err) != plan.KindUnauthenticated {
		t.Errorf("revoked token: got %v, want unauthenticated", err)
	}
	if err := db.RevokeToken(ctx, 999); plan.KindOf(err) != plan.KindNotFound {
		t.Errorf("revoking an unknown token: got %v, want not found", err)
	}
	list, err := db.Tokens(ctx)
	if err != nil || len(list) != 1 || list[0].Revoked.IsZero() {
		t.Errorf("Tokens: got %+v %v, want one revoked token", list, err)
	}
}

// TestAnotherProcessWritingIsSeen: the writer's cache of current revisions
// must notice commits made through another connection (another process,
// such as a demo import), or it would number revisions twice.
func TestAnotherProcessWritingIsSeen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tw.db")
	a, b := open(t, path), open(t, path)
	submit(t, a, Submission{Target: "roads", Period: march, Value: 1})
	submit(t, b, Submission{Target: "roads", Period: march, Value: 2, Note: "from the other process"})
	out := submit(t, a, Submission{Target: "roads", Period: march, Value: 2})
	if out[0].Result != Unchanged || out[0].Report.Revision != 2 {
		t.Errorf("resending the other process's value: got %s revision %d, want unchanged revision 2", out[0].Result, out[0].Report.Revision)
	}
	out = submit(t, a, Submission{Target: "roads", Period: march, Value: 3, Note: "again"})
	if out[0].Result != Corrected || out[0].Report.Revision != 3 {
		t.Errorf("correcting after the other process: got %s revision %d, want corrected revision 3", out[0].Result, out[0].Report.Revision)
	}
}

func TestForEachRevisionStopsAtTheFirstError(t *testing.T) {
	db := open(t, "")
	for i := range 3 {
		submit(t, db, Submission{Target: fmt.Sprintf("t%d", i), Period: march, Value: float64(i), Note: "说明"})
	}
	stop := errors.New("stop here")
	var seen []string
	err := db.ForEachRevision(context.Background(), func(r plan.Report) error {
		seen = append(seen, fmt.Sprintf("%s %s %v %q %s", r.Target, r.Period, r.Value, r.Note, r.TokenName))
		if len(seen) == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("got %v, want fn's error", err)
	}
	want := `[t0 2019-03 0 "说明" water-clerk t1 2019-03 1 "说明" water-clerk]`
	if got := fmt.Sprint(seen); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.ForEachRevision(ctx, func(plan.Report) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled context: got %v, want context.Canceled", err)
	}
}

// ForEachFigure gives what ForEachRevision gives, less the columns
// progress does not need.
func TestForEachFigure(t *testing.T) {
	db := open(t, "")
	submit(t, db, Submission{Target: "roads", Period: march, Value: 1.5, Note: "初报"})
	submit(t, db, Submission{Target: "parks", Period: march, Value: 7})
	submit(t, db, Submission{Target: "roads", Period: march, Value: 2.25, Note: "更正"})
	var want, got []plan.Report
	if err := db.ForEachRevision(context.Background(), func(r plan.Report) error {
		r.Note, r.Agency, r.TokenID, r.TokenName = "", "", 0, ""
		want = append(want, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.ForEachFigure(context.Background(), func(r plan.Report) error {
		got = append(got, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(want) != 3 || want[2].Revision != 2 || want[2].Value != 2.25 || want[2].Received.IsZero() {
		t.Fatalf("ForEachRevision: got %+v", want)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ForEachFigure:\n got %+v\nwant %+v", got, want)
	}
}

func TestSubmitDuringCloseNeverHangs(t *testing.T) {
	db := open(t, "")
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.Submit(context.Background(), clerk, []Submission{{Target: fmt.Sprintf("t%d", i), Period: march, Value: 1}}, SubmitOptions{})
			if err != nil && !errors.Is(err, ErrClosed) {
				t.Errorf("got %v, want success or ErrClosed", err)
			}
		}()
	}
	db.Close()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Submit still waiting 10 s after Close")
	}
}

// TestPeriodsUnknownToTheWriter: after a restart the writer's cache is
// empty, so figures for stored periods take the path that first tries
// revision 1; they must still be answered as unchanged or corrections.
func TestPeriodsUnknownToTheWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tw.db")
	db := open(t, path)
	submit(t, db, Submission{Target: "roads", Period: march, Value: 1}, Submission{Target: "parks", Period: march, Value: 1})
	db.Close()
	db = open(t, path)
	steps := []struct {
		name string
		sub  Submission
		want Result
		rev  int
		kind plan.ErrorKind
	}{
		{"the stored value again is unchanged", Submission{Target: "roads", Period: march, Value: 1}, Unchanged, 1, 0},
		{"another value without a note is refused", Submission{Target: "parks", Period: march, Value: 2}, "", 0, plan.KindInvalid},
		{"another value with a note is revision 2", Submission{Target: "parks", Period: march, Value: 2, Note: "更正"}, Corrected, 2, 0},
		{"a new period is revision 1", Submission{Target: "parks", Period: april, Value: 2}, Created, 1, 0},
	}
	for _, s := range steps {
		out, err := db.Submit(context.Background(), clerk, []Submission{s.sub}, SubmitOptions{})
		if s.kind != 0 {
			var ps plan.Problems
			if !errors.As(err, &ps) || ps[0].Err.Kind != s.kind {
				t.Errorf("%s: got %v, want kind %d", s.name, err, s.kind)
			}
			continue
		}
		if err != nil || out[0].Result != s.want || out[0].Report.Revision != s.rev {
			t.Errorf("%s: got %+v %v, want %s revision %d", s.name, out, err, s.want, s.rev)
		}
	}
	revs, _ := db.Revisions(context.Background())
	if len(revs) != 4 {
		t.Errorf("got %d revisions, want 4", len(revs))
	}
}

func TestConnectionsAreDurable(t *testing.T) {
	db := open(t, "")
	for name, pool := range map[string]*sql.DB{"writer": db.w, "reader": db.r} {
		var mode string
		var sync, fk, busy int
		for q, dst := range map[string]any{"PRAGMA journal_mode": &mode, "PRAGMA synchronous": &sync, "PRAGMA foreign_keys": &fk, "PRAGMA busy_timeout": &busy} {
			if err := pool.QueryRow(q).Scan(dst); err != nil {
				t.Fatalf("%s %s: %v", name, q, err)
			}
		}
		// synchronous 2 is FULL: every commit is fsynced before Submit returns.
		if mode != "wal" || sync != 2 || fk != 1 || busy != 5000 {
			t.Errorf("%s connection: got journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d, want wal 2 1 5000", name, mode, sync, fk, busy)
		}
	}
}

// Submit checks the submitter's token inside its own transaction, so a
// token revoked by another process (the token command) stores nothing
// from the moment the revocation is committed, even when the caller was
// let in by AuthenticateCached before anyone noticed.
func TestSubmitChecksTheTokenInItsTransaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tw.db")
	db, cli := open(t, path), open(t, path)
	ctx := context.Background()
	tok, secret, err := db.IssueToken(ctx, "water-clerk", "water", plan.RoleAgency)
	if err != nil {
		t.Fatal(err)
	}
	who, err := db.AuthenticateCached(ctx, secret)
	if err != nil || who.TokenID != tok.ID {
		t.Fatalf("AuthenticateCached: got %+v %v", who, err)
	}
	sub := func(who plan.Principal, m plan.Period) error {
		_, err := db.Submit(ctx, who, []Submission{{Target: "roads", Period: m, Value: 1}}, SubmitOptions{})
		return err
	}
	if err := sub(who, march); err != nil {
		t.Fatalf("a valid token: %v", err)
	}

	// Revoked through another handle, as by another process.
	if err := cli.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, secret); plan.KindOf(err) != plan.KindUnauthenticated {
		t.Errorf("Authenticate after the revocation: got %v, want unauthenticated", err)
	}
	if err := sub(who, april); plan.KindOf(err) != plan.KindUnauthenticated {
		t.Errorf("Submit after the revocation: got %v, want unauthenticated", err)
	}
	if _, err := db.AuthenticateCached(ctx, secret); plan.KindOf(err) != plan.KindUnauthenticated {
		t.Errorf("AuthenticateCached once the writer has seen the revocation: got %v, want unauthenticated", err)
	}
	if h, _ := db.History(ctx, "roads"); len(h) != 1 {
		t.Errorf("got %d revisions stored, want only the one before the revocation", len(h))
	}

	// Revoked through the same handle, while cached.
	tok2, secret2, err := db.IssueToken(ctx, "water-clerk-2", "water", plan.RoleAgency)
	if err != nil {
		t.Fatal(err)
	}
	who2, err := db.AuthenticateCached(ctx, secret2)
	if err != nil {
		t.Fatal(err)
	}
	if err := sub(who2, april); err != nil {
		t.Fatalf("second token: %v", err)
	}
	if err := db.RevokeToken(ctx, tok2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AuthenticateCached(ctx, secret2); plan.KindOf(err) != plan.KindUnauthenticated {
		t.Errorf("AuthenticateCached after a revocation on the same handle: got %v, want unauthenticated", err)
	}
	if err := sub(who2, plan.Period{Year: 2019, Month: time.May}); plan.KindOf(err) != plan.KindUnauthenticated {
		t.Errorf("Submit after a revocation on the same handle: got %v, want unauthenticated", err)
	}

	// A principal that is not what its token says is refused too.
	_, secret3, err := db.IssueToken(ctx, "supervisor", "", plan.RoleSupervisor)
	if err != nil {
		t.Fatal(err)
	}
	who3, err := db.Authenticate(ctx, secret3)
	if err != nil {
		t.Fatal(err)
	}
	forged := who3
	forged.Role = plan.RoleAdmin
	if err := sub(forged, april); plan.KindOf(err) != plan.KindUnauthenticated {
		t.Errorf("a principal claiming another role: got %v, want unauthenticated", err)
	}
	if h, _ := db.History(ctx, "roads"); len(h) != 2 {
		t.Errorf("got %d revisions stored, want 2", len(h))
	}
}
