package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/targetwatch/targetwatch/internal/synth"
)

// bench runs the measurements in order and fills res as it goes, so an
// error or interrupt still leaves what was measured.
type bench struct {
	cfg  *config
	log  *slog.Logger
	ps   *procs
	root string
	res  *results
}

func (b *bench) all(ctx context.Context) error {
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"ingestion", b.ingest},
		{"scale", b.scale},
		{"Go benchmarks", b.goBenchmarks},
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		b.log.Info("step", "name", s.name)
		if err := s.run(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// ingest measures single-figure submissions with each number of clients.
// targetwatch and the Pushgateway with its check off, the pair whose ratio
// is close to the goal, run side by side in alternating rounds, so both
// meet the same moments of a shared machine; the ratio is the median of
// the rounds'. The Pushgateway with its default check, hundreds of times
// slower, runs once.
func (b *bench) ingest(ctx context.Context) error {
	if b.cfg.ingestFor <= 0 || (!b.cfg.runTW && !b.cfg.runPGW) {
		return nil
	}
	var seed []byte
	if b.cfg.runPGW {
		var err error
		if seed, err = b.seedPushgateway(ctx); err != nil {
			return err
		}
	}
	for _, c := range b.cfg.clients {
		if err := b.ingestRounds(ctx, c, seed); err != nil {
			return fmt.Errorf("%d clients: %w", c, err)
		}
		if b.cfg.runPGW {
			if err := b.ingestPushgatewayChecked(ctx, c, seed); err != nil {
				return fmt.Errorf("%d clients, Pushgateway with its check: %w", c, err)
			}
		}
	}
	b.cleanup(filepath.Join(b.root, "ingest-pgw-seed"))
	return nil
}

// seedPushgateway returns a persistence file holding one group per target,
// as targetwatch starts from a plan with every target, so both hold the
// same series from the start.
func (b *bench) seedPushgateway(ctx context.Context) ([]byte, error) {
	n := b.cfg.ingestTargets
	dir := filepath.Join(b.root, "ingest-pgw-seed")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	seed := &pgwInstance{bin: b.cfg.pushgateway, dir: dir, file: filepath.Join(dir, "pushgateway.data"), figure: b.cfg.pgwFigureOnly}
	if err := seed.start(ctx, b.ps, "pushgateway.log"); err != nil {
		return nil, err
	}
	fill := runLoad(ctx, newClient(8, 30*time.Second), 8, b.cfg.prefillFor, n, seed.push(synth.Plan(n), n))
	seed.stop()
	if fill.Count != n {
		return nil, fmt.Errorf("seeding %d Pushgateway groups: %d pushed, %d errors, first: %v", n, fill.Count, fill.Errors, fill.FirstErr)
	}
	data, err := os.ReadFile(seed.file)
	if err != nil {
		return nil, fmt.Errorf("the Pushgateway wrote no persistence file on SIGTERM: %w", err)
	}
	return data, nil
}

// startPushgateway starts a Pushgateway on a copy of the seed.
func (b *bench) startPushgateway(ctx context.Context, seed []byte, check bool, c int) (*pgwInstance, error) {
	dir := filepath.Join(b.root, fmt.Sprintf("ingest-pgw-%t-%d", check, c))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	g := &pgwInstance{bin: b.cfg.pushgateway, dir: dir, file: filepath.Join(dir, "pushgateway.data"), check: check, figure: b.cfg.pgwFigureOnly}
	if err := os.WriteFile(g.file, seed, 0o644); err != nil {
		return nil, err
	}
	return g, g.start(ctx, b.ps, "pushgateway.log")
}

// ingestRounds runs the alternating rounds: targetwatch PUTs single
// figures into a fresh database (first figures, then corrections, each
// committed), the Pushgateway takes the same targets' series.
func (b *bench) ingestRounds(ctx context.Context, c int, seed []byte) error {
	var (
		tw          *twInstance
		pgw         *pgwInstance
		twSd, pgwSd *side
		sides       []*side
		err         error
	)
	if b.cfg.runTW {
		dir := filepath.Join(b.root, fmt.Sprintf("ingest-tw-%d", c))
		if tw, err = setupTargetwatch(ctx, b.cfg.targetwatch, dir, b.cfg.ingestTargets, 1); err != nil {
			return err
		}
		defer tw.stop()
		if err := tw.start(ctx, b.ps, "serve.log"); err != nil {
			return err
		}
		twSd = &side{name: "targetwatch", proc: tw.proc, do: tw.put(b.cfg.ingestTargets, 0), profile: true}
		sides = append(sides, twSd)
	}
	if b.cfg.runPGW {
		pgw, err = b.startPushgateway(ctx, seed, false, c)
		if pgw != nil {
			defer pgw.stop()
		}
		if err != nil {
			return err
		}
		pgwSd = &side{name: "Pushgateway with its check off", proc: pgw.proc, do: pgw.push(synth.Plan(b.cfg.ingestTargets), b.cfg.ingestTargets)}
		sides = append(sides, pgwSd)
	}
	for n := range b.cfg.rounds {
		for _, sd := range sides {
			if err := b.round(ctx, sd, c, n+1); err != nil {
				return err
			}
		}
	}
	if tw != nil {
		mem, _ := readMemory(tw.proc.pid())
		perCommit, err := tw.figuresPerCommit(ctx)
		if err != nil {
			b.log.Warn("figures per commit unknown", "err", err)
		}
		// Every answer must have stored a figure, or the rounds measured
		// something cheaper than durable submissions.
		if n, err := tw.unchanged(ctx); err != nil {
			return err
		} else if n > 0 {
			return fmt.Errorf("targetwatch: %v figures were resent unchanged and committed nothing", n)
		}
		tw.stop()
		b.res.ingest = append(b.res.ingest, ingestResult{system: sysTargetwatch, load: merge(twSd.rounds), rounds: twSd.rounds, mem: mem, perCommit: perCommit})
		b.cleanup(tw.dir)
	}
	if pgw != nil {
		mem, _ := readMemory(pgw.proc.pid())
		pgw.stop()
		b.res.ingest = append(b.res.ingest, ingestResult{system: sysPushgatewayNoCheck, load: merge(pgwSd.rounds), rounds: pgwSd.rounds, mem: mem})
		b.cleanup(pgw.dir)
	}
	return nil
}

// side is one system in the alternating rounds.
type side struct {
	name    string
	proc    *proc
	do      request
	profile bool // with -perf
	next    int  // where the next round goes on in the sequence of requests
	rounds  []loadResult
}

// round runs round n of sd with c clients. It goes on with the sequence
// where the last round stopped, so targetwatch never receives a figure it
// already has; requests cut short at the deadline may have been stored, so
// c of them are skipped.
func (b *bench) round(ctx context.Context, sd *side, c, n int) error {
	endProfile := func() {}
	if sd.profile {
		endProfile = b.profile(sd.proc, fmt.Sprintf("ingest-%d-round-%d", c, n))
	}
	r := measuredLoad(ctx, sd.proc.pid(), newClient(c, 30*time.Second), c, b.cfg.ingestFor, b.cfg.ingestMax, offset(sd.do, sd.next))
	endProfile()
	b.log.Info("ingestion", append([]any{"system", sd.name, "clients", c, "round", n}, r.attrs()...)...)
	if err := r.check(); err != nil {
		return fmt.Errorf("%s: %w", sd.name, err)
	}
	sd.rounds = append(sd.rounds, r)
	sd.next += r.Count + r.Errors + c
	return nil
}

// ingestPushgatewayChecked runs the Pushgateway with its consistency check
// on, its default, once.
func (b *bench) ingestPushgatewayChecked(ctx context.Context, c int, seed []byte) error {
	g, err := b.startPushgateway(ctx, seed, true, c)
	if g != nil {
		defer g.stop()
	}
	if err != nil {
		return err
	}
	n := b.cfg.ingestTargets
	r := measuredLoad(ctx, g.proc.pid(), newClient(c, 30*time.Second), c, b.cfg.ingestFor, b.cfg.ingestMax, g.push(synth.Plan(n), n))
	mem, _ := readMemory(g.proc.pid())
	b.log.Info("ingestion", append([]any{"system", "Pushgateway", "clients", c}, r.attrs()...)...)
	g.stop()
	if err := r.check(); err != nil {
		return err
	}
	b.res.ingest = append(b.res.ingest, ingestResult{system: sysPushgateway, load: r, rounds: []loadResult{r}, mem: mem})
	b.cleanup(g.dir)
	return nil
}

// scale measures each plan size: scrapes, memory and start time of both
// systems.
func (b *bench) scale(ctx context.Context) error {
	largest := 0
	for _, n := range b.cfg.sizes {
		largest = max(largest, n)
	}
	for _, n := range b.cfg.sizes {
		sr := &sizeResult{targets: n}
		b.res.sizes = append(b.res.sizes, sr)
		if b.cfg.runTW {
			if err := b.scaleTargetwatch(ctx, sr, n == largest); err != nil {
				return fmt.Errorf("targetwatch, %d targets: %w", n, err)
			}
		}
		if !b.cfg.runPGW {
			continue
		}
		if n > b.cfg.pgwMaxTargets {
			b.log.Info("Pushgateway skipped", "targets", n, "max", b.cfg.pgwMaxTargets)
			continue
		}
		if err := b.scalePushgateway(ctx, sr); err != nil {
			return fmt.Errorf("Pushgateway, %d targets: %w", n, err)
		}
	}
	return nil
}

func (b *bench) scaleTargetwatch(ctx context.Context, sr *sizeResult, largest bool) error {
	n := sr.targets
	dir := filepath.Join(b.root, fmt.Sprintf("scale-tw-%d", n))
	defer b.cleanup(dir)
	tw, err := setupTargetwatch(ctx, b.cfg.targetwatch, dir, n, b.cfg.plans)
	if err != nil {
		return err
	}
	if err := tw.start(ctx, b.ps, "serve-1.log"); err != nil {
		return err
	}
	defer tw.stop()
	client := newClient(8, b.cfg.prefillFor)
	took, err := tw.prefill(ctx, client, 0, n*b.cfg.months, b.cfg.months, b.cfg.batch, b.cfg.prefillFor)
	sr.revisions, sr.prefill = n*b.cfg.months, took
	b.log.Info("prefilled", "targets", n, "revisions", sr.revisions, "took", took)
	if err != nil {
		return err
	}
	endProfile := b.profile(tw.proc, fmt.Sprintf("scrape-%d", n))
	sr.tw, err = scrape(ctx, client, tw.url+"/metrics", b.cfg.scrapes, b.cfg.scrapeFor)
	endProfile()
	if err != nil {
		return err
	}
	// What Prometheus sees when a figure arrived since its last scrape: a
	// correction of a prefilled figure, committed.
	put := tw.put(n, 1)
	var afterCommit []time.Duration
	deadline := time.Now().Add(b.cfg.scrapeFor)
	endProfile = b.profile(tw.proc, fmt.Sprintf("commit-scrape-%d", n))
	defer endProfile()
	for i := 0; i < b.cfg.scrapes && time.Now().Before(deadline); i++ {
		if err := put(ctx, client, i); err != nil {
			return err
		}
		d, _, _, err := scrapeOnce(ctx, client, tw.url+"/metrics")
		if err != nil {
			return err
		}
		afterCommit = append(afterCommit, d)
	}
	endProfile()
	sr.twAfterCommit = summarise(afterCommit)
	if sr.twMem, err = readMemory(tw.proc.pid()); err != nil {
		return err
	}
	b.log.Info("targetwatch scrapes", "targets", n, "median", sr.tw.Median, "p90", sr.tw.P90, "after_commit", sr.twAfterCommit.Median,
		"bytes", sr.tw.Bytes, "encoding", sr.tw.Encoding, "rss_mb", sr.twMem.RSS>>20)
	if largest && b.cfg.mixedFor > 0 {
		if err := b.mixed(ctx, tw, sr); err != nil {
			return err
		}
	}
	tw.stop()
	// Start again on the filled database: the time to /readyz 200.
	if err := tw.start(ctx, b.ps, "serve-2.log"); err != nil {
		return err
	}
	sr.twStart = tw.ready
	sr.twStartPhases = phases(tw.proc, "clock fixed", "loaded revisions", "listening")
	sr.twStartMem, _ = readMemory(tw.proc.pid())
	// A server that has only started and been scraped, without the
	// garbage of filling its database through the API.
	restarted, err := scrape(ctx, client, tw.url+"/metrics", b.cfg.scrapes, b.cfg.scrapeFor)
	if err != nil {
		return err
	}
	sr.twRestartFirst = restarted.First
	sr.twRestartMem, _ = readMemory(tw.proc.pid())
	b.log.Info("targetwatch restart", "targets", n, "revisions", sr.revisions, "ready", sr.twStart, "rss_mb", sr.twStartMem.RSS>>20)
	if n != b.cfg.startTargets || b.cfg.startRevisions <= sr.revisions {
		return nil
	}
	// The same plan with many corrections: start time by revisions, apart
	// from the plan's size.
	took, err = tw.prefill(ctx, client, sr.revisions, b.cfg.startRevisions, b.cfg.months, b.cfg.batch, b.cfg.prefillFor)
	b.log.Info("corrections stored", "targets", n, "revisions", b.cfg.startRevisions, "took", took)
	if err != nil {
		return err
	}
	tw.stop()
	if err := tw.start(ctx, b.ps, "serve-3.log"); err != nil {
		return err
	}
	mem, _ := readMemory(tw.proc.pid())
	sr.bigStart = &startResult{revisions: b.cfg.startRevisions, ready: tw.ready, mem: mem,
		phases: phases(tw.proc, "clock fixed", "loaded revisions", "listening")}
	b.log.Info("targetwatch restart", "targets", n, "revisions", b.cfg.startRevisions, "ready", tw.ready, "rss_mb", mem.RSS>>20)
	return nil
}

// mixed runs 8-client ingestion at this size without and then with a
// Prometheus-like scraper, to see whether scrapes slow submissions down.
func (b *bench) mixed(ctx context.Context, tw *twInstance, sr *sizeResult) error {
	n := sr.targets
	c := 8
	endProfile := b.profile(tw.proc, fmt.Sprintf("ingest-%d-targets", n))
	// Corrections of the prefilled figures (round 1 on), each committed;
	// the scrape-after-commit measurement above took the first few.
	put := tw.put(n, 1)
	first := b.cfg.scrapes
	idle := runLoad(ctx, newClient(c, 30*time.Second), c, b.cfg.mixedFor, b.cfg.ingestMax, offset(put, first))
	endProfile()
	if idle.FirstErr != nil {
		return fmt.Errorf("mixed, idle: %w", idle.FirstErr)
	}
	sctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var scrapes []time.Duration
	wg.Go(func() {
		client := newClient(1, time.Minute)
		tick := time.NewTicker(b.cfg.mixedEvery)
		defer tick.Stop()
		for {
			d, _, _, err := scrapeOnce(sctx, client, tw.url+"/metrics")
			if err == nil {
				scrapes = append(scrapes, d)
			}
			select {
			case <-sctx.Done():
				return
			case <-tick.C:
			}
		}
	})
	// A different slice of the (target, month) space, so these are
	// corrections too.
	next := first + idle.Count + idle.Errors + c
	busy := runLoad(ctx, newClient(c, 30*time.Second), c, b.cfg.mixedFor, b.cfg.ingestMax, offset(put, next))
	stop()
	wg.Wait()
	if busy.FirstErr != nil {
		return fmt.Errorf("mixed, scraping: %w", busy.FirstErr)
	}
	// Every figure must have been committed, or this measured something
	// cheaper than durable submissions.
	if n, err := tw.unchanged(ctx); err != nil {
		return fmt.Errorf("mixed: %w", err)
	} else if n > 0 {
		return fmt.Errorf("mixed: %v figures were resent unchanged and committed nothing", n)
	}
	sr.mixedIdle, sr.mixedBusy = &idle, &busy
	sr.mixedScrapes = summarise(scrapes)
	b.log.Info("mixed", "targets", n, "idle_rate", int(idle.Rate()), "scraping_rate", int(busy.Rate()), "scrapes", len(scrapes), "scrape_median", sr.mixedScrapes.Median)
	return nil
}

func (b *bench) scalePushgateway(ctx context.Context, sr *sizeResult) error {
	n := sr.targets
	dir := filepath.Join(b.root, fmt.Sprintf("scale-pgw-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	defer b.cleanup(dir)
	// The consistency check only runs on pushes, so filling with it off
	// changes nothing about scrapes, and keeps the fill linear.
	g := &pgwInstance{bin: b.cfg.pushgateway, dir: dir, file: filepath.Join(dir, "pushgateway.data")}
	if err := g.start(ctx, b.ps, "pushgateway-1.log"); err != nil {
		return err
	}
	defer g.stop()
	p := synth.Plan(n)
	fill := runLoad(ctx, newClient(8, 30*time.Second), 8, b.cfg.prefillFor, n, g.push(p, n))
	if fill.Count != n {
		return fmt.Errorf("filling %d groups: %d pushed, %d errors, first: %v", n, fill.Count, fill.Errors, fill.FirstErr)
	}
	client := newClient(1, 5*time.Minute)
	var err error
	if sr.pgw, err = scrape(ctx, client, g.url+"/metrics", b.cfg.scrapes, b.cfg.scrapeFor); err != nil {
		return err
	}
	if sr.pgwMem, err = readMemory(g.proc.pid()); err != nil {
		return err
	}
	b.log.Info("Pushgateway scrapes", "targets", n, "median", sr.pgw.Median, "p90", sr.pgw.P90, "bytes", sr.pgw.Bytes, "rss_mb", sr.pgwMem.RSS>>20)
	g.stop()
	if err := g.start(ctx, b.ps, "pushgateway-2.log"); err != nil {
		return err
	}
	sr.pgwStart = g.ready
	sr.pgwStartMem, _ = readMemory(g.proc.pid())
	b.log.Info("Pushgateway restart", "targets", n, "ready", sr.pgwStart)
	return nil
}

// profile records a perf profile of target until the returned function is
// called; without -perf it does nothing. A failing perf only loses the
// profile.
func (b *bench) profile(target *proc, name string) func() {
	if b.cfg.perfDir == "" || target == nil {
		return func() {}
	}
	if err := os.MkdirAll(b.cfg.perfDir, 0o755); err != nil {
		b.log.Warn("perf", "err", err)
		return func() {}
	}
	out := filepath.Join(b.cfg.perfDir, name+".perf.data")
	p, err := b.ps.start("perf", "", "perf", "record", "-F", "499", "-g", "-p", strconv.Itoa(target.pid()), "-o", out)
	if err != nil {
		b.log.Warn("perf", "err", err)
		return func() {}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			p.interrupt(30 * time.Second)
			b.log.Info("profile", "file", out, "report", "perf report -i "+out+" --no-children --stdio")
		})
	}
}

// phases lists when p first logged each of msgs, as "msg at 1.2 s".
func phases(p *proc, msgs ...string) string {
	var parts []string
	for _, m := range msgs {
		if d, ok := p.msgAt(m); ok {
			parts = append(parts, m+" "+fmtDur(d))
		}
	}
	return strings.Join(parts, ", ")
}

// summarise sorts durations into a scrapeResult's median and p90.
func summarise(ds []time.Duration) scrapeResult {
	s := append([]time.Duration(nil), ds...)
	slices.Sort(s)
	return scrapeResult{Count: len(s), Median: percentile(s, 50), P90: percentile(s, 90)}
}

func (b *bench) cleanup(dir string) {
	if !b.cfg.keep {
		_ = os.RemoveAll(dir)
	}
}
