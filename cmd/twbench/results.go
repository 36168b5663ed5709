package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// system is a column of the table.
type system int

const (
	sysTargetwatch system = iota
	sysPushgateway
	sysPushgatewayNoCheck
)

// results holds everything measured; fields stay zero for what was not.
type results struct {
	started, finished time.Time
	ingest            []ingestResult
	sizes             []*sizeResult
	goBench           []goBench
}

type ingestResult struct {
	system    system
	load      loadResult   // the rounds added up
	rounds    []loadResult // in the order they ran
	mem       memory
	perCommit float64 // targetwatch: figures per database commit (0: unknown)
}

// sizeResult is what one plan size measured.
type sizeResult struct {
	targets   int
	revisions int
	prefill   time.Duration

	tw            scrapeResult
	twAfterCommit scrapeResult
	twMem         memory
	twStart       time.Duration
	twStartPhases string
	// After the restart: the first scrape and memory after the scrapes.
	twRestartFirst time.Duration
	twRestartMem   memory
	twStartMem     memory

	mixedIdle, mixedBusy *loadResult
	mixedScrapes         scrapeResult

	bigStart *startResult // the same plan with -start-revisions

	pgw         scrapeResult // Count 0: not measured
	pgwMem      memory
	pgwStart    time.Duration
	pgwStartMem memory
}

// startResult is a start on a database with many corrections.
type startResult struct {
	revisions int
	ready     time.Duration
	mem       memory
	phases    string
}

// Goals of the issue, checked in the table.
const (
	goalRate        = 10000
	goalP50         = 2 * time.Millisecond
	goalVsDefault   = 40
	goalVsNoCheck   = 0.8
	goalScrape      = 200 * time.Millisecond
	goalScrapeAt    = 100000
	goalRSS         = 300 << 20
	goalStart       = 3 * time.Second
	goalStartAtRevs = 1000000
)

// joinRates lists each round's rate.
func joinRates(rounds []loadResult) string {
	var s []string
	for _, r := range rounds {
		s = append(s, thousands(int(r.Rate())))
	}
	return strings.Join(s, " · ")
}

// row is one line of the table.
type row struct {
	measure, tw, pgw, pgwNoCheck, ratio, goal, met string
}

func (r *results) load(s system, clients int) (loadResult, bool) {
	i, ok := r.ingestOf(s, clients)
	return i.load, ok
}

func (r *results) ingestOf(s system, clients int) (ingestResult, bool) {
	for _, i := range r.ingest {
		if i.system == s && i.load.Clients == clients {
			return i, true
		}
	}
	return ingestResult{}, false
}

// roundRatios are targetwatch's rate over the Pushgateway's (check off)
// in each pair of alternating rounds.
func roundRatios(tw, pgw []loadResult) []float64 {
	var out []float64
	for i := range min(len(tw), len(pgw)) {
		if pgw[i].Rate() > 0 {
			out = append(out, tw[i].Rate()/pgw[i].Rate())
		}
	}
	return out
}

// median of xs; 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	return xs[medianIndex(xs, func(x float64) float64 { return x })]
}

// perCommit is the figures per commit of a system's ingestion run.
func (r *results) perCommit(s system, clients int) float64 {
	i, _ := r.ingestOf(s, clients)
	return i.perCommit
}

