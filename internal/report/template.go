package report

import (
	"io"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// TemplateColumns are the columns the import reads, in the order a
// template writes them; the columns after them only help the clerk and are
// ignored on import.
var TemplateColumns = []string{"target", "period", "value", "note"}

var templateHelp = [][2]string{
	{"序号", "item"},
	{"指标", "title"},
	{"单位", "unit"},
	{"报送截止", "due"},
}

// TemplateMonths lists, per target of one agency, the months a clerk should
// fill in as of the snapshot: the due months still missing, then the months
// that have ended but are not due yet. An achieved milestone owes nothing.
func TemplateMonths(s *plan.Snapshot, agency string) map[string][]plan.Period {
	out := map[string][]plan.Period{}
	for i := range s.Targets {
		g := s.Targets[i]
		t, p := g.Target, g.Plan
		if t.Agency != agency || (t.Kind == plan.Milestone && g.Status == plan.Achieved) {
			continue
		}
		ms := append([]plan.Period(nil), g.Missing...)
		from := p.FirstPeriod()
		if !g.Evaluated.IsZero() {
			from = g.Evaluated.Next()
		}
		last := t.DuePeriod()
		if p.LastPeriod().Before(last) {
			last = p.LastPeriod()
		}
		loc := p.Location
		if loc == nil {
			loc = time.UTC
		}
		now := s.AsOf.In(loc)
		for m := from; !last.Before(m) && !now.Before(m.End(loc)); m = m.Next() {
			ms = append(ms, m)
		}
		if len(ms) > 0 {
			out[t.ID] = ms
		}
	}
	return out
}

// WriteTemplate writes the CSV an agency fills in Excel and imports: one
// row per target and month from TemplateMonths, value and note blank. It
// starts with a UTF-8 byte order mark so Excel shows the Chinese titles,
// and its cells pass SafeCell; the import accepts the file as Excel saves
// it back. An unknown agency is a plan.KindNotFound error. A template of
// several plans has a last column naming each row's plan.
func WriteTemplate(w io.Writer, s *plan.Snapshot, agency string, lang Lang) error {
	if _, ok := s.Agency(agency); !ok {
		return plan.Errorf(plan.KindNotFound, "agency", "unknown agency %q", agency)
	}
	months := TemplateMonths(s, agency)
	cw, err := newCSVWriter(w)
	if err != nil {
		return err
	}
	header := append([]string(nil), TemplateColumns...)
	help := templateHelp
	several := len(s.Plans) > 1
	if several {
		help = append(help, planHeader)
	}
	for _, h := range help {
		if lang == English {
			header = append(header, h[1])
		} else {
			header = append(header, h[0])
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, g := range s.Targets {
		t, p := g.Target, g.Plan
		loc := p.Location
		if loc == nil {
			loc = time.UTC
		}
		for _, m := range months[t.ID] {
			due := p.DueAt(m).In(loc).Format("2006-01-02")
			row := []string{t.ID, m.String(), "", "", t.Item, Title(t, lang), Unit(t, lang), due}
			if several {
				row = append(row, p.ID)
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	return cw.Close()
}
