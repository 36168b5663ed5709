// Package dashboards generates the Grafana dashboards of a plan: an
// overview (总览), one agency (部门) and one target (指标详情). It is the only
// package that imports the Grafana SDK.
//
// Dashboards are code: they are regenerated from targets.yaml with
// `targetwatch dashboards` and never edited by hand. Every query reads the
// metrics named in package plan, and the Prometheus datasource is a
// template variable so the JSON imports into any Grafana. The output is
// deterministic byte for byte, so the committed files can be checked for
// drift.
package dashboards

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/grafana-tools/sdk"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
)

// Dashboard is one generated dashboard.
type Dashboard struct {
	UID   string
	Title string
	// File is the file name it is written to, derived from UID.
	File string
	// JSON is the dashboard model, indented, ending in a newline.
	JSON []byte
}

// Tag is carried by every generated dashboard; the dashboards link to each
// other through it.
const Tag = "targetwatch"

// statusColors are the colours Grafana shows the statuses in; their names
// are the execution report's (report.StatusText), so a dashboard and the
// report a bureau receives use the same words.
var statusColors = map[plan.Status]string{
	plan.NoData:   "#8e8e8e",
	plan.OnTrack:  "green",
	plan.AtRisk:   "yellow",
	plan.OffTrack: "orange",
	plan.Achieved: "dark-green",
	plan.Missed:   "red",
	plan.Breached: "dark-red",
}

// statusName is the Chinese name of st.
func statusName(st plan.Status) string { return report.StatusText(st, report.Chinese) }

// Generate builds the dashboards of the plans in a fixed order: overview,
// agency, target. With several plans, the boards hold the panels of every
// plan's targets and show those of the plan chosen in $plan; their time
// zone and the pace gauges' thresholds are the first plan's. It fails only
// on a plan that does not validate. It is safe for concurrent use: nothing
// depends on the Grafana SDK's package counters.
func Generate(plans ...*plan.Plan) ([]Dashboard, error) {
	if len(plans) == 0 {
		return nil, fmt.Errorf("generate dashboards: no plan")
	}
	for _, p := range plans {
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("generate dashboards: %w", err)
		}
	}
	g := &generator{plan: plans[0], plans: plans}
	boards := []*sdk.Board{g.overview(), g.agency(), g.target()}
	out := make([]Dashboard, len(boards))
	for i, b := range boards {
		js, err := encode(b)
		if err != nil {
			return nil, fmt.Errorf("generate dashboard %s: %w", b.UID, err)
		}
		out[i] = Dashboard{UID: b.UID, Title: b.Title, File: b.UID + ".json", JSON: js}
	}
	return out, nil
}

// encode marshals b and re-encodes it without HTML escaping, so PromQL's
// comparison operators stay readable in the committed files. Re-encoding
// through maps also sorts every object's keys, which keeps the output
// independent of struct field order in the sdk.
func encode(b *sdk.Board) ([]byte, error) {
	raw, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	// Grafana picks a variable's value itself when current is empty; the
	// sdk would write nulls.
	if m, ok := v.(map[string]any); ok {
		if t, ok := m["templating"].(map[string]any); ok {
			if list, ok := t["list"].([]any); ok {
				for _, x := range list {
					if tv, ok := x.(map[string]any); ok {
						tv["current"] = map[string]any{}
					}
				}
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write writes each dashboard to dir/File through a temporary file and a
// rename, so Grafana's file provisioner never reads half a file. It creates
// dir if needed.
func Write(ctx context.Context, dir string, ds []Dashboard) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write dashboards: %w", err)
	}
	for _, d := range ds {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, d.File), d.JSON); err != nil {
			return fmt.Errorf("write dashboard %s: %w", d.UID, err)
		}
	}
	return nil
}

func writeFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
