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
	Received  time.Time // commit time
}
