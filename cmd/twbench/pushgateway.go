package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/synth"
)

// pgwInstance is a prometheus-pushgateway holding one group per target.
type pgwInstance struct {
	bin, dir string
	file     string // persistence file
	check    bool   // the consistency check (on by default in the Pushgateway)
	figure   bool   // push only the figure, not the target's series
	url      string
	proc     *proc
	ready    time.Duration
}

// start runs the Pushgateway with its persistence file in dir and waits
// for /-/ready.
func (g *pgwInstance) start(ctx context.Context, ps *procs, logName string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args := []string{"--web.listen-address=" + addr, "--persistence.file=" + g.file, "--log.level=warn"}
	if !g.check {
		args = append(args, "--push.disable-consistency-check")
	}
	p, err := ps.start("prometheus-pushgateway", filepath.Join(g.dir, logName), g.bin, args...)
	if err != nil {
		return err
	}
	g.proc = p
	g.url = "http://" + addr
	g.ready, err = waitReady(ctx, p, g.url+"/-/ready", time.Minute)
	return err
}

// stop ends the Pushgateway with SIGTERM, on which it writes its
// persistence file.
func (g *pgwInstance) stop() {
	if g.proc != nil {
		g.proc.stop(time.Minute)
		g.proc = nil
	}
}

// push is the Pushgateway's ingestion request: a PUT of one target's group
// (grouping key target_id) carrying the same series targetwatch exposes for
// that target, with the new figure in it. It cycles through the targets as
// twInstance.put does.
func (g *pgwInstance) push(p *plan.Plan, targets int) request {
	periods := duePeriods()
	pairs := targets * len(periods)
	agencyName := map[string]string{}
	for _, a := range p.Agencies {
		agencyName[a.ID] = a.Name
	}
	return func(ctx context.Context, client *http.Client, j int) error {
		t := &p.Targets[j%targets]
		m := periods[(j/targets)%len(periods)]
		v := synth.Value(t, m, j/pairs)
		var body []byte
		if g.figure {
			body = fmt.Appendf(nil, "# TYPE %s gauge\n%s %s\n", plan.MetricTargetActual, plan.MetricTargetActual, strconv.FormatFloat(v, 'g', -1, 64))
		} else {
			body = groupBody(make([]byte, 0, 2048), p, t, agencyName[t.Agency], v, j/pairs)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPut,
			g.url+"/metrics/job/"+plan.PrometheusJob+"/"+plan.LabelTargetID+"/"+t.ID, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "text/plain; version=0.0.4")
		return do(client, req, http.StatusOK, http.StatusAccepted)
	}
}

// groupBody renders one target's series in the text format: the series
// targetwatch's /metrics carries per target (info, goal, actual, expected,
// projected, both ratios, the status state set, deadline, last report,
// missing reports, revisions): 18, or 16 for a zero goal. target_id comes from the
// grouping key.
func groupBody(b []byte, p *plan.Plan, t *plan.Target, agencyName string, actual float64, revisions int) []byte {
	gauge := func(name string) { b = append(b, "# TYPE "+name+" gauge\n"...) }
	value := func(name, labels string, v float64) {
		b = append(b, name...)
		if labels != "" {
			b = append(b, '{')
			b = append(b, labels...)
			b = append(b, '}')
		}
		b = append(b, ' ')
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
		b = append(b, '\n')
	}
	label := func(k, v string) string { return k + `="` + escapeLabel(v) + `"` }
	gauge(plan.MetricTargetInfo)
	value(plan.MetricTargetInfo, strings.Join([]string{
		label(plan.LabelItem, t.Item), label(plan.LabelTitle, t.Title), label(plan.LabelAgency, t.Agency),
		label(plan.LabelAgencyName, agencyName), label(plan.LabelUnit, t.Unit), label(plan.LabelDirection, string(t.Direction)),
		label(plan.LabelAggregation, string(t.Aggregation)), label(plan.LabelKind, string(t.Kind)),
	}, ","), 1)
	expected := t.Goal * 10 / 12
	for _, s := range []struct {
		name string
		v    float64
	}{
		{plan.MetricTargetGoal, t.Goal},
		{plan.MetricTargetActual, actual},
		{plan.MetricTargetExpected, expected},
		{plan.MetricTargetProjected, actual * 12 / 10},
		{plan.MetricTargetProgressRatio, ratio(actual, t.Goal)},
		{plan.MetricTargetExpectedRatio, ratio(expected, t.Goal)},
	} {
		if t.Goal == 0 && (s.name == plan.MetricTargetProgressRatio || s.name == plan.MetricTargetExpectedRatio) {
			continue // targetwatch omits ratios to a zero goal
		}
		gauge(s.name)
		value(s.name, "", s.v)
	}
	gauge(plan.MetricTargetStatus)
	for _, st := range plan.Statuses {
		v := 0.0
		if st == plan.OnTrack {
			v = 1
		}
		value(plan.MetricTargetStatus, label(plan.LabelStatus, string(st)), v)
	}
	gauge(plan.MetricTargetDeadline)
	value(plan.MetricTargetDeadline, "", float64(p.Deadline(t).Unix()))
	gauge(plan.MetricTargetLastReport)
	value(plan.MetricTargetLastReport, "", float64(time.Now().Unix()))
	gauge(plan.MetricTargetMissing)
	value(plan.MetricTargetMissing, "", 0)
	b = append(b, "# TYPE "+plan.MetricTargetRevisions+" counter\n"...)
	value(plan.MetricTargetRevisions, "", float64(revisions))
	return b
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
