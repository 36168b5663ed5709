package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// ErrClosed is returned by Submit after Close.
var ErrClosed = errors.New("store closed")

// AnyRevision as Submission.IfMatch requires only that the period already
// has a figure (If-Match: *).
const AnyRevision = -1

// Submission is one figure to store. The caller has already checked what
// does not depend on stored state (the target exists and the principal may
// write it, the period is in the plan, the value fits the target); Submit
// checks what does.
type Submission struct {
	Target string
	Period plan.Period
	Value  float64
	Note   string

	// Line locates the figure in a batch for error messages; 0 means its
	// 1-based position.
	Line int

	// IfMatch, when not 0, is the revision the period's current figure must
	// have (AnyRevision: any), else the submission fails with
	// plan.KindConflict.
	IfMatch int

	// Locked refuses any new revision with plan.KindLocked; resending the
	// current value is still answered as unchanged, so retries stay
	// harmless.
	Locked bool

	// Received, when set, is stored as the revision's received time
	// instead of the commit time: the original date of a figure migrated
	// from a spreadsheet (the caller checks who may set it and that it is
	// neither in the future nor before the month began). It must not be
	// before the received time of the revision it corrects.
	Received time.Time
}

// Result says what a submission did.
type Result string

// Results of a submission.
const (
	Created   Result = "created"   // the period's first figure
	Unchanged Result = "unchanged" // same value as the current revision: nothing stored
	Corrected Result = "corrected" // a new revision of an existing figure
)

// Outcome is the result of one submission and the period's current
// revision after it.
type Outcome struct {
	Result Result
	Report plan.Report
}

// SubmitOptions modify one Submit call.
type SubmitOptions struct {
	// DryRun validates against the current state and reports what would
	// happen, storing nothing.
	DryRun bool
}

type request struct {
	ctx  context.Context
	who  plan.Principal
	subs []Submission
	opt  SubmitOptions
	done chan reply
}

type reply struct {
	out []Outcome
	err error
}

// Submit stores subs as one unit: either every figure is accepted or none
// is, and the error is then plan.Problems listing every bad one (a
// correction without a note, a failed IfMatch, a locked period). It returns
// only after the figures are durably committed (or, for a dry run,
// checked). Concurrent calls share transactions.
func (db *DB) Submit(ctx context.Context, who plan.Principal, subs []Submission, opt SubmitOptions) ([]Outcome, error) {
	if len(subs) == 0 {
		return nil, plan.Errorf(plan.KindInvalid, "reports", "no figures to store")
	}
	req := &request{ctx: ctx, who: who, subs: subs, opt: opt, done: make(chan reply, 1)}
	select {
	case db.queue <- req:
	case <-db.quit:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-req.done:
		return r.out, r.err
	case <-ctx.Done():
		// The figures may still be committed; the caller just stops waiting.
		return nil, ctx.Err()
	case <-db.stopped:
		// Enqueued as Close ran: the writer may have answered before it
		// stopped, or never seen the request.
		select {
		case r := <-req.done:
			return r.out, r.err
		default:
			return nil, ErrClosed
		}
	}
}

// writer commits queued submissions: it takes whatever is waiting, runs
// each request in one transaction (in a savepoint when a failure could
// leave part of it behind), commits once, and only then answers.
//
// A lone writer is never delayed. When the previous commit served several
// requests, their senders are likely to come back together, so the writer
// waits a little (at most half the last commit's duration, under a
// millisecond) for as many requests as the previous batch had: otherwise
// the first to return would get a commit of its own and every fsync after
// would carry half the clients.
func (db *DB) writer() {
	defer db.wg.Done()
	defer close(db.stopped)
	batch := make([]*request, 0, db.maxBatch)
	lastSize, lastDur := 0, time.Duration(0)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case r := <-db.queue:
			batch = append(batch[:0], r)
		case <-db.quit:
			db.failQueued()
			return
		}
		db.drain(&batch)
		if want := min(lastSize, db.maxBatch); want > 1 && len(batch) < want {
			timer.Reset(min(lastDur/2, time.Millisecond))
		wait:
			for len(batch) < want {
				select {
				case r := <-db.queue:
					batch = append(batch, r)
				case <-timer.C:
					break wait
				}
			}
			timer.Stop()
			db.drain(&batch)
		}
		start := time.Now()
		db.commit(batch)
		lastSize, lastDur = len(batch), time.Since(start)
	}
}

