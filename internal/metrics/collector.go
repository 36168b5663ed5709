package metrics

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Collector is a prometheus.Collector of the progress families over
// whatever snapshot its function returns at Collect time. It is safe for
// concurrent use; Collect builds const metrics and holds no state.
//
// The service does not register it: its /metrics is Handler, which serves
// the same families from a cache. Register a Collector where a registry is
// wanted (tests, tools) and never in the registry given to Handler too.
type Collector struct {
	snapshot func() *plan.Snapshot
	descs    []*prometheus.Desc
}

// NewCollector returns a collector over snapshot, which must not return
// nil.
func NewCollector(snapshot func() *plan.Snapshot) *Collector {
	c := &Collector{snapshot: snapshot}
	for _, f := range families {
		c.descs = append(c.descs, prometheus.NewDesc(f.name, f.help, f.labels, nil))
	}
	return c
}

// New returns a collector over snapshot, registered with reg.
func New(reg prometheus.Registerer, snapshot func() *plan.Snapshot) (*Collector, error) {
	if snapshot == nil {
		return nil, errors.New("metrics: no snapshot function")
	}
	c := NewCollector(snapshot)
	if err := reg.Register(c); err != nil {
		return nil, err
	}
	return c, nil
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.snapshot()
	names := newAgencyNames(s)
	for fi, f := range families {
		desc := c.descs[fi]
		emit := func(v float64, lv ...string) {
			ch <- prometheus.MustNewConstMetric(desc, f.typ, v, lv...)
		}
		if f.perPlan != nil {
			for _, p := range s.Plans {
				f.perPlan(p, emit)
			}
			continue
		}
		if f.perAgency != nil {
			for _, a := range agencies(s) {
				f.perAgency(a, emit)
			}
			continue
		}
		for i := range s.Targets {
			f.perTarget(s.Targets[i], names, emit)
		}
	}
}
