package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

const (
	revisionColumns = `target, period, revision, value, note, agency, token_id, token_name, received`
	figureColumns   = `target, period, revision, value, received`
)

// History returns every revision of every period of one target, ordered by
// period and revision. A target with no figures has an empty history.
func (db *DB) History(ctx context.Context, target string) ([]plan.Report, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+revisionColumns+` FROM revisions
		WHERE target = ? ORDER BY period, revision`, target)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", target, classify(err))
	}
	defer rows.Close()
	var out []plan.Report
	sc := newScanner()
	for rows.Next() {
		r, err := sc.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", target, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history of %s: %w", target, classify(err))
	}
	return out, nil
}

// ForEachRevision calls fn with every stored revision, in commit order (so
// the revisions of one period arrive in revision order), streaming rather
// than loading the table. It stops at fn's first error and returns it.
// Strings repeated across rows (target, agency, token name) share memory.
func (db *DB) ForEachRevision(ctx context.Context, fn func(plan.Report) error) error {
	return db.forEach(ctx, `SELECT `+revisionColumns+` FROM revisions ORDER BY id`, (*scanner).fromValues, fn)
}

// ForEachFigure is ForEachRevision for computing progress: each report
// carries only its Target, Period, Revision, Value and Received. Leaving
// out the note, agency and token columns halves the cost of reading a
// province's million revisions at start (0.5 s instead of 0.9 s).
func (db *DB) ForEachFigure(ctx context.Context, fn func(plan.Report) error) error {
	return db.forEach(ctx, `SELECT `+figureColumns+` FROM revisions ORDER BY id`, (*scanner).figureFromValues, fn)
}

// forEach runs query and calls fn with each row decoded by decode.
//
// It runs at every start over the whole table (a million rows for a
// province), so it reads the driver's rows directly: database/sql's
// per-row conversions and per-row cancellation checks cost as much as
// SQLite itself. ctx is checked every few thousand rows instead.
func (db *DB) forEach(ctx context.Context, query string, decode func(*scanner, []driver.Value) (plan.Report, error), fn func(plan.Report) error) error {
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return fmt.Errorf("read revisions: %w", classify(err))
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return fmt.Errorf("driver %T cannot query", dc)
		}
		rows, err := qc.QueryContext(context.Background(), query, nil)
		if err != nil {
			return classify(err)
		}
		defer rows.Close()
		sc := newScanner()
		dest := make([]driver.Value, len(rows.Columns()))
		for n := 0; ; n++ {
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := rows.Next(dest); err == io.EOF {
				return nil
			} else if err != nil {
				return classify(err)
			}
			r, err := decode(sc, dest)
			if err != nil {
				return err
			}
			if err := fn(r); err != nil {
				return errStop{err}
			}
		}
	})
	var stop errStop
	if errors.As(err, &stop) {
		return stop.err
	}
	if err != nil {
		return fmt.Errorf("read revisions: %w", err)
	}
	return nil
}

// errStop carries fn's error through conn.Raw unwrapped.
type errStop struct{ err error }

func (e errStop) Error() string { return e.err.Error() }

// Revisions returns every stored revision in commit order; see
// ForEachRevision.
func (db *DB) Revisions(ctx context.Context) ([]plan.Report, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM revisions`).Scan(&n); err != nil {
		return nil, fmt.Errorf("count revisions: %w", classify(err))
	}
	out := make([]plan.Report, 0, n)
	err := db.ForEachRevision(ctx, func(r plan.Report) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// scanner decodes revision rows, interning the strings that repeat.
type scanner struct {
	intern  map[string]string
	target  sql.RawBytes
	period  sql.RawBytes
	agency  sql.RawBytes
	tname   sql.RawBytes
	tokenID sql.NullInt64
}

func newScanner() *scanner {
	return &scanner{intern: map[string]string{}}
}

// str is intern1 for bytes the driver will reuse: a hit costs no copy.
func (s *scanner) str(b []byte) string {
	if v, ok := s.intern[string(b)]; ok {
		return v
	}
	return s.intern1(string(b))
}

// fromValues decodes a row read from the driver in revisionColumns order.
func (s *scanner) fromValues(v []driver.Value) (plan.Report, error) {
	r, err := figure(v[0], v[1], v[2], v[3], v[8])
	if err != nil {
		return r, err
	}
	r.Target = s.intern1(r.Target)
	r.Note, _ = v[4].(string)
	agency, _ := v[5].(string)
	r.Agency = s.intern1(agency)
	r.TokenID, _ = v[6].(int64)
	tname, _ := v[7].(string)
	r.TokenName = s.intern1(tname)
	return r, nil
}

// figureFromValues decodes a row read in figureColumns order. Its target
// is not interned: progress only looks it up, and a million lookups in the
// intern map cost more than the strings they would save.
func (s *scanner) figureFromValues(v []driver.Value) (plan.Report, error) {
	return figure(v[0], v[1], v[2], v[3], v[4])
}

// figure decodes the columns every revision row has. The period is parsed
// every time: that is cheaper than looking it up.
func figure(target, period, revision, value, received driver.Value) (plan.Report, error) {
	var r plan.Report
	t, ok1 := target.(string)
	ps, ok2 := period.(string)
	rev, ok3 := revision.(int64)
	f, ok4 := asFloat(value)
	recv, ok5 := received.(int64)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return r, fmt.Errorf("stored revision has unexpected column types %T %T %T %T %T", target, period, revision, value, received)
	}
	m, err := plan.ParsePeriod(ps)
	if err != nil {
		return r, fmt.Errorf("stored revision of %s: %w", t, err)
	}
	r.Target = t
	r.Period = m
	r.Revision = int(rev)
	r.Value = f
	r.Received = time.Unix(0, recv)
	return r, nil
}

// asFloat reads a REAL column; SQLite hands back integral values stored
// in a REAL column as REAL, but be lenient with INTEGER too.
func asFloat(v driver.Value) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	}
	return 0, false
}

func (s *scanner) intern1(v string) string {
	if w, ok := s.intern[v]; ok {
		return w
	}
	if len(s.intern) < 1<<20 {
		s.intern[v] = v
	}
	return v
}

func (s *scanner) scan(rows *sql.Rows) (plan.Report, error) {
	var r plan.Report
	var received int64
	if err := rows.Scan(&s.target, &s.period, &r.Revision, &r.Value, &r.Note, &s.agency, &s.tokenID, &s.tname, &received); err != nil {
		return r, classify(err)
	}
	m, err := plan.ParsePeriod(string(s.period))
	if err != nil {
		return r, fmt.Errorf("stored revision of %s: %w", s.target, err)
	}
	r.Target = s.str(s.target)
	r.Period = m
	r.Agency = s.str(s.agency)
	r.TokenName = s.str(s.tname)
	r.TokenID = s.tokenID.Int64
	r.Received = time.Unix(0, received)
	return r, nil
}
