package plan

import "time"

// Report is one revision of one month's figure for one target. Revisions are
// append-only: a correction is a new Report with the next Revision number,
// and the current figure of a period is its latest revision.
type Report struct {
	Target   string
	Period   Period
	Value    float64
	Note     string // the reason, required for a correction
	Revision int    // 1 for the first figure of a period

	Agency    string // agency of the token that submitted it
	TokenID   int64
	TokenName string
	// Received is when the figure became known: its commit time, or the
	// original date an administrator gave a figure migrated from a
	// spreadsheet. Zero means unknown (always known).
	Received time.Time
}

// KnownAt reports whether the revision had been received at t, so an
// evaluation as of t may count it. A revision without a received time is
// always known.
func (r *Report) KnownAt(t time.Time) bool {
	return r.Received.IsZero() || !r.Received.After(t)
}

// KnownAt returns the revisions of revs received at or before t, in their
// order: the history as it stood at t. revs is not modified.
func KnownAt(revs []Report, t time.Time) []Report {
	out := make([]Report, 0, len(revs))
	for i := range revs {
		if revs[i].KnownAt(t) {
			out = append(out, revs[i])
		}
	}
	return out
}
