package metrics

import (
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// blockSize is how many targets share one chunk per family: small enough
// that one commit re-renders little, large enough that a plan of 100,000
// targets has a few thousand chunks to stitch together, not millions.
const blockSize = 256

// exposition is the progress families of one snapshot in text format,
// held as compressed chunks. It is immutable once published.
type exposition struct {
	snap    *plan.Snapshot
	headers []chunk   // per family: # HELP and # TYPE
	agency  []chunk   // per family: the per-plan or per-agency samples (empty for most)
	blocks  [][]chunk // per block of targets, per family
	parts   [][]byte  // the deflate chunks in exposition order
	crc     uint32    // CRC-32 of the whole text
	size    int64     // length of the whole text
}

// renderer keeps the exposition of the latest snapshot it was asked for.
type renderer struct {
	mu  sync.Mutex // one render at a time; readers of cur never wait for it
	cur atomic.Pointer[exposition]
}

// get returns the exposition of s, rendering only what changed since the
// previous one.
func (r *renderer) get(s *plan.Snapshot) *exposition {
	if e := r.cur.Load(); e != nil && e.snap == s {
		return e
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	prev := r.cur.Load()
	if prev != nil && prev.snap == s {
		return prev
	}
	e := render(prev, s)
	r.cur.Store(e)
	return e
}

// render builds the exposition of s, reusing prev's chunks for blocks in
// which no target's metrics changed.
func render(prev *exposition, s *plan.Snapshot) *exposition {
	n := len(s.Targets)
	nb := (n + blockSize - 1) / blockSize
	e := &exposition{snap: s, blocks: make([][]chunk, nb)}
	samePlan := prev != nil && slices.Equal(prev.snap.Plans, s.Plans) && len(prev.snap.Targets) == n
	if samePlan {
		e.headers, e.agency = prev.headers, prev.agency
	} else {
		c := newCompressor()
		for _, f := range families {
			e.headers = append(e.headers, c.chunk(appendHeader(nil, &f), 0))
			var buf []byte
			k := 0
			add := func(v float64, lv ...string) {
				buf = appendSample(buf, &f, v, lv)
				k++
			}
			if f.perPlan != nil {
				for _, p := range s.Plans {
					f.perPlan(p, add)
				}
			}
			if f.perAgency != nil {
				for _, a := range agencies(s) {
					f.perAgency(a, add)
				}
			}
			e.agency = append(e.agency, c.chunk(buf, k))
		}
	}

	var dirty []int
	for b := range nb {
		if samePlan && !blockChanged(prev.snap.Targets, s.Targets, b) {
			e.blocks[b] = prev.blocks[b]
		} else {
			dirty = append(dirty, b)
		}
	}
	renderBlocks(e, s, dirty)
	e.assemble()
	return e
}

// renderBlocks renders the given blocks, spread over the available CPUs
// when there are many (a full render at start or at a month's turn).
func renderBlocks(e *exposition, s *plan.Snapshot, blocks []int) {
	if len(blocks) == 0 {
		return
	}
	names := newAgencyNames(s)
	workers := min(runtime.GOMAXPROCS(0), (len(blocks)+7)/8)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			c := newCompressor()
			var buf []byte
			for {
				i := int(next.Add(1)) - 1
				if i >= len(blocks) {
					return
				}
				b := blocks[i]
				lo, hi := b*blockSize, min((b+1)*blockSize, len(s.Targets))
				out := make([]chunk, len(families))
				for fi := range families {
					f := &families[fi]
					if f.perTarget == nil {
						continue
					}
					buf = buf[:0]
					k := 0
					emit := func(v float64, lv ...string) {
						buf = appendSample(buf, f, v, lv)
						k++
					}
					for t := lo; t < hi; t++ {
						f.perTarget(s.Targets[t], names, emit)
					}
					out[fi] = c.chunk(buf, k)
				}
				e.blocks[b] = out
			}
		})
	}
	wg.Wait()
}

// assemble orders the chunks into the exposition and combines their CRCs.
// Families without samples are left out entirely, as client_golang does.
func (e *exposition) assemble() {
	add := func(c chunk) {
		e.parts = append(e.parts, c.deflate)
		e.crc = crcCombine(e.crc, c.crc, c.size)
		e.size += c.size
	}
	for fi := range families {
		k := e.agency[fi].samples
		for _, b := range e.blocks {
			k += b[fi].samples
		}
		if k == 0 {
			continue
		}
		add(e.headers[fi])
		if e.agency[fi].samples > 0 {
			add(e.agency[fi])
		}
		for _, b := range e.blocks {
			if b[fi].samples > 0 {
				add(b[fi])
			}
		}
	}
}

// blockChanged reports whether any target of block b shows different
// metrics in a than in b2.
func blockChanged(a, b2 []*plan.Progress, b int) bool {
	lo, hi := b*blockSize, min((b+1)*blockSize, len(a))
	for i := lo; i < hi; i++ {
		// A target no commit touched shares its Progress between the two.
		if a[i] != b2[i] && !sameMetrics(a[i], b2[i]) {
			return true
		}
	}
	return false
}

// sameMetrics reports whether two progresses produce the same samples.
func sameMetrics(a, b *plan.Progress) bool {
	return a.Target == b.Target && a.Plan == b.Plan &&
		a.HasActual == b.HasActual && math.Float64bits(a.Actual) == math.Float64bits(b.Actual) &&
		math.Float64bits(a.Expected) == math.Float64bits(b.Expected) &&
		a.HasProjected == b.HasProjected && math.Float64bits(a.Projected) == math.Float64bits(b.Projected) &&
		a.Status == b.Status && len(a.Missing) == len(b.Missing) && a.Corrections == b.Corrections &&
		a.LastReport.Equal(b.LastReport) && a.Deadline.Equal(b.Deadline)
}

// appendHeader writes a family's HELP and TYPE lines.
func appendHeader(b []byte, f *family) []byte {
	b = append(b, "# HELP "...)
	b = append(b, f.name...)
	b = append(b, ' ')
	b = appendEscaped(b, f.help, false)
	b = append(b, "\n# TYPE "...)
	b = append(b, f.name...)
	if f.typ == prometheus.CounterValue {
		b = append(b, " counter\n"...)
	} else {
		b = append(b, " gauge\n"...)
	}
	return b
}

// appendSample writes one sample line in the text format (version 0.0.4).
func appendSample(b []byte, f *family, v float64, values []string) []byte {
	b = append(b, f.name...)
	if len(f.labels) > 0 {
		b = append(b, '{')
		for i, l := range f.labels {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, l...)
			b = append(b, '=', '"')
			b = appendEscaped(b, values[i], true)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = appendFloat(b, v)
	return append(b, '\n')
}

// appendEscaped escapes backslash and newline, and in label values also
// the double quote, as the text format requires.
func appendEscaped(b []byte, s string, quote bool) []byte {
	if !needsEscape(s) {
		return append(b, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, '\\', '\\')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '"' && quote:
			b = append(b, '\\', '"')
		default:
			b = append(b, c)
		}
	}
	return b
}

// needsEscape is strings.ContainsAny(s, "\\\n\"") without the rune
// decoding, which shows in profiles of Chinese label values.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\\' || c == '\n' || c == '"' {
			return true
		}
	}
	return false
}

// appendFloat formats a sample value as client_golang does.
func appendFloat(b []byte, v float64) []byte {
	switch {
	case v == 1:
		return append(b, '1')
	case v == 0:
		return append(b, '0')
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