// drain adds every request already queued, up to the batch limit.
func (db *DB) drain(batch *[]*request) {
	for len(*batch) < db.maxBatch {
		select {
		case r := <-db.queue:
			*batch = append(*batch, r)
		default:
			return
		}
	}
}

func (db *DB) failQueued() {
	for {
		select {
		case r := <-db.queue:
			r.done <- reply{err: ErrClosed}
		default:
			return
		}
	}
}

type pending struct {
	req   *request
	reply reply
	revs  []plan.Report // stored by this request
}

func (db *DB) commit(batch []*request) {
	ctx := context.Background()
	ps := make([]pending, len(batch))
	for i, r := range batch {
		ps[i].req = r
	}
	fail := func(err error) {
		for i := range ps {
			if ps[i].reply.err == nil {
				ps[i].reply = reply{err: err}
			}
			ps[i].req.done <- ps[i].reply
		}
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		db.log.Error("begin transaction", "err", err)
		fail(fmt.Errorf("store: begin: %w", classify(err)))
		return
	}
	defer tx.Rollback()
	st := db.writeStmts(ctx, tx)
	if err := db.checkCache(ctx, tx); err != nil {
		fail(err)
		return
	}
	now := db.now()
	for i := range ps {
		p := &ps[i]
		if err := p.req.ctx.Err(); err != nil {
			p.reply.err = err
			continue
		}
		if err := db.checkToken(ctx, tx, p.req.who); err != nil {
			if plan.KindOf(err) != plan.KindUnauthenticated {
				fail(err)
				return
			}
			p.reply.err = err
			continue
		}
		// A single figure that fails has written nothing, so only batches
		// and dry runs need a savepoint to undo.
		savepoint := len(p.req.subs) > 1 || p.req.opt.DryRun
		if savepoint {
			if _, err := tx.ExecContext(ctx, "SAVEPOINT req"); err != nil {
				fail(fmt.Errorf("store: savepoint: %w", classify(err)))
				return
			}
		}
		out, revs, err := db.apply(ctx, st, p.req, now)
		if savepoint {
			if err != nil || p.req.opt.DryRun {
				if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO req"); rerr != nil {
					fail(fmt.Errorf("store: rollback to savepoint: %w", classify(rerr)))
					return
				}
				revs = nil
			}
			if _, err := tx.ExecContext(ctx, "RELEASE req"); err != nil {
				fail(fmt.Errorf("store: release savepoint: %w", classify(err)))
				return
			}
		} else if err != nil {
			// An insert that failed part-way (I/O) leaves the transaction
			// unusable for the others.
			var ps plan.Problems
			if !errors.As(err, &ps) {
				fail(err)
				return
			}
		}
		p.reply = reply{out: out, err: err}
		p.revs = revs
		if err == nil && !p.req.opt.DryRun {
			for k, v := range st.reqStaged {
				st.staged[k] = v
			}
		}
		clear(st.reqStaged)
	}
	var all []plan.Report
	for i := range ps {
		all = append(all, ps[i].revs...)
	}
	if len(all) > 0 {
		if err := tx.Commit(); err != nil {
			clear(db.cache)
			db.log.Error("commit", "err", err, "requests", len(ps))
			cerr := fmt.Errorf("store: commit: %w", classify(err))
			for i := range ps {
				if ps[i].reply.err == nil {
					ps[i].reply = reply{err: cerr}
				}
				ps[i].req.done <- ps[i].reply
			}
			return
		}
		if len(db.cache)+len(st.staged) > cacheLimit {
			clear(db.cache)
		}
		for k, v := range st.staged {
			db.cache[k] = v
		}
		db.hookMu.RLock()
		hook := db.onCommit
		db.hookMu.RUnlock()
		if hook != nil {
			hook(all)
		}
	}
	for i := range ps {
		ps[i].req.done <- ps[i].reply
	}
}

// writeStmts is the writer's view of one transaction: its statements and
// the current revisions it has written so far, batch-wide (staged, to
// reach the cache after the commit) and for the request being applied
// (reqStaged, dropped if the request is rolled back).
type writeStmts struct {
	current, insert   *sql.Stmt
	staged, reqStaged map[curKey]curVal
}

// writeStmts binds the writer's statements, prepared at Open on the
// single writer connection, to tx.
func (db *DB) writeStmts(ctx context.Context, tx *sql.Tx) *writeStmts {
	return &writeStmts{
		current: tx.StmtContext(ctx, db.stCurrent), insert: tx.StmtContext(ctx, db.stInsert),
		staged: map[curKey]curVal{}, reqStaged: map[curKey]curVal{},
	}
}

