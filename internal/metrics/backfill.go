package metrics

import (
	"bufio"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// History is the progress of a set of plans over a series of instants, for
// WriteOpenMetrics.
type History struct {
	// Plans gives the plans and agencies (its Targets are not read); every
	// sample of targetwatch_plan_info and targetwatch_agency_info is the
	// same at each instant.
	Plans *plan.Snapshot
	// Instants are the sampled moments, ascending.
	Instants []time.Time
	// Targets is the number of targets Target is called for.
	Targets int
	// Target evaluates target i at every instant, in order, calling at
	// with the instant's index and the progress as of it. The progress is
	// not kept after at returns.
	Target func(i int, at func(k int, g *plan.Progress)) error
	// Progress, if set, is called after each family with the number of
	// families written and their total.
	Progress func(done, total int)
	// Labels are added to every series, as a scrape adds job and
	// instance: backfilled samples then continue the very series live
	// scraping writes, instead of a twin that a group_left join would
	// find twice. Names must not clash with the families' own labels.
	Labels map[string]string
}

// WriteOpenMetrics writes h as OpenMetrics text with a timestamp on every
// sample, for promtool tsdb create-blocks-from openmetrics: at each
// instant, exactly the progress samples that /metrics shows for a
// snapshot as of that instant (the same family functions make both).
//
// OpenMetrics wants each family once and the samples of one series
// together in time order, so the output goes family by family and, within
// a family, target by target: each target is evaluated over all instants
// once per family, and only one target's samples are held at a time. The
// memory it needs is therefore the samples of one target's series over the
// instants, whatever the number of targets.
func WriteOpenMetrics(w io.Writer, h History) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	ts := make([]string, len(h.Instants))
	for k, t := range h.Instants {
		ts[k] = strconv.FormatInt(t.Unix(), 10)
	}
	names := newAgencyNames(h.Plans)
	var s seriesBuffer
	for _, k := range slices.Sorted(maps.Keys(h.Labels)) {
		s.extra = append(s.extra, ',')
		s.extra = append(s.extra, k...)
		s.extra = append(s.extra, '=', '"')
		s.extra = appendEscaped(s.extra, h.Labels[k], true)
		s.extra = append(s.extra, '"')
	}
	for fi := range families {
		f := &families[fi]
		bw.Write(appendOpenMetricsHeader(nil, f))
		if f.perTarget == nil {
			// Plan and agency metadata: the same at every instant.
			emit := func(v float64, lv ...string) { s.add(f, v, lv, -1) }
			if f.perPlan != nil {
				for _, p := range h.Plans.Plans {
					f.perPlan(p, emit)
				}
			}
			if f.perAgency != nil {
				for _, a := range agencies(h.Plans) {
					f.perAgency(a, emit)
				}
			}
			s.flushEvery(bw, ts)
		} else {
			for i := range h.Targets {
				err := h.Target(i, func(k int, g *plan.Progress) {
					f.perTarget(g, names, func(v float64, lv ...string) { s.add(f, v, lv, k) })
				})
				if err != nil {
					return err
				}
				s.flush(bw, ts)
			}
		}
		if h.Progress != nil {
			h.Progress(fi+1, len(families))
		}
	}
	bw.WriteString("# EOF\n")
	return bw.Flush()
}

// appendOpenMetricsHeader writes a family's TYPE and HELP lines. An
// OpenMetrics counter family is named without the _total its samples
// carry.
func appendOpenMetricsHeader(b []byte, f *family) []byte {
	name, typ := f.name, "gauge"
	if f.typ == prometheus.CounterValue {
		name, typ = strings.TrimSuffix(name, "_total"), "counter"
	}
	b = append(b, "# TYPE "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, typ...)
	b = append(b, "\n# HELP "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = appendEscaped(b, f.help, true)
	return append(b, '\n')
}

// seriesBuffer collects the samples of one target's series of one family
// over the instants, in the order the series first appear.
type seriesBuffer struct {
	order []string           // series (name and labels) in first-seen order
	lines map[string][]point // per series
	line  []byte
	extra []byte // ,name="value" for each added label
}

type point struct {
	k int    // instant index; -1 for every instant
	v []byte // the formatted value
}

func (s *seriesBuffer) add(f *family, v float64, lv []string, k int) {
	if s.lines == nil {
		s.lines = map[string][]point{}
	}
	// appendSample writes "name{labels} value\n": the series is what
	// precedes the last space.
	s.line = appendSample(s.line[:0], f, v, lv)
	sp := strings.LastIndexByte(string(s.line), ' ')
	key := string(s.line[:sp])
	if len(s.extra) > 0 {
		key = key[:len(key)-1] + string(s.extra) + "}" // every family has labels
	}
	if _, ok := s.lines[key]; !ok {
		s.order = append(s.order, key)
	}
	s.lines[key] = append(s.lines[key], point{k, append([]byte(nil), s.line[sp+1:len(s.line)-1]...)})
}

// flush writes every buffered series, each sample with its instant's
// timestamp, and empties the buffer.
func (s *seriesBuffer) flush(w *bufio.Writer, ts []string) {
	for _, key := range s.order {
		for _, p := range s.lines[key] {
			writePoint(w, key, p.v, ts[p.k])
		}
		delete(s.lines, key)
	}
	s.order = s.order[:0]
}

// flushEvery writes every buffered sample at every instant.
func (s *seriesBuffer) flushEvery(w *bufio.Writer, ts []string) {
	for _, key := range s.order {
		for _, p := range s.lines[key] {
			for _, t := range ts {
				writePoint(w, key, p.v, t)
			}
		}
		delete(s.lines, key)
	}
	s.order = s.order[:0]
}

func writePoint(w *bufio.Writer, series string, v []byte, ts string) {
	w.WriteString(series)
	w.WriteByte(' ')
	w.Write(v)
	w.WriteByte(' ')
	w.WriteString(ts)
	w.WriteByte('\n')
}
