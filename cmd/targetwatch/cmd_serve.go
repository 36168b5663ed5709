package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/targetwatch/targetwatch/internal/api"
	"github.com/targetwatch/targetwatch/internal/metrics"
	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/progress"
	"github.com/targetwatch/targetwatch/internal/store"
)

func init() {
	commands["serve"] = command{summary: "run the API, /metrics and the status page", run: runServe}
}

// serveDeps is what serve has built by the time handlers are mounted.
type serveDeps struct {
	Store    *store.DB
	Tracker  *progress.Switch     // the plans' progress, swapped on reload
	Registry *prometheus.Registry // the /metrics registry
	Now      func() time.Time     // the service clock (--as-of or the wall clock)
	Logger   *slog.Logger
}

// Server timeouts. Writes get longer than reads because a batch import
// answers only after its commit and a /metrics of a province-sized plan is
// large.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 15 * time.Second
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("serve", "[--targets FILE]... [--db FILE] [--plan-cache FILE] [--listen ADDR] [--as-of YYYY-MM-DD] [--lock-after DAYS] [--log-format text|json] [--log-level LEVEL] [--require-token]")
	targets := targetsVar(fs, "the targets `FILE`")
	dbPath := fs.String("db", "data/targetwatch.db", "the SQLite database `FILE` (created when absent)")
	planCache := fs.String("plan-cache", "", "remember the checked plan in `FILE` to start faster; used only while the program, the targets file and its source are unchanged; with several --targets, the second plan's cache is FILE.2 and so on (default: the --db file with "+planCacheSuffix+" appended; \"\": off)")
	listen := fs.String("listen", "127.0.0.1:8080", "listen on `ADDR` (port 0 picks a free port; the chosen address is logged)")
	asOf := fs.String("as-of", "", "fix the service clock at noon of `DAY` (YYYY-MM-DD, plan time zone) to replay a past plan year; default: the wall clock")
	lockAfter := fs.Int("lock-after", 60, "lock a month for agencies this many `DAYS` after its report was due (0: never)")
	logFormat := fs.String("log-format", "text", "log `FORMAT` on stderr: text or json")
	logLevel := fs.String("log-level", "info", "log from `LEVEL` up: debug (adds a line per successful request), info, warn or error")
	requireToken := fs.Bool("require-token", false, "require a supervisor or admin token (given once in a sign-in form) to read the status page")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	log, err := newLogger(e.stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	if *lockAfter < 0 {
		return usageError("--lock-after: want 0 or more days, got %d", *lockAfter)
	}

	if !flagGiven(fs, "plan-cache") {
		*planCache = *dbPath + planCacheSuffix
	}
	paths := targets.list()
	plans := make([]*plan.Plan, len(paths))
	for i, path := range paths {
		if plans[i], err = loadPlan(ctx, e, path, planCacheFor(*planCache, i), log); err != nil {
			return err
		}
	}
	if err := planfile.Together(paths, plans); err != nil {
		return err
	}
	// --as-of and the log read the clock in the first plan's zone.
	now, fixed, err := asOfClock(*asOf, plans[0].Location)
	if err != nil {
		return err
	}
	if fixed {
		log.Info("clock fixed", "as_of", now().Format(time.RFC3339))
	}
	warnOutsidePeriod(log, plans, now())

	db, err := store.Open(ctx, *dbPath, store.WithClock(now), store.WithLogger(log))
	if err != nil {
		return err
	}
	defer db.Close()

	start := time.Now()
	first, nrevs, err := loadTracker(ctx, plans, db, now, log)
	if err != nil {
		return err
	}
	log.Info("loaded revisions", "db", *dbPath, "revisions", nrevs, "plans", len(plans), "targets", len(first.Snapshot().Targets), "took", time.Since(start).Round(time.Millisecond))
	// Run owns the progress snapshot: it publishes what the store's writer
	// hands over after each commit (the writer never evaluates) and
	// rebuilds when the clock crosses a boundary. Once ctx is done,
	// submissions still being answered publish for themselves. The Switch
	// runs the current tracker's, and each replacement's after a reload.
	tracker := progress.NewSwitch(first)
	go tracker.Run(ctx)

	reg := metrics.NewRegistry(buildInfo())
	rl, err := newReloader(paths, db, tracker, now, log, reg)
	if err != nil {
		return err
	}
	go rl.onSIGHUP(ctx)
	// The progress families (targetwatch_target_*) are not registered on
	// reg: metrics.Handler serves them from a cache rendered once per
	// snapshot and appends reg's families live.

	lock := time.Duration(*lockAfter) * 24 * time.Hour
	if *lockAfter == 0 {
		lock = -1
	}
	apiHandler, err := api.New(api.Config{
		Store: db, Progress: tracker, Now: now, Logger: log, Registerer: reg, LockAfter: lock,
		Reload: rl.reload,
	})
	if err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.Handle(api.Prefix+"/", apiHandler)
	mux.Handle("POST "+api.ReloadPath, apiHandler)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := db.Ping(ctx); err != nil {
			log.Warn("not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "database unavailable")
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", metrics.Handler(tracker.Snapshot, reg, log))
	deps := &serveDeps{Store: db, Tracker: tracker, Registry: reg, Now: now, Logger: log}
	if err := mountStatusPage(mux, deps, *requireToken); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// Tests and scripts wait for exactly this line to learn the port.
	log.Info("listening", "addr", ln.Addr().String())
	// Done once, after listening, so it does not delay readiness.
	go settleMemory(log)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	log.Info("stopped")
	return nil
}

// planCacheSuffix names the default plan cache after the database.
const planCacheSuffix = ".plancache"

// planCacheFor is the cache file of the i-th targets file: cache itself
// for the first, cache.2, cache.3, ... for the others ("" stays off).
func planCacheFor(cache string, i int) string {
	if cache == "" || i == 0 {
		return cache
	}
	return fmt.Sprintf("%s.%d", cache, i+1)
}

// loadPlan loads the targets file, through the plan cache when cacheFile
// is not empty. The database's directory may not exist yet on a first
// start; the cache is written there all the same.
//
// When the cache is not good, the plan is checked by a child process
// (targetwatch check --plan-cache) that writes it, and the server starts
// from the cache: parsing a province's targets.yaml peaks at several times
// its size (1 GB for 100,000 targets), and a heap that has once been that
// large keeps costing resident memory after it is collected. If the child
// fails (or cannot be started), the plan is loaded here, which reports any
// problems as usual.
func loadPlan(ctx context.Context, e *env, targets, cacheFile string, log *slog.Logger) (*plan.Plan, error) {
	start := time.Now()
	took := func() time.Duration { return time.Since(start).Round(time.Millisecond) }
	if cacheFile == "" {
		p, err := planfile.Load(targets)
		if err == nil {
			log.Info("plan loaded", "targets", len(p.Targets), "cache", "off", "took", took())
		}
		return p, err
	}
	if err := os.MkdirAll(filepath.Dir(cacheFile), 0o750); err != nil {
		return nil, fmt.Errorf("plan cache: %w", err)
	}
	p, info, err := planfile.ReadCached(targets, cacheFile)
	if err != nil {
		return nil, err
	}
	if info.Hit {
		log.Info("plan loaded", "targets", len(p.Targets), "cache", "hit", "took", took())
		return p, nil
	}
	miss := info.Miss
	if e.self != nil {
		err := checkInChild(ctx, e, targets, cacheFile)
		var exit *exec.ExitError
		// Exit status 1 is a plan with problems, which loading it here
		// reports; anything else is worth a warning.
		if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
			log.Warn("checking the plan in a child process failed; checking it here", "err", err)
		}
		if err == nil {
			if p, info, err = planfile.ReadCached(targets, cacheFile); err == nil && info.Hit {
				log.Info("plan loaded", "targets", len(p.Targets), "cache", "miss", "why", miss, "checked_by", "child process", "took", took())
				return p, nil
			}
		}
	}
	p, info, err = planfile.LoadCached(targets, cacheFile)
	if err != nil {
		return nil, err
	}
	log.Info("plan loaded", "targets", len(p.Targets), "cache", "miss", "why", miss, "checked_by", "server", "took", took())
	if info.WriteErr != nil {
		log.Warn("plan cache not written; the next start parses the targets file again", "err", info.WriteErr)
	}
	return p, nil
}

// checkInChild runs `targetwatch check --plan-cache` on the targets file.
// Its error carries the last line the child wrote on stderr.
func checkInChild(ctx context.Context, e *env, targets, cacheFile string) error {
	var stderr bytes.Buffer
	cmd := e.self(ctx, "check", "--targets", targets, "--plan-cache", cacheFile, "--quiet")
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if last := lines[len(lines)-1]; last != "" {
			return fmt.Errorf("%w: %s", err, last)
		}
		return err
	}
	return nil
}