// The writer caches the current revision of recently written periods (and
// the absence of one), so a figure costs one INSERT instead of a query and
// an INSERT. Only the writer goroutine touches the cache. It is emptied
// whenever another connection (another process) has committed, which
// PRAGMA data_version tells, and when it outgrows cacheLimit.
type curKey struct {
	target string
	period plan.Period
}

type curVal struct {
	rep   plan.Report
	found bool
}

const cacheLimit = 1 << 16

// checkCache empties the writer's caches (current revisions, checked
// tokens) if another connection changed the database since the writer last
// looked, or a token was revoked through this DB.
func (db *DB) checkCache(ctx context.Context, tx *sql.Tx) error {
	var v int64
	if err := tx.StmtContext(ctx, db.stDataVersion).QueryRowContext(ctx).Scan(&v); err != nil {
		return fmt.Errorf("store: data_version: %w", classify(err))
	}
	if v != db.dataVersion {
		clear(db.cache)
		db.dataVersion = v
		// Another process committed: it may have revoked a token.
		db.tokenGen.Add(1)
	}
	if g := db.tokenGen.Load(); g != db.tokenOKGen {
		clear(db.tokenOK)
		db.tokenOKGen = g
	}
	return nil
}

// checkToken confirms, inside the write transaction, that who's token is
// still valid. The API authenticates submissions from a cache
// (AuthenticateCached) that may not have seen a revocation by another
// process yet; checked here, in the transaction that would store the
// figures, no figure is ever stored under a revoked token. Tokens checked
// once are remembered until the next change of generation, so on a busy
// server this costs a map lookup. TokenID 0 is an in-process caller (the
// demo, tests), not the bearer of a token.
func (db *DB) checkToken(ctx context.Context, tx *sql.Tx, who plan.Principal) error {
	if who.TokenID == 0 {
		return nil
	}
	if p, ok := db.tokenOK[who.TokenID]; ok && p == who {
		return nil
	}
	var name, agency, role string
	var revoked sql.NullInt64
	err := tx.StmtContext(ctx, db.stTokenByID).QueryRowContext(ctx, who.TokenID).Scan(&name, &agency, &role, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return errUnauthenticated
	}
	if err != nil {
		return fmt.Errorf("store: check token: %w", classify(err))
	}
	p := plan.Principal{TokenID: who.TokenID, Name: name, Agency: agency, Role: plan.Role(role)}
	if revoked.Valid || p != who {
		return errUnauthenticated
	}
	db.tokenOK[who.TokenID] = p
	return nil
}

// lookup returns the current revision of a period as this transaction
// sees it.
func (db *DB) lookup(ctx context.Context, st *writeStmts, target string, m plan.Period) (plan.Report, bool, error) {
	k := curKey{target, m}
	if v, ok := st.reqStaged[k]; ok {
		return v.rep, v.found, nil
	}
	if v, ok := st.staged[k]; ok {
		return v.rep, v.found, nil
	}
	if v, ok := db.cache[k]; ok {
		return v.rep, v.found, nil
	}
	rep, found, err := current(ctx, st.current, target, m)
	if err != nil {
		return rep, found, err
	}
	// Untouched by this batch, so what the query saw is committed.
	if len(db.cache) >= cacheLimit {
		clear(db.cache)
	}
	db.cache[k] = curVal{rep, found}
	return rep, found, nil
}

