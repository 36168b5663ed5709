package main

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/synth"
)

// The Pushgateway must hold what targetwatch exposes per target, or the
// comparison is unfair in one direction or the other.
func TestGroupBodyCarriesTheTargetsSeries(t *testing.T) {
	p := synth.Plan(4)
	tests := []struct {
		name string
		i    int
		want int
	}{
		{"a target with a goal has all 18 series", 0, 18},
		{"a zero-growth target has no ratios, as in targetwatch", 3, 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := &p.Targets[tt.i]
			if tt.i == 3 && tg.Direction != plan.ZeroGrowth {
				t.Fatalf("target 3: got direction %s, want zero_growth", tg.Direction)
			}
			body := groupBody(nil, p, tg, "合成第1局", 12.5, 3)
			parser := expfmt.NewTextParser(model.UTF8Validation)
			fams, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
			if err != nil {
				t.Fatalf("parse: %v\n%s", err, body)
			}
			n := 0
			for name, f := range fams {
				if !strings.HasPrefix(name, plan.MetricPrefix) {
					t.Errorf("family %s: want the %s prefix", name, plan.MetricPrefix)
				}
				n += len(f.GetMetric())
			}
			if n != tt.want {
				t.Errorf("series: got %d, want %d", n, tt.want)
			}
			info := fams[plan.MetricTargetInfo].GetMetric()[0]
			for _, l := range info.GetLabel() {
				if l.GetName() == plan.LabelTitle && l.GetValue() != tg.Title {
					t.Errorf("title label: got %q, want %q", l.GetValue(), tg.Title)
				}
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		var d []time.Duration
		for _, x := range n {
			d = append(d, time.Duration(x)*time.Millisecond)
		}
		return d
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      int
		want   time.Duration
	}{
		{"no samples give zero", nil, 50, 0},
		{"one sample is every percentile", ms(7), 99, 7 * time.Millisecond},
		{"the median of ten is the fifth by nearest rank", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 50, 5 * time.Millisecond},
		{"p99 of ten is the largest", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"p90 of ten is the ninth", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseGoBench(t *testing.T) {
	out := `goos: linux
goarch: amd64
pkg: example
BenchmarkRender/cached-2         	     100	  11234567 ns/op	 1048576 B/op	      12 allocs/op
BenchmarkRender/const-2          	       3	 345678901 ns/op	680000000 B/op	 6000000 allocs/op
PASS
ok  	example	3.2s
`
	got := parseGoBench([]byte(out))
	if len(got) != 2 {
		t.Fatalf("benchmarks: got %d, want 2", len(got))
	}
	if got[0].Name != "BenchmarkRender/cached-2" || got[0].NsPerOp != 11234567 {
		t.Errorf("first: got %s %v ns/op, want BenchmarkRender/cached-2 11234567", got[0].Name, got[0].NsPerOp)
	}
	if want := []string{"680000000 B/op", "6000000 allocs/op"}; strings.Join(got[1].Extra, ",") != strings.Join(want, ",") {
		t.Errorf("second extra: got %q, want %q", got[1].Extra, want)
	}
}

func TestFormatting(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"thousands are grouped", thousands(1234567), "1,234,567"},
		{"small numbers stay plain", thousands(999), "999"},
		{"sub-millisecond durations keep three decimals", fmtDur(243904 * time.Nanosecond), "0.244 ms"},
		{"long durations are in seconds", fmtDur(12500 * time.Millisecond), "12.5 s"},
		{"seconds keep three digits", fmtDur(2249 * time.Millisecond), "2.25 s"},
		{"big ratios drop decimals", fmtRatio(123.4), "×123"},
		{"sizes are abbreviated", short(100000), "100k"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"quick keeps explicit flags", []string{"-quick", "-sizes", "50"}, ""},
		{"a size must be positive", []string{"-sizes", "1000,0"}, `-sizes: "0" is not a positive number`},
		{"months are bounded by the due months", []string{"-months", "11"}, "-months: want 1..10, got 11"},
		{"an unknown system is refused", []string{"-systems", "victoriametrics"}, `-systems: unknown system "victoriametrics"`},
		{"an unknown push body is refused", []string{"-pushgateway-body", "all"}, `-pushgateway-body: want series or figure, got "all"`},
		{"at least one round", []string{"-rounds", "0"}, "-rounds: want at least 1, got 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseFlags(tt.args, &strings.Builder{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.sizes) != 1 || cfg.sizes[0] != 50 {
				t.Errorf("sizes: got %v, want [50]", cfg.sizes)
			}
			if cfg.scrapes != 5 {
				t.Errorf("scrapes: got %d, want the quick default 5", cfg.scrapes)
			}
		})
	}
}

// The ratio to the Pushgateway with its check off is the median of the
// alternating rounds', so one round caught in a neighbour's burst does not
// decide the goal; the rate shown is the mean over all rounds.
func TestIngestRounds(t *testing.T) {
	round := func(count int, p50 time.Duration) loadResult {
		return loadResult{Clients: 8, Count: count, Elapsed: time.Second, P50: p50, ServerCPU: time.Duration(count) * 100 * time.Microsecond}
	}
	tw := []loadResult{round(9000, 2*time.Millisecond), round(3000, 9*time.Millisecond), round(8800, 3*time.Millisecond)}
	off := []loadResult{round(10000, time.Millisecond), round(10000, time.Millisecond), round(10000, time.Millisecond)}
	res := &results{ingest: []ingestResult{
		{system: sysTargetwatch, load: merge(tw), rounds: tw},
		{system: sysPushgatewayNoCheck, load: merge(off), rounds: off},
	}}
	m := res.ingest[0].load
	if m.Count != 20800 || m.Elapsed != 3*time.Second {
		t.Errorf("merged: got %d in %v, want 20800 in 3s", m.Count, m.Elapsed)
	}
	if m.P50 != 3*time.Millisecond {
		t.Errorf("merged p50: got %v, want the median round's 3ms", m.P50)
	}
	if got := m.cpuPer(m.ServerCPU); got != 100*time.Microsecond {
		t.Errorf("merged CPU per request: got %v, want 100µs", got)
	}
	table := res.table(&config{clients: []int{8}, rounds: 3})
	var rate, rounds string
	for _, line := range strings.Split(table, "\n") {
		switch {
		case strings.HasPrefix(line, "| ingest, 8 clients: figures/s  "):
			rate = line
		case strings.HasPrefix(line, "| ingest, 8 clients: figures/s in each round"):
			rounds = line
		}
	}
	for _, want := range []string{"6,933", "×0.88 vs check off"} {
		if !strings.Contains(rate, want) {
			t.Errorf("rate row: no %q in %q", want, rate)
		}
	}
	for _, want := range []string{"9,000 · 3,000 · 8,800", "10,000 · 10,000 · 10,000", "×0.90 · ×0.30 · ×0.88 (median ×0.88)"} {
		if !strings.Contains(rounds, want) {
			t.Errorf("rounds row: no %q in %q", want, rounds)
		}
	}
}

func TestLogMsg(t *testing.T) {
	tests := []struct {
		name, line, want string
	}{
		{"a bare message", `time=2019-11-15T12:00:00Z level=INFO msg=listening addr=127.0.0.1:1`, "listening"},
		{"a quoted message", `time=2019-11-15T12:00:00Z level=INFO msg="loaded revisions" revisions=10`, "loaded revisions"},
		{"a line without a message", `panic: oops`, ""},
	}
	for _, tt := range tests {
		if got := logMsg(tt.line); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
