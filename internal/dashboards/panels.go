package dashboards

import (
	"github.com/grafana-tools/sdk"
)

// The sdk's typed panels lack field overrides, value mappings and
// transformations, which every panel here needs; panels are therefore sdk
// custom panels whose extra keys are the structs below.

// datasourceRef points a panel or query at the $datasource variable, so the
// JSON imports into any Grafana whatever its Prometheus is called.
type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

var promDatasource = datasourceRef{Type: "prometheus", UID: "${" + VarDatasource + "}"}

type fieldConfig struct {
	Defaults  fieldDefaults `json:"defaults"`
	Overrides []override    `json:"overrides"`
}

type fieldDefaults struct {
	Unit       string               `json:"unit,omitempty"`
	Decimals   *int                 `json:"decimals,omitempty"`
	Min        *float64             `json:"min,omitempty"`
	Max        *float64             `json:"max,omitempty"`
	NoValue    string               `json:"noValue,omitempty"`
	Color      sdk.FieldConfigColor `json:"color"`
	Thresholds *sdk.Thresholds      `json:"thresholds,omitempty"`
	Mappings   []mapping            `json:"mappings"`
	Links      []link               `json:"links,omitempty"`
	Custom     map[string]any       `json:"custom,omitempty"`
}

type link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

type override struct {
	Matcher    overrideMatcher `json:"matcher"`
	Properties []property      `json:"properties"`
}

type overrideMatcher struct {
	ID      string `json:"id"`
	Options string `json:"options"`
}

type property struct {
	ID    string `json:"id"`
	Value any    `json:"value"`
}

func byName(name string, props ...property) override {
	return override{Matcher: overrideMatcher{ID: "byName", Options: name}, Properties: props}
}

type mapping struct {
	Type    string `json:"type"`
	Options any    `json:"options"`
}

type mappingResult struct {
	Text  string `json:"text"`
	Color string `json:"color,omitempty"`
	Index int    `json:"index"`
}

// valueMapping maps exact values to text, e.g. a status code to 正常推进.
func valueMapping(values []string, results []mappingResult) mapping {
	opts := make(map[string]mappingResult, len(values))
	for i, v := range values {
		results[i].Index = i
		opts[v] = results[i]
	}
	return mapping{Type: "value", Options: opts}
}

// specialMapping maps "nan", "null" or "null+nan" to text.
func specialMapping(match string, result mappingResult) mapping {
	return mapping{Type: "special", Options: struct {
		Match  string        `json:"match"`
		Result mappingResult `json:"result"`
	}{match, result}}
}

func steps(base string, rest ...any) *sdk.Thresholds {
	s := []sdk.ThresholdStep{{Color: base}}
	for i := 0; i+1 < len(rest); i += 2 {
		v := rest[i].(float64)
		s = append(s, sdk.ThresholdStep{Color: rest[i+1].(string), Value: &v})
	}
	return &sdk.Thresholds{Mode: "absolute", Steps: s}
}

type transformation struct {
	ID      string `json:"id"`
	Options any    `json:"options"`
}

// organize renames columns (in order) and drops the ones named in exclude.
func organize(rename [][2]string, exclude ...string) transformation {
	ex := map[string]bool{}
	for _, e := range exclude {
		ex[e] = true
	}
	names := map[string]string{}
	order := map[string]int{}
	for i, r := range rename {
		names[r[0]] = r[1]
		order[r[0]] = i
	}
	return transformation{ID: "organize", Options: map[string]any{
		"excludeByName": ex,
		"indexByName":   order,
		"renameByName":  names,
	}}
}

func sortBy(field string, desc bool) transformation {
	return transformation{ID: "sortBy", Options: map[string]any{
		"sort": []map[string]any{{"field": field, "desc": desc}},
	}}
}

// query is an instant or range Prometheus query of a panel.
type query struct {
	expr    string
	legend  string
	table   bool // instant, table-formatted
	instant bool
}

func targets(qs []query) []sdk.Target {
	out := make([]sdk.Target, len(qs))
	for i, q := range qs {
		t := sdk.Target{
			RefID:        string(rune('A' + i)),
			Datasource:   promDatasource,
			Expr:         q.expr,
			LegendFormat: q.legend,
			Instant:      q.instant || q.table,
			Format:       "time_series",
		}
		if q.table {
			t.Format = "table"
		}
		out[i] = t
	}
	return out
}

// panelSpec is everything a panel needs besides its position.
type panelSpec struct {
	kind            string // gauge, stat, table, timeseries, text
	title           string
	description     string
	queries         []query
	fieldConfig     fieldConfig
	options         map[string]any
	transformations []transformation
	w, h            int
}

func (ps panelSpec) panel() *sdk.Panel {
	p := sdk.NewCustom(ps.title)
	p.Type = ps.kind
	p.Renderer = nil
	p.IsNew = false
	p.Datasource = promDatasource
	if ps.description != "" {
		d := ps.description
		p.Description = &d
	}
	fc := ps.fieldConfig
	if fc.Defaults.Mappings == nil {
		fc.Defaults.Mappings = []mapping{}
	}
	if fc.Overrides == nil {
		fc.Overrides = []override{}
	}
	opts := ps.options
	if opts == nil {
		opts = map[string]any{}
	}
	c := sdk.CustomPanel{"fieldConfig": fc, "options": opts}
	if len(ps.queries) > 0 {
		c["targets"] = targets(ps.queries)
	}
	if len(ps.transformations) > 0 {
		c["transformations"] = ps.transformations
	}
	p.CustomPanel = &c
	return p
}

// rowPanel starts a titled section of a dashboard.
func rowPanel(title string) *sdk.Panel {
	return &sdk.Panel{
		CommonPanel: sdk.CommonPanel{OfType: sdk.RowType, Type: "row", Title: title},
		RowPanel:    &sdk.RowPanel{Panels: []sdk.Panel{}},
	}
}

// layout places panels left to right, wrapping at Grafana's 24 columns, and
// numbers them in order: the sdk hands out ids from package counters, which
// would make the output depend on what was generated before.
type layout struct {
	panels  []*sdk.Panel
	x, y, h int
}

const gridWidth = 24

func (l *layout) row(title string) {
	l.newline()
	p := rowPanel(title)
	l.place(p, gridWidth, 1)
	l.newline()
}

func (l *layout) add(ps panelSpec) {
	if l.x+ps.w > gridWidth {
		l.newline()
	}
	l.place(ps.panel(), ps.w, ps.h)
}

func (l *layout) newline() {
	l.y += l.h
	l.x, l.h = 0, 0
}

func (l *layout) place(p *sdk.Panel, w, h int) {
	x, y := l.x, l.y
	p.GridPos.X, p.GridPos.Y, p.GridPos.W, p.GridPos.H = &x, &y, &w, &h
	p.ID = uint(len(l.panels) + 1)
	l.panels = append(l.panels, p)
	l.x += w
	l.h = max(l.h, h)
}