// table renders the one table of the run as Markdown.
func (r *results) table(cfg *config) string {
	var rows []row
	for _, c := range cfg.clients {
		tw, okTW := r.load(sysTargetwatch, c)
		on, okOn := r.load(sysPushgateway, c)
		off, okOff := r.load(sysPushgatewayNoCheck, c)
		if !okTW && !okOn && !okOff {
			continue
		}
		cl := plural(c, "client")
		rate := row{measure: fmt.Sprintf("ingest, %s: figures/s", cl)}
		lat := row{measure: fmt.Sprintf("ingest, %s: latency p50 / p99", cl)}
		cpu := row{measure: fmt.Sprintf("ingest, %s: CPU per request, server / load generator", cl)}
		commit := row{measure: fmt.Sprintf("ingest, %s: figures per commit (one fsync each)", cl)}
		if okTW {
			rate.tw, lat.tw, cpu.tw = fmtRate(tw), fmtLat(tw), fmtCPU(tw)
			if pc := r.perCommit(sysTargetwatch, c); pc > 0 {
				commit.tw = strconv.FormatFloat(pc, 'f', 2, 64)
			}
		}
		if okOn {
			rate.pgw, lat.pgw, cpu.pgw = fmtRate(on), fmtLat(on), fmtCPU(on)
		}
		if okOff {
			rate.pgwNoCheck, lat.pgwNoCheck, cpu.pgwNoCheck = fmtRate(off), fmtLat(off), fmtCPU(off)
		}
		var ratios []string
		if okTW && okOn && on.Rate() > 0 {
			ratios = append(ratios, fmtRatio(tw.Rate()/on.Rate())+" vs default")
		}
		// The ratio to the Pushgateway with its check off is the median
		// of the alternating rounds': one round can catch a neighbour's
		// burst on a shared machine.
		twI, _ := r.ingestOf(sysTargetwatch, c)
		offI, _ := r.ingestOf(sysPushgatewayNoCheck, c)
		perRound := roundRatios(twI.rounds, offI.rounds)
		vsOff := median(perRound)
		if len(perRound) > 0 {
			ratios = append(ratios, fmtRatio(vsOff)+" vs check off")
		}
		rate.ratio = strings.Join(ratios, ", ")
		var rounds *row
		if len(twI.rounds) > 1 || len(offI.rounds) > 1 {
			rounds = &row{measure: fmt.Sprintf("ingest, %s: figures/s in each round, alternating", cl)}
			rounds.tw = joinRates(twI.rounds)
			rounds.pgwNoCheck = joinRates(offI.rounds)
			var rs []string
			for _, x := range perRound {
				rs = append(rs, fmtRatio(x))
			}
			if len(rs) > 0 {
				rounds.ratio = strings.Join(rs, " · ") + " (median " + fmtRatio(vsOff) + ")"
			}
		}
		if c == 1 && okTW {
			lat.goal = "p50 < " + fmtDur(goalP50)
			lat.met = yes(tw.P50 < goalP50)
		}
		if c == 8 && okTW {
			rate.goal = fmt.Sprintf("≥ %s/s, ≥ %g× default, ≥ %g× check off", thousands(goalRate), float64(goalVsDefault), goalVsNoCheck)
			ok := tw.Rate() >= goalRate
			if okOn {
				ok = ok && tw.Rate() >= goalVsDefault*on.Rate()
			}
			if len(perRound) > 0 {
				ok = ok && vsOff >= goalVsNoCheck
			}
			rate.met = yes(ok)
		}
		rows = append(rows, rate)
		if rounds != nil {
			rows = append(rows, *rounds)
		}
		rows = append(rows, lat, cpu)
		if commit.tw != "" {
			rows = append(rows, commit)
		}
	}
	if cfg.runTW && cfg.runPGW && len(r.ingest) > 0 {
		rows = append(rows, row{measure: "acknowledged figure survives kill -9",
			tw: "yes (committed, synchronous=FULL)", pgw: "no (file written every 5 min)", pgwNoCheck: "no"})
	}

	var measured []*sizeResult
	for _, s := range r.sizes {
		n := thousands(s.targets)
		if s.tw.Count > 0 {
			measured = append(measured, s)
		}
		sc := row{measure: fmt.Sprintf("/metrics, %s targets: median / p90, gzip", n)}
		if s.tw.Count > 0 {
			sc.tw = fmtDur(s.tw.Median) + " / " + fmtDur(s.tw.P90)
		}
		if s.pgw.Count > 0 {
			sc.pgwNoCheck = fmtDur(s.pgw.Median) + " / " + fmtDur(s.pgw.P90)
			if s.tw.Count > 0 && s.tw.Median > 0 {
				sc.ratio = better(float64(s.pgw.Median)/float64(s.tw.Median), "faster", "slower")
			}
		} else if s.tw.Count > 0 && s.targets > cfg.pgwMaxTargets {
			sc.pgwNoCheck = "not run (" + fmtMB(int64(s.targets)*18*1536) + "+ RSS)"
		}
		if s.targets == goalScrapeAt && s.tw.Count > 0 {
			sc.goal = "median < " + fmtDur(goalScrape)
			sc.met = yes(s.tw.Median < goalScrape)
		}
		rows = append(rows, sc)
		if s.tw.Count > 0 {
			rows = append(rows, row{measure: fmt.Sprintf("/metrics, %s targets: first scrape / right after a commit (median)", n),
				tw: fmtDur(s.tw.First) + " / " + fmtDur(s.twAfterCommit.Median)})
			sz := row{measure: fmt.Sprintf("/metrics, %s targets: bytes on the wire", n), tw: fmtBytes(s.tw.Bytes, s.tw.Encoding)}
			if s.pgw.Count > 0 {
				sz.pgwNoCheck = fmtBytes(s.pgw.Bytes, s.pgw.Encoding)
			}
			rows = append(rows, sz)
			mem := row{measure: fmt.Sprintf("RSS serving scrapes, %s targets (peak)", n),
				tw: fmtMB(s.twMem.RSS) + " (" + fmtMB(s.twMem.Peak) + ")"}
			if s.pgw.Count > 0 {
				mem.pgwNoCheck = fmtMB(s.pgwMem.RSS) + " (" + fmtMB(s.pgwMem.Peak) + ")"
				mem.ratio = better(float64(s.pgwMem.RSS)/float64(s.twMem.RSS), "smaller", "larger")
			}
			if s.targets == goalScrapeAt {
				mem.goal = "< " + fmtMB(goalRSS)
				mem.met = yes(s.twMem.RSS < goalRSS)
			}
			rows = append(rows, mem)
		}
		if s.twStart > 0 {
			st := row{measure: fmt.Sprintf("start to ready, %s targets, %s revisions (RSS)", n, thousands(s.revisions)),
				tw: fmtDur(s.twStart) + " (" + fmtMB(s.twStartMem.RSS) + ")"}
			if s.pgwStart > 0 {
				st.pgwNoCheck = fmtDur(s.pgwStart) + " (" + fmtMB(s.pgwStartMem.RSS) + ")"
				st.ratio = better(float64(s.pgwStart)/float64(s.twStart), "faster", "slower")
			}
			if s.revisions >= goalStartAtRevs {
				st.goal = "< " + fmtDur(goalStart)
				st.met = yes(s.twStart < goalStart)
			}
			rows = append(rows, st)
			if s.twRestartMem.RSS > 0 {
				rm := row{measure: fmt.Sprintf("RSS serving scrapes after that start, %s targets (peak); first scrape", n),
					tw: fmtMB(s.twRestartMem.RSS) + " (" + fmtMB(s.twRestartMem.Peak) + "); " + fmtDur(s.twRestartFirst)}
				if s.targets == goalScrapeAt {
					rm.goal = "< " + fmtMB(goalRSS)
					rm.met = yes(s.twRestartMem.RSS < goalRSS)
				}
				rows = append(rows, rm)
			}
			if s.twStartPhases != "" {
				rows = append(rows, row{measure: fmt.Sprintf("start, %s targets: time of each log line", n), tw: s.twStartPhases})
			}
		}
		if bs := s.bigStart; bs != nil {
			st := row{measure: fmt.Sprintf("start to ready, %s targets, %s revisions (RSS)", n, thousands(bs.revisions)),
				tw: fmtDur(bs.ready) + " (" + fmtMB(bs.mem.RSS) + ")"}
			if bs.revisions >= goalStartAtRevs {
				st.goal = "< " + fmtDur(goalStart)
				st.met = yes(bs.ready < goalStart)
			}
			rows = append(rows, st, row{measure: fmt.Sprintf("start, %s targets, %s revisions: time of each log line", n, thousands(bs.revisions)), tw: bs.phases})
		}
		if s.prefill > 0 && s.revisions > 0 {
			rows = append(rows, row{measure: fmt.Sprintf("fill, %s targets: batch POSTs of %d rows", n, cfg.batch),
				tw: thousands(int(float64(s.revisions)/s.prefill.Seconds())) + " rows/s"})
		}
		if s.mixedIdle != nil && s.mixedBusy != nil {
			rows = append(rows, row{
				measure: fmt.Sprintf("ingest, 8 clients, %s targets: figures/s without / with a scrape every %s", n, cfg.mixedEvery),
				tw:      thousands(int(s.mixedIdle.Rate())) + " / " + thousands(int(s.mixedBusy.Rate())),
				ratio:   fmtRatio(s.mixedBusy.Rate()/s.mixedIdle.Rate()) + " while scraping",
				goal:    "scrapes do not slow submissions",
			})
			rows = append(rows, row{
				measure: fmt.Sprintf("/metrics, %s targets, during that ingestion: median / p90", n),
				tw:      fmtDur(s.mixedScrapes.Median) + " / " + fmtDur(s.mixedScrapes.P90),
			})
		}
	}
	if len(measured) > 1 {
		// Linear allows each step to grow as much as the plan did, with a
		// quarter's slack for noise.
		growth := func(name string, v func(*sizeResult) float64, f func(float64) string) row {
			var vals, factors []string
			ok := true
			for i, s := range measured {
				vals = append(vals, f(v(s)))
				if i > 0 && v(measured[i-1]) > 0 {
					step := v(s) / v(measured[i-1])
					factors = append(factors, fmtRatio(step))
					ok = ok && step <= 1.25*float64(s.targets)/float64(measured[i-1].targets)
				}
			}
			return row{measure: "growth " + sizesLabel(measured) + ": " + name,
				tw: strings.Join(vals, " → "), ratio: "steps " + strings.Join(factors, ", "), goal: "linear or better", met: yes(ok)}
		}
		ms := func(x float64) string { return fmtDur(time.Duration(x)) }
		rows = append(rows,
			growth("scrape median", func(s *sizeResult) float64 { return float64(s.tw.Median) }, ms),
			growth("RSS", func(s *sizeResult) float64 { return float64(s.twMem.RSS) }, func(x float64) string { return fmtMB(int64(x)) }),
			growth("start", func(s *sizeResult) float64 { return float64(s.twStart) }, ms),
		)
	}
	for _, g := range r.goBench {
		rows = append(rows, row{measure: "go test -bench " + g.Name,
			tw: fmtDur(time.Duration(g.NsPerOp)) + "/op, " + strings.Join(g.Extra, ", ")})
	}
	if plain, ok := r.goBenchNs("BenchmarkCollector100k"); ok {
		for _, c := range []struct{ name, what string }{
			{"BenchmarkMetrics100k", "cached"},
			{"BenchmarkMetrics100kAfterCommit", "right after a commit"},
		} {
			if ns, ok := r.goBenchNs(c.name); ok && ns > 0 {
				rows = append(rows, row{
					measure: "/metrics, 100,000 targets, " + c.what + ": plain const-metric collector ÷ targetwatch (Go benchmarks)",
					ratio:   fmtRatio(plain/ns) + " faster",
					goal:    "≥ 20×",
					met:     yes(plain/ns >= 20),
				})
			}
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "twbench: targetwatch and prometheus-pushgateway on %s\n", machine())
	if !r.finished.IsZero() {
		fmt.Fprintf(&b, "run %s UTC, %s\n", r.started.UTC().Format("2006-01-02 15:04"), r.finished.Sub(r.started).Round(time.Second))
	}
	what := "the same series as targetwatch (18 per target)"
	if cfg.pgwFigureOnly {
		what = "one series (the figure only)"
	}
	fmt.Fprintf(&b, "ingestion cycles through %s targets = %s Pushgateway groups of %s; each run lasts %s or %s requests; "+
		"targetwatch and the Pushgateway with its check off alternate in %s\n\n",
		thousands(cfg.ingestTargets), thousands(cfg.ingestTargets), what, cfg.ingestFor, thousands(cfg.ingestMax), plural(cfg.rounds, "round"))
	header := row{"measure", "targetwatch", "Pushgateway", "Pushgateway, check off", "ratio (targetwatch's advantage)", "goal", "met"}
	writeTable(&b, header, rows)
	return b.String()
}

// goBenchNs returns the ns/op of the named benchmark, whatever its -N
// GOMAXPROCS suffix.
func (r *results) goBenchNs(name string) (float64, bool) {
	for _, g := range r.goBench {
		base, _, _ := strings.Cut(g.Name, "-")
		if base == name {
			return g.NsPerOp, true
		}
	}
	return 0, false
}

// writeTable writes rows as a Markdown table with padded columns, readable
// as plain text too.
func writeTable(b *strings.Builder, header row, rows []row) {
	cells := func(r row) []string { return []string{r.measure, r.tw, r.pgw, r.pgwNoCheck, r.ratio, r.goal, r.met} }
	width := make([]int, 7)
	for _, r := range append([]row{header}, rows...) {
		for i, c := range cells(r) {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	line := func(cs []string) {
		b.WriteString("|")
		for i, c := range cs {
			b.WriteString(" " + c + strings.Repeat(" ", width[i]-len([]rune(c))) + " |")
		}
		b.WriteString("\n")
	}
	line(cells(header))
	sep := make([]string, 7)
	for i := range sep {
		sep[i] = strings.Repeat("-", width[i])
	}
	line(sep)
	for _, r := range rows {
		line(cells(r))
	}
}

func sizesLabel(ss []*sizeResult) string {
	var parts []string
	for _, s := range ss {
		parts = append(parts, short(s.targets))
	}
	return strings.Join(parts, "→")
}

// short writes 100000 as 100k.
func short(n int) string {
	switch {
	case n >= 1000000 && n%1000000 == 0:
		return strconv.Itoa(n/1000000) + "M"
	case n >= 1000 && n%1000 == 0:
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

func fmtRate(l loadResult) string {
	s := thousands(int(l.Rate()))
	if l.Errors > 0 {
		s += fmt.Sprintf(" (%d errors)", l.Errors)
	}
	return s
}

func fmtCPU(l loadResult) string {
	if l.ServerCPU == 0 && l.ClientCPU == 0 {
		return ""
	}
	us := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e3, 'f', 0, 64) + " µs" }
	return us(l.cpuPer(l.ServerCPU)) + " / " + us(l.cpuPer(l.ClientCPU))
}

func fmtLat(l loadResult) string { return fmtDur(l.P50) + " / " + fmtDur(l.P99) }

// fmtDur prints three significant digits: milliseconds below a second,
// seconds from there.
func fmtDur(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case d >= 10*time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	case d >= time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
	case ms >= 100:
		return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
	case ms >= 10:
		return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
	case ms >= 1:
		return strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
	}
	return strconv.FormatFloat(ms, 'f', 3, 64) + " ms"
}

func fmtMB(b int64) string {
	return strconv.FormatFloat(float64(b)/(1<<20), 'f', 0, 64) + " MB"
}

func fmtBytes(n int, encoding string) string {
	s := strconv.FormatFloat(float64(n)/1024, 'f', 0, 64) + " KiB"
	if encoding != "" {
		s += " " + encoding
	} else {
		s += " uncompressed"
	}
	return s
}

// better writes x, the factor by which targetwatch is ahead, with the word
// for ahead, or its inverse with the word for behind.
func better(x float64, ahead, behind string) string {
	if x >= 1 || x <= 0 {
		return fmtRatio(x) + " " + ahead
	}
	return fmtRatio(1/x) + " " + behind
}

func fmtRatio(x float64) string {
	switch {
	case x >= 100:
		return "×" + strconv.FormatFloat(x, 'f', 0, 64)
	case x >= 10:
		return "×" + strconv.FormatFloat(x, 'f', 1, 64)
	}
	return "×" + strconv.FormatFloat(x, 'f', 2, 64)
}

// thousands writes 12345 as 12,345.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
