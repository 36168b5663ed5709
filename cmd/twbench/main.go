// Command twbench measures targetwatch at district, city and province
// scale, side by side with the Prometheus Pushgateway, and prints one table
// with both systems, the ratios between them and the project's goals.
//
// It runs everything on 127.0.0.1: it generates synthetic plans, starts
// `targetwatch serve` and `prometheus-pushgateway` with their data in a
// temporary directory, drives the same load into both, and stops every
// process it started, also on error or interrupt. Every loop is bounded in
// count and in time.
//
//	go run ./cmd/twbench -quick     # about a minute
//	go run ./cmd/twbench            # the full run, about ten minutes
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// config is the command line.
type config struct {
	plans       int // targetwatch serves the plan of each size split into this many
	targetwatch string
	pushgateway string
	workDir     string
	keep        bool
	out         string

	sizes         []int
	ingestTargets int
	clients       []int
	ingestFor     time.Duration
	rounds        int
	ingestMax     int
	scrapes       int
	scrapeFor     time.Duration
	months        int
	batch         int
	// startTargets and startRevisions: the size whose database is filled
	// on with corrections to startRevisions before one more start.
	startTargets, startRevisions int
	prefillFor                   time.Duration
	pgwMaxTargets                int
	mixedFor                     time.Duration
	mixedEvery                   time.Duration
	goBench                      string
	goBenchPkg                   string
	pgwFigureOnly                bool
	perfDir                      string
	// runTW and runPGW select the systems (-systems).
	runTW, runPGW bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "twbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	root := cfg.workDir
	if root == "" {
		root, err = os.MkdirTemp("", "twbench-")
		if err != nil {
			return err
		}
	}
	if cfg.keep {
		log.Info("keeping data", "dir", root)
	} else {
		defer os.RemoveAll(root)
	}

	ps := &procs{}
	defer ps.stopAll()

	if cfg.targetwatch == "" && cfg.runTW {
		cfg.targetwatch = filepath.Join(root, "targetwatch")
		log.Info("building targetwatch", "out", cfg.targetwatch)
		if err := build(ctx, cfg.targetwatch); err != nil {
			return err
		}
	}
	if cfg.pushgateway == "" && cfg.runPGW {
		cfg.pushgateway, err = exec.LookPath("prometheus-pushgateway")
		if err != nil {
			if cfg.pushgateway, err = exec.LookPath("pushgateway"); err != nil {
				return errors.New("prometheus-pushgateway not found on PATH (Debian: apt-get install prometheus-pushgateway); or pass -pushgateway")
			}
		}
	}

	b := &bench{cfg: cfg, log: log, ps: ps, root: root, res: &results{started: time.Now()}}
	err = b.all(ctx)
	// Whatever was measured before an error or interrupt is still worth
	// printing.
	b.res.finished = time.Now()
	table := b.res.table(cfg)
	fmt.Fprint(stdout, table)
	if cfg.out != "" {
		if werr := os.WriteFile(cfg.out, []byte(table), 0o644); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

// build compiles cmd/targetwatch of the module in the working directory.
func build(ctx context.Context, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/targetwatch")
	b, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("build targetwatch (run twbench from the module root, or pass -targetwatch): %w\n%s", err, b)
	}
	return nil
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	cfg := &config{}
	fs := flag.NewFlagSet("twbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	systems := fs.String("systems", "targetwatch,pushgateway", "systems to measure, comma-separated")
	quick := fs.Bool("quick", false, "a run of about a minute: smaller sizes, shorter loads, fewer scrapes (explicit flags still win)")
	fs.StringVar(&cfg.targetwatch, "targetwatch", "", "targetwatch binary (default: build ./cmd/targetwatch)")
	fs.StringVar(&cfg.pushgateway, "pushgateway", "", "Pushgateway binary (default: prometheus-pushgateway on PATH)")
	fs.StringVar(&cfg.workDir, "dir", "", "directory for plans, databases and logs (default: a new temporary directory)")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the data directory")
	fs.StringVar(&cfg.out, "out", "", "also write the table to this file")
	fs.StringVar(&cfg.perfDir, "perf", "", "record a perf profile of targetwatch during each ingestion and scrape measurement into this directory (needs perf and the right to attach)")
	fs.IntVar(&cfg.plans, "plans", 1, "split the plan of each size into this many plans (targets files) for the scrape, memory and start measurements")
	sizes := fs.String("sizes", "1000,10000,100000", "plan sizes (targets) for scrape, memory and start measurements")
	fs.IntVar(&cfg.ingestTargets, "ingest-targets", 1000, "targets (Pushgateway groups) the ingestion load cycles through")
	clients := fs.String("clients", "1,8", "concurrent clients for the ingestion runs")
	fs.DurationVar(&cfg.ingestFor, "ingest-for", 10*time.Second, "duration of each ingestion run (0 skips ingestion)")
	fs.IntVar(&cfg.ingestMax, "ingest-max", 500000, "at most this many requests per ingestion run")
	fs.IntVar(&cfg.rounds, "rounds", 3, "ingestion rounds of targetwatch and the Pushgateway with its check off, alternating; the ratio is their median")
	fs.IntVar(&cfg.scrapes, "scrapes", 20, "scrapes per measurement")
	fs.DurationVar(&cfg.scrapeFor, "scrape-for", time.Minute, "at most this long per scrape measurement")
	fs.IntVar(&cfg.months, "months", 10, "months of stored figures per target (1..10); revisions = size × months")
	fs.IntVar(&cfg.startTargets, "start-targets", 10000, "at this size, add corrections until the database holds -start-revisions, then start once more")
	fs.IntVar(&cfg.startRevisions, "start-revisions", 1000000, "revisions for the extra start at -start-targets (no extra start when the size already has as many)")
	fs.IntVar(&cfg.batch, "batch", 5000, "rows per batch POST when filling the database")
	fs.DurationVar(&cfg.prefillFor, "prefill-for", 5*time.Minute, "at most this long to fill one database")
	fs.IntVar(&cfg.pgwMaxTargets, "pushgateway-max-targets", 10000, "largest size the Pushgateway is loaded with (18 series per target; it needs about 1.5 KB per series)")
	pgwBody := fs.String("pushgateway-body", "series", "what one push carries: series (the target's 18 series, as targetwatch exposes them) or figure (one gauge: a lower bound for the Pushgateway's cost)")
	fs.DurationVar(&cfg.mixedFor, "mixed-for", 5*time.Second, "duration of the ingestion runs with and without scrapes at the largest size (0 skips them)")
	fs.DurationVar(&cfg.mixedEvery, "mixed-scrape-every", time.Second, "scrape interval during the mixed run")
	fs.StringVar(&cfg.goBench, "gobench", "^Benchmark(Metrics100k|Metrics100kAfterCommit|Collector100k)$", "also run these Go benchmarks (a -bench regexp; empty: none) and add them to the table")
	fs.StringVar(&cfg.goBenchPkg, "gobench-pkg", "./internal/metrics", "package of -gobench")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *quick {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		quickDefaults := map[string]string{
			"sizes":                   "1000,10000",
			"ingest-for":              "3s",
			"rounds":                  "2",
			"scrapes":                 "5",
			"scrape-for":              "15s",
			"pushgateway-max-targets": "1000",
			"mixed-for":               "2s",
			"gobench":                 "",
			"start-revisions":         "300000",
		}
		for name, v := range quickDefaults {
			if !set[name] {
				if err := fs.Set(name, v); err != nil {
					return nil, err
				}
			}
		}
	}
	var err error
	if cfg.sizes, err = intList("sizes", *sizes); err != nil {
		return nil, err
	}
	if cfg.clients, err = intList("clients", *clients); err != nil {
		return nil, err
	}
	switch *pgwBody {
	case "series":
	case "figure":
		cfg.pgwFigureOnly = true
	default:
		return nil, fmt.Errorf("-pushgateway-body: want series or figure, got %q", *pgwBody)
	}
	for _, sys := range strings.Split(*systems, ",") {
		switch strings.TrimSpace(sys) {
		case "targetwatch":
			cfg.runTW = true
		case "pushgateway":
			cfg.runPGW = true
		default:
			return nil, fmt.Errorf("-systems: unknown system %q (want targetwatch, pushgateway)", sys)
		}
	}
	switch {
	case cfg.ingestTargets < 1:
		return nil, fmt.Errorf("-ingest-targets: want at least 1, got %d", cfg.ingestTargets)
	case cfg.months < 1 || cfg.months > len(duePeriods()):
		return nil, fmt.Errorf("-months: want 1..%d, got %d", len(duePeriods()), cfg.months)
	case cfg.scrapes < 1:
		return nil, fmt.Errorf("-scrapes: want at least 1, got %d", cfg.scrapes)
	case cfg.batch < 1:
		return nil, fmt.Errorf("-batch: want at least 1, got %d", cfg.batch)
	case cfg.rounds < 1:
		return nil, fmt.Errorf("-rounds: want at least 1, got %d", cfg.rounds)
	case cfg.ingestMax < 1:
		return nil, fmt.Errorf("-ingest-max: want at least 1, got %d", cfg.ingestMax)
	}
	return cfg, nil
}

// intList parses "1,8" into positive ints.
func intList(name, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-%s: %q is not a positive number", name, f)
		}
		out = append(out, n)
	}
	return out, nil
}

// machine describes where the numbers come from.
func machine() string {
	return fmt.Sprintf("%d CPUs, %s/%s, %s", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
}
