package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/progress"
	"github.com/targetwatch/targetwatch/internal/store"
)

// reloader re-reads the targets files on SIGHUP and POST /-/reload: every
// file and its source document, checked on its own and together, then
// the stored figures evaluated for the new plans, and only then swapped
// in (progress.Switch). A reload with any problem changes nothing.
type reloader struct {
	paths   []string
	db      *store.DB
	tracker *progress.Switch
	now     func() time.Time
	log     *slog.Logger

	mu        sync.Mutex // one reload at a time
	ok, stamp prometheus.Gauge
}

func newReloader(paths []string, db *store.DB, tracker *progress.Switch, now func() time.Time, log *slog.Logger, reg prometheus.Registerer) (*reloader, error) {
	r := &reloader{paths: paths, db: db, tracker: tracker, now: now, log: log,
		ok: prometheus.NewGauge(prometheus.GaugeOpts{Name: plan.MetricPlanLastReloadSuccessful,
			Help: "Whether the latest reload of the targets files succeeded (1) or kept the old plans (0); 1 after start."}),
		stamp: prometheus.NewGauge(prometheus.GaugeOpts{Name: plan.MetricPlanLastReloadSuccess,
			Help: "When the plans were last loaded successfully (at start or by a reload), as a Unix time."}),
	}
	for _, g := range []prometheus.Collector{r.ok, r.stamp} {
		if err := reg.Register(g); err != nil {
			return nil, err
		}
	}
	r.ok.Set(1)
	r.stamp.SetToCurrentTime()
	return r, nil
}

// onSIGHUP reloads on every SIGHUP until ctx is done.
func (r *reloader) onSIGHUP(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			_ = r.reload(ctx) // reload logs its outcome
		}
	}
}

// reload re-reads and swaps in the plans, or keeps the old ones and logs
// every problem as FILE:LINE:COL: message. It returns the problems.
func (r *reloader) reload(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := time.Now()
	err := r.swap(ctx)
	if err != nil {
		r.ok.Set(0)
		var probs planfile.Errors
		if errors.As(err, &probs) {
			for _, p := range probs {
				r.log.Error(p.String())
			}
		}
		r.log.Error("reload failed; serving the plans loaded before", "err", err)
		return err
	}
	r.ok.Set(1)
	r.stamp.SetToCurrentTime()
	s := r.tracker.Snapshot()
	r.log.Info("plans reloaded", "plans", len(s.Plans), "targets", len(s.Targets), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func (r *reloader) swap(ctx context.Context) error {
	plans := make([]*plan.Plan, len(r.paths))
	var probs planfile.Errors
	for i, path := range r.paths {
		p, err := planfile.Load(path)
		var pe planfile.Errors
		switch {
		case errors.As(err, &pe):
			probs = append(probs, pe...)
		case err != nil:
			return err
		}
		plans[i] = p
	}
	if len(probs) > 0 {
		return probs
	}
	if err := planfile.Together(r.paths, plans); err != nil {
		return err
	}
	return r.tracker.Replace(func() (*progress.Tracker, error) {
		t, _, err := loadTracker(ctx, plans, r.db, r.now, r.log)
		return t, err
	})
}