// memoryHeadroom is what serve lets the heap grow beyond what it uses
// once started before the collector works harder (see settleMemory): a
// 10,000-row CSV import allocates about 32 MB, a scrape right after a
// commit at 100,000 targets about 3.5 MB.
const memoryHeadroom = 64 << 20

// settleMemory runs once after start. Reading every revision leaves
// garbage that the runtime would hand back to the system only slowly;
// FreeOSMemory returns it at once. It then sets a soft memory limit of
// what is in use plus memoryHeadroom, unless GOMEMLIMIT says otherwise:
// the plan, its progress and the cached exposition live as long as the
// process, and Go's default headroom of 100% of the live heap would let a
// province-sized server take twice what it needs. A small plan never
// comes near the limit and keeps the default behaviour.
func settleMemory(log *slog.Logger) {
	debug.FreeOSMemory()
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	inUse := int64(ms.Sys - ms.HeapReleased)
	debug.SetMemoryLimit(inUse + memoryHeadroom)
	log.Info("memory limit set", "limit_mb", (inUse+memoryHeadroom)>>20, "in_use_mb", inUse>>20)
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil || !slices.Contains([]string{"debug", "info", "warn", "error"}, strings.ToLower(level)) {
		return nil, usageError("--log-level: want debug, info, warn or error, got %q", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError("--log-format: want text or json, got %q", format)
}

// loadTracker evaluates every stored figure, as serve does at start and the
// offline report and template do once. The revisions are streamed: a
// million of them held as one slice would be 128 MB at the peak of start-up.
func loadTracker(ctx context.Context, plans []*plan.Plan, db *store.DB, now func() time.Time, log *slog.Logger) (*progress.Tracker, int, error) {
	n := 0
	tracker, err := progress.New(progress.Config{Plans: plans, Now: now, Logger: log,
		Revisions: func(add func(plan.Report)) error {
			return db.ForEachFigure(ctx, func(r plan.Report) error {
				add(r)
				n++
				return nil
			})
		},
	})
	if err != nil {
		return nil, 0, err
	}
	return tracker, n, nil
}

// warnOutsidePeriod tells the operator when a plan's period has ended or
// not yet begun at the service clock, and how to replay it: otherwise a
// first run on a past plan year shows everything red with no word why.
func warnOutsidePeriod(log *slog.Logger, plans []*plan.Plan, now time.Time) {
	for _, p := range plans {
		ph := p.PhaseAt(now)
		what := "the plan period has ended: every status is final"
		switch ph {
		case plan.During:
			continue
		case plan.NotBegun:
			what = "the plan period has not begun: nothing is due yet"
		}
		log.Warn(what, "plan", p.ID, "start", p.Start.Format(time.DateOnly), "end", p.End.Format(time.DateOnly),
			"now", now.In(p.Location).Format(time.DateOnly), "replay", "targetwatch serve --as-of "+p.ReplayDay(ph))
	}
}
