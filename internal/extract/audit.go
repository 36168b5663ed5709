package extract

import (
	"fmt"
	"math"
	"strings"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Coverage is how a plan's targets and ignored list account for the
// candidates of its source document.
type Coverage struct {
	// Unaccounted are quantitative candidates that are neither a target
	// (same item, same value; one candidate per target) nor ignored (same
	// item, same text).
	Unaccounted []Candidate
	// BadQuotes are targets whose quote is not verbatim in the source.
	BadQuotes []*plan.Target
	// Stale are ignored entries that name no candidate: the document or
	// the extractor changed, and the entry no longer says anything.
	Stale []plan.Ignored
	// Missed are quantity targets no candidate matches: commitments the
	// extractor does not see. Not an error of the targets file, but the
	// extractor's recall.
	Missed []*plan.Target
	// Matched counts the quantitative candidates that are targets, Ignored
	// those that are ignored.
	Matched, Ignored int
}

// Check compares a plan with the decoded text of its source document (see
// Decode). It reads nothing else and is safe for concurrent use.
func Check(p *plan.Plan, source string) Coverage {
	var cov Coverage
	cands := Extract(source)
	usedIgnore := make([]bool, len(p.Ignored))
	found := make([]bool, len(p.Targets))
	for _, c := range cands {
		if !c.Quantitative() {
			continue
		}
		// Each target accounts for one candidate, so a commitment stated
		// twice in an item ("达标率达到90%…满意率达到90%") needs two
		// targets or an ignored entry; a target whose quote holds the
		// candidate's clause is taken first.
		best := -1
		for i := range p.Targets {
			if found[i] || !matches(&p.Targets[i], &c) {
				continue
			}
			if best < 0 || (!overlaps(p.Targets[best].Quote, c.Quote) && overlaps(p.Targets[i].Quote, c.Quote)) {
				best = i
			}
		}
		matched := best >= 0
		if matched {
			found[best] = true
		}
		ignored := false
		for i, g := range p.Ignored {
			if g.Item == c.Item && g.Text == c.Text {
				ignored, usedIgnore[i] = true, true
			}
		}
		switch {
		case matched:
			cov.Matched++
		case ignored:
			cov.Ignored++
		default:
			cov.Unaccounted = append(cov.Unaccounted, c)
		}
	}
	for i := range p.Targets {
		t := &p.Targets[i]
		if t.Quote == "" || !strings.Contains(source, t.Quote) {
			cov.BadQuotes = append(cov.BadQuotes, t)
		}
		if t.Kind == plan.Quantity && !found[i] {
			cov.Missed = append(cov.Missed, t)
		}
	}
	for i, g := range p.Ignored {
		if !usedIgnore[i] {
			cov.Stale = append(cov.Stale, g)
		}
	}
	return cov
}

// matches reports whether a target states a candidate: same item and the
// same value, with the target's unit multiplier applied (13.5 万平方米 is
// 135000 平方米).
func matches(t *plan.Target, c *Candidate) bool {
	if t.Kind != plan.Quantity || t.Item != c.Item {
		return false
	}
	return sameValue(t.Goal, c.Value) || sameValue(t.Goal*unitScale(t.Unit), c.Value)
}

// overlaps reports whether one quote contains the other.
func overlaps(a, b string) bool {
	return a != "" && b != "" && (strings.Contains(a, b) || strings.Contains(b, a))
}

func sameValue(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}

// Problems lists what makes the targets file fail the audit, one line
// each, in document order: unaccounted candidates, then quotes that are
// not in the source, then stale ignored entries.
func (c Coverage) Problems() []string {
	var out []string
	for _, u := range c.Unaccounted {
		out = append(out, fmt.Sprintf("item %s: %q (%s %s, %s) is neither a target with value %s nor ignored; quote: %s",
			u.Item, u.Text, formatValue(u.Value), u.Unit, u.Direction, formatValue(u.Value), u.Quote))
	}
	for _, t := range c.BadQuotes {
		out = append(out, fmt.Sprintf("target %s (item %s): quote %q is not in the source document", t.ID, t.Item, t.Quote))
	}
	for _, g := range c.Stale {
		out = append(out, fmt.Sprintf("ignored item %s %q: no such candidate in the source document; remove the entry", g.Item, g.Text))
	}
	return out
}

// OK reports whether the audit passes.
func (c Coverage) OK() bool { return len(c.Problems()) == 0 }