// apply checks and inserts one request's figures inside the open
// transaction; problems are collected for every figure before giving up.
func (db *DB) apply(ctx context.Context, st *writeStmts, req *request, now time.Time) ([]Outcome, []plan.Report, error) {
	out := make([]Outcome, 0, len(req.subs))
	var revs []plan.Report
	var probs plan.Problems
	for i, s := range req.subs {
		line := s.Line
		if line == 0 {
			line = i + 1
		}
		bad := func(kind plan.ErrorKind, field, format string, args ...any) {
			probs = append(probs, plan.Problem{Line: line, Err: plan.Errorf(kind, field, format, args...)})
		}
		// A period the writer knows nothing about is most likely new (the
		// month-end rush): insert revision 1 straight away and let the
		// UNIQUE constraint say otherwise, saving a query on the writer's
		// serial path. Revisions start at 1 and have no gaps, so revision 1
		// is free exactly when the period has no figure.
		at := now
		if !s.Received.IsZero() {
			at = s.Received
		}
		if s.IfMatch == 0 && !s.Locked && !db.known(st, s.Target, s.Period) {
			rev := plan.Report{
				Target: s.Target, Period: s.Period, Value: s.Value, Note: s.Note, Revision: 1,
				Agency: req.who.Agency, TokenID: req.who.TokenID, TokenName: req.who.Name, Received: at,
			}
			err := insert(ctx, st, rev)
			if err == nil {
				out = append(out, Outcome{Result: Created, Report: rev})
				revs = append(revs, rev)
				st.reqStaged[curKey{rev.Target, rev.Period}] = curVal{rev, true}
				continue
			}
			if !isUniqueViolation(err) {
				return nil, nil, err
			}
			// The period has figures: only the failed statement was undone.
		}
		cur, found, err := db.lookup(ctx, st, s.Target, s.Period)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case s.IfMatch == AnyRevision && !found:
			bad(plan.KindConflict, "If-Match", "%s %s has no figure yet", s.Target, s.Period)
			continue
		case s.IfMatch > 0 && (!found || cur.Revision != s.IfMatch):
			have := "no figure"
			if found {
				have = fmt.Sprintf("revision %d", cur.Revision)
			}
			bad(plan.KindConflict, "If-Match", "%s %s is at %s, not revision %d", s.Target, s.Period, have, s.IfMatch)
			continue
		}
		if found && cur.Value == s.Value {
			out = append(out, Outcome{Result: Unchanged, Report: cur})
			continue
		}
		if s.Locked {
			bad(plan.KindLocked, "period", "%s is locked for agencies; ask an administrator to correct it", s.Period)
			continue
		}
		rev := plan.Report{
			Target: s.Target, Period: s.Period, Value: s.Value, Note: s.Note, Revision: 1,
			Agency: req.who.Agency, TokenID: req.who.TokenID, TokenName: req.who.Name, Received: at,
		}
		res := Created
		if found {
			if strings.TrimSpace(s.Note) == "" {
				bad(plan.KindInvalid, "note", "changing %s %s from %s to %s is a correction and needs a note giving the reason",
					s.Target, s.Period, plan.FormatNumber(cur.Value), plan.FormatNumber(s.Value))
				continue
			}
			if at.Before(cur.Received) {
				// Else the correction would count before the figure it
				// corrects had arrived.
				bad(plan.KindInvalid, "received", "%s is before revision %d of %s %s was received (%s)",
					at.Format(time.RFC3339), cur.Revision, s.Target, s.Period, cur.Received.In(at.Location()).Format(time.RFC3339))
				continue
			}
			rev.Revision = cur.Revision + 1
			res = Corrected
		}
		if err := insert(ctx, st, rev); err != nil {
			return nil, nil, classify(err)
		}
		out = append(out, Outcome{Result: res, Report: rev})
		revs = append(revs, rev)
		st.reqStaged[curKey{rev.Target, rev.Period}] = curVal{rev, true}
	}
	if len(probs) > 0 {
		return nil, nil, probs
	}
	return out, revs, nil
}

// insert stores one revision.
func insert(ctx context.Context, st *writeStmts, rev plan.Report) error {
	var tokenID any
	if rev.TokenID != 0 {
		tokenID = rev.TokenID
	}
	if _, err := st.insert.ExecContext(ctx, rev.Target, rev.Period.String(), rev.Revision, rev.Value, rev.Note,
		rev.Agency, tokenID, rev.TokenName, rev.Received.UnixNano()); err != nil {
		return fmt.Errorf("store: insert revision: %w", err)
	}
	return nil
}

func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
}

// known reports whether the writer knows a period's current state without
// asking the database.
func (db *DB) known(st *writeStmts, target string, m plan.Period) bool {
	k := curKey{target, m}
	if _, ok := st.reqStaged[k]; ok {
		return true
	}
	if _, ok := st.staged[k]; ok {
		return true
	}
	_, ok := db.cache[k]
	return ok
}

func current(ctx context.Context, st *sql.Stmt, target string, m plan.Period) (plan.Report, bool, error) {
	r := plan.Report{Target: target, Period: m}
	var tokenID sql.NullInt64
	var received int64
	err := st.QueryRowContext(ctx, target, m.String()).Scan(&r.Revision, &r.Value, &r.Note, &r.Agency, &tokenID, &r.TokenName, &received)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("store: current figure: %w", classify(err))
	}
	r.TokenID = tokenID.Int64
	r.Received = time.Unix(0, received)
	return r, true, nil
}
