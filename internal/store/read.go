package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

const revisionColumns = `target, period, revision, value, note, agency, token_id, token_name, received`

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
	rows, err := db.r.QueryContext(ctx, `SELECT `+revisionColumns+` FROM revisions ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read revisions: %w", classify(err))
	}
	defer rows.Close()
	sc := newScanner()
	for rows.Next() {
		r, err := sc.scan(rows)
		if err != nil {
			return fmt.Errorf("read revisions: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read revisions: %w", classify(err))
	}
	return nil
}

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
	periods map[string]plan.Period
	target  sql.RawBytes
	period  sql.RawBytes
	agency  sql.RawBytes
	tname   sql.RawBytes
	tokenID sql.NullInt64
}

func newScanner() *scanner {
	return &scanner{intern: map[string]string{}, periods: map[string]plan.Period{}}
}

func (s *scanner) str(b []byte) string {
	if v, ok := s.intern[string(b)]; ok {
		return v
	}
	v := string(b)
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
	m, ok := s.periods[string(s.period)]
	if !ok {
		var err error
		if m, err = plan.ParsePeriod(string(s.period)); err != nil {
			return r, fmt.Errorf("stored revision of %s: %w", s.target, err)
		}
		s.periods[string(s.period)] = m
	}
	r.Target = s.str(s.target)
	r.Period = m
	r.Agency = s.str(s.agency)
	r.TokenName = s.str(s.tname)
	r.TokenID = s.tokenID.Int64
	r.Received = time.Unix(0, received)
	return r, nil
}
