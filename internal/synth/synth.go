// Package synth generates synthetic work plans of any size, with a source
// document whose text contains every quote, so benchmarks and load tests can
// run targetwatch at district, city and province scale.
//
// The output is deterministic: the same size gives the same plan, byte for
// byte, so benchmark runs are comparable.
package synth

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Year is the plan year of every synthetic plan.
const Year = 2019

// SourceName is the file name of the source document WriteFiles writes
// next to targets.yaml.
const SourceName = "source.txt"

// shape is one kind of commitment; targets cycle through the shapes so a
// synthetic plan exercises every aggregation and direction the progress
// engine distinguishes.
type shape struct {
	direction   plan.Direction
	aggregation plan.Aggregation
	unit        string
	unitEN      string
	// quote is what a target quotes, with at most one %d for the goal;
	// the source sentence goes on with rest.
	quote string
	rest  string
	goal  func(variant int) float64
}

var shapes = []shape{
	{plan.AtLeast, plan.Sum, "个", "projects",
		"全年新增%d个合成项目", ",确保按期完成。",
		func(v int) float64 { return float64(100 + 10*v) }},
	{plan.AtMost, plan.Mean, "吨/日", "t/day",
		"日均处理量控制在%d吨/日以内", "。",
		func(v int) float64 { return float64(1000 + 50*v) }},
	{plan.AtLeast, plan.Last, "公里", "km",
		"累计建成合成道路%d公里", ",加快推进。",
		func(v int) float64 { return float64(20 + v) }},
	{plan.ZeroGrowth, plan.Sum, "起", "incidents",
		"合成事故数实现零增长", ",严格控制。",
		func(int) float64 { return 0 }},
}

// variants is how many different goals each shape takes.
const variants = 25

// Agencies returns how many agencies a plan of n targets has: about one per
// hundred targets, as in a district plan, at least one.
func Agencies(n int) int {
	a := (n + 99) / 100
	if a < 1 {
		a = 1
	}
	return a
}

// TargetID is the id of the i-th target (0-based).
func TargetID(i int) string { return fmt.Sprintf("t-%06d", i+1) }

func agencyID(i int) string { return fmt.Sprintf("agency-%04d", i+1) }

// Plan builds an in-memory plan of n targets. Its Source is SourceName.
func Plan(n int) *plan.Plan {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		// Without tzdata the plan still works; the zone only shifts
		// due dates by eight hours.
		loc = time.FixedZone("Asia/Shanghai", 8*3600)
	}
	p := &plan.Plan{
		ID:         fmt.Sprintf("synthetic-%d", n),
		Title:      fmt.Sprintf("合成工作计划(%d项指标)", n),
		TitleEN:    fmt.Sprintf("Synthetic work plan (%d targets)", n),
		Source:     SourceName,
		Timezone:   "Asia/Shanghai",
		Location:   loc,
		Start:      time.Date(Year, time.January, 1, 0, 0, 0, 0, loc),
		End:        time.Date(Year, time.December, 31, 0, 0, 0, 0, loc),
		Frequency:  "monthly",
		DueDay:     plan.DefaultDueDay,
		Thresholds: plan.DefaultThresholds,
	}
	na := Agencies(n)
	p.Agencies = make([]plan.Agency, na)
	for i := range p.Agencies {
		p.Agencies[i] = plan.Agency{
			ID:      agencyID(i),
			Name:    fmt.Sprintf("合成第%d局", i+1),
			NameEN:  fmt.Sprintf("Synthetic bureau %d", i+1),
			Assumed: true,
		}
	}
	p.Targets = make([]plan.Target, n)
	for i := range p.Targets {
		s := shapes[i%len(shapes)]
		v := (i / len(shapes)) % variants
		goal := s.goal(v)
		t := plan.Target{
			ID:          TargetID(i),
			Item:        item(i),
			Title:       fmt.Sprintf("合成指标%d", i+1),
			TitleEN:     fmt.Sprintf("Synthetic target %d", i+1),
			Quote:       quote(i, s, goal),
			Agency:      agencyID(i % na),
			Kind:        plan.Quantity,
			Direction:   s.direction,
			Aggregation: s.aggregation,
			Goal:        goal,
			Unit:        s.unit,
			UnitEN:      s.unitEN,
			Due:         p.End,
		}
		p.Targets[i] = t
	}
	return p
}

// item numbers targets in three levels of at most three digits, as plan
// documents number their items ("10.2", "3.1.4"), up to a million targets.
func item(i int) string {
	return fmt.Sprintf("%d.%d.%d", i/10000+1, i/100%100+1, i%100+1)
}

// quote is unique to target i, as every commitment of a real plan has its
// own sentence: the loader's check that a quote is in the source then does
// the work it does on a real province plan.
func quote(i int, s shape, goal float64) string {
	q := fmt.Sprintf("合成指标%d:", i+1)
	if strings.Contains(s.quote, "%d") {
		return q + fmt.Sprintf(s.quote, int(goal))
	}
	return q + s.quote
}

// Source returns the text of p's source document: a heading line per
// target carrying its item number and its quote, in plan order.
func Source(p *plan.Plan) string {
	var b strings.Builder
	b.Grow(len(p.Targets) * 80)
	b.WriteString("合成工作计划\n")
	for i := range p.Targets {
		t := &p.Targets[i]
		b.WriteString(t.Item)
		b.WriteByte(' ')
		b.WriteString(t.Quote)
		b.WriteString(shapes[i%len(shapes)].rest)
		b.WriteByte('\n')
	}
	return b.String()
}

// Value is a plausible figure for target t in month m; seq varies it, so a
// caller can produce a correction by passing a new seq. Every value is
// valid for the target: finite, non-negative, within 0..100 for percent.
func Value(t *plan.Target, m plan.Period, seq int) float64 {
	months := float64(12)
	base := t.Goal / months
	switch t.Aggregation {
	case plan.Last:
		base = t.Goal * float64(m.Month) / months
	case plan.Mean:
		base = t.Goal * 0.9
	}
	if t.Direction == plan.ZeroGrowth {
		base = 0
	}
	// Two decimals so values survive any text round trip exactly.
	v := base + float64(seq%100)/100
	if t.IsPercent() && v > 100 {
		v = 100
	}
	return float64(int64(v*100+0.5)) / 100
}

// WriteFiles writes targets.yaml and its source document for a plan of n
// targets into dir and returns the path of targets.yaml.
func WriteFiles(dir string, n int) (string, error) {
	if n < 1 {
		return "", fmt.Errorf("synthetic plan: want at least 1 target, got %d", n)
	}
	p := Plan(n)
	if err := os.WriteFile(filepath.Join(dir, SourceName), []byte(Source(p)), 0o644); err != nil {
		return "", fmt.Errorf("write source: %w", err)
	}
	path := filepath.Join(dir, "targets.yaml")
	f, err := os.Create(path)
	if err != nil {
		return "", fmt.Errorf("write targets: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	if err := WriteYAML(w, p); err != nil {
		f.Close()
		return "", fmt.Errorf("write targets: %w", err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", fmt.Errorf("write targets: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("write targets: %w", err)
	}
	return path, nil
}

// WriteSplitFiles writes a plan of n targets split into k plans of about
// n/k targets each (ids synthetic-N-01, -02, ...; every agency in each,
// target ids unique across them), each a targets-NN.yaml with its own
// source document, and returns their paths in order. k of 1 is WriteFiles.
func WriteSplitFiles(dir string, n, k int) ([]string, error) {
	if k <= 1 {
		path, err := WriteFiles(dir, n)
		return []string{path}, err
	}
	if n < k {
		return nil, fmt.Errorf("synthetic plans: want at least %d targets for %d plans, got %d", k, k, n)
	}
	whole := Plan(n)
	var paths []string
	for i := range k {
		sub := *whole
		sub.ID = fmt.Sprintf("%s-%02d", whole.ID, i+1)
		sub.Title = fmt.Sprintf("%s 第%d部分", whole.Title, i+1)
		sub.TitleEN = fmt.Sprintf("%s, part %d", whole.TitleEN, i+1)
		sub.Source = fmt.Sprintf("source-%02d.txt", i+1)
		sub.Targets = whole.Targets[i*n/k : (i+1)*n/k]
		if err := os.WriteFile(filepath.Join(dir, sub.Source), []byte(Source(&sub)), 0o644); err != nil {
			return nil, fmt.Errorf("write source: %w", err)
		}
		path := filepath.Join(dir, fmt.Sprintf("targets-%02d.yaml", i+1))
		var b strings.Builder
		if err := WriteYAML(&b, &sub); err != nil {
			return nil, fmt.Errorf("write targets: %w", err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			return nil, fmt.Errorf("write targets: %w", err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// WriteYAML writes p as targets.yaml. It knows only the fields synthetic
// plans use; strings are double-quoted so no value needs YAML escaping
// rules beyond strconv's.
func WriteYAML(w io.Writer, p *plan.Plan) error {
	bw := &errWriter{w: w}
	q := strconv.Quote
	bw.printf("# Synthetic plan generated for benchmarks; do not edit.\n")
	bw.printf("id: %s\ntitle: %s\ntitle_en: %s\nsource: %s\ntimezone: %s\n",
		q(p.ID), q(p.Title), q(p.TitleEN), q(p.Source), q(p.Timezone))
	bw.printf("start: %s\nend: %s\nfrequency: %s\ndue_day: %d\n",
		p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly), p.Frequency, p.DueDay)
	th := p.Thresholds
	bw.printf("thresholds:\n  at_risk: %s\n  off_track: %s\n  cap_warning: %s\n",
		strconv.FormatFloat(th.AtRisk, 'f', -1, 64), strconv.FormatFloat(th.OffTrack, 'f', -1, 64), strconv.FormatFloat(th.CapWarning, 'f', -1, 64))
	bw.printf("agencies:\n")
	for _, a := range p.Agencies {
		bw.printf("  - id: %s\n    name: %s\n    name_en: %s\n    assumed: %t\n", a.ID, q(a.Name), q(a.NameEN), a.Assumed)
	}
	bw.printf("targets:\n")
	for i := range p.Targets {
		t := &p.Targets[i]
		bw.printf("  - id: %s\n    item: %s\n    title: %s\n    title_en: %s\n    quote: %s\n    agency: %s\n",
			t.ID, q(t.Item), q(t.Title), q(t.TitleEN), q(t.Quote), t.Agency)
		bw.printf("    kind: %s\n    direction: %s\n    aggregation: %s\n    goal: %s\n    unit: %s\n    unit_en: %s\n",
			t.Kind, t.Direction, t.Aggregation, strconv.FormatFloat(t.Goal, 'f', -1, 64), q(t.Unit), q(t.UnitEN))
	}
	return bw.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
