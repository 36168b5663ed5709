package report

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Standing is where a target stands against the schedule (序时进度) in the
// supervision bulletin. It is a function of plan.Status alone, so the
// bulletin's counts always agree with the statuses the API, /metrics and
// the status page show:
//
//   - OnSchedule (达到序时进度): on_track and achieved, for every kind;
//     at_risk for a cap (at_most), whose figure is still within the cap,
//     only close to it. Milestones count like every target: on_track
//     (more than 30 days before the due date, or nothing due yet) and
//     achieved are on schedule.
//   - Behind (未达到序时进度): at_risk (an at_least target below its
//     trajectory, a milestone due within 30 days and not done), off_track,
//     breached (a cap or zero-growth target exceeded) and missed (the
//     deadline passed short of the goal, milestones included).
//   - Unreported (暂无数据): no_data, a target with nothing to judge yet.
//
// A bulletin's total is the sum of the three.
type Standing int

// Standings.
const (
	OnSchedule Standing = iota
	Behind
	Unreported
)

// StandingOf classifies one target's progress (see Standing).
func StandingOf(g *plan.Progress) Standing {
	switch g.Status {
	case plan.OnTrack, plan.Achieved:
		return OnSchedule
	case plan.AtRisk:
		if g.Target.Direction == plan.AtMost && g.Target.Kind != plan.Milestone {
			return OnSchedule
		}
		return Behind
	case plan.NoData:
		return Unreported
	}
	return Behind
}

// Bulletin is the monthly supervision bulletin (督查通报) in the fixed
// pattern supervision offices publish: the counts against the schedule,
// the targets behind it by name and agency, the agencies whose reports are
// overdue, and what changed since the previous month's due day. Every
// sentence and cell is already worded in Lang, so the Markdown and the
// printable page show the same text.
type Bulletin struct {
	Lang  Lang
	Title string // "<plan> 督查通报"
	// Dates: the as-of line and the period covered.
	Dates string
	// Summary is the pattern sentence: 量化指标任务共N项，达到序时进度X项……
	Summary string
	// Counts holds the figures of Summary, for tests and machines.
	Counts BulletinCounts

	BehindHeading string
	Headers       []string   // of Behind
	Behind        [][]string // one row per target behind, in plan order
	NoBehind      string     // said instead of an empty table

	OverdueHeading string
	Overdue        []string // one line per agency with overdue reports
	NoOverdue      string

	ChangesHeading string
	Changes        []string // fell behind, recovered, achieved; or why there is no comparison
}

// BulletinCounts are the numbers of a bulletin's summary. Total is
// OnSchedule + Behind + Unreported; Achieved, Breached and MissedMilestones
// count statuses (achieved, breached, missed milestones) within them.
type BulletinCounts struct {
	Total, OnSchedule, Behind, Unreported int
	Share                                 float64 // OnSchedule/Total in percent, one decimal
	Achieved, Breached, MissedMilestones  int
}

// Figures streams every stored revision (store.DB.ForEachFigure); the
// bulletin evaluates it at two instants.
type Figures interface {
	ForEachFigure(ctx context.Context, fn func(plan.Report) error) error
}

// BuildBulletin evaluates base's plans at asOf and at the previous month's
// due day (see PreviousDue) from the figures src holds, with known-at
// evaluation (plan.Evaluate): each instant sees only the revisions
// received by then. base supplies the plans and target order, not figures.
func BuildBulletin(ctx context.Context, base *plan.Snapshot, src Figures, asOf time.Time, lang Lang) (*Bulletin, error) {
	revs := map[string][]plan.Report{}
	err := src.ForEachFigure(ctx, func(r plan.Report) error {
		revs[r.Target] = append(revs[r.Target], r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read figures: %w", err)
	}
	cur := EvaluateAt(base, revs, asOf)
	var prev *plan.Snapshot
	if at, ok := PreviousDue(base.Plan, asOf); ok {
		prev = EvaluateAt(base, revs, at)
	}
	return NewBulletin(cur, prev, lang), nil
}

// EvaluateAt is the snapshot of base's targets as of at, from revs (by
// target id): what the service showed, or would have shown, then.
func EvaluateAt(base *plan.Snapshot, revs map[string][]plan.Report, at time.Time) *plan.Snapshot {
	out := make([]*plan.Progress, 0, len(base.Targets))
	for _, p := range base.Plans {
		for i := range p.Targets {
			t := &p.Targets[i]
			g := plan.Evaluate(p, t, revs[t.ID], at)
			out = append(out, &g)
		}
	}
	return base.WithTargets(at, base.Version, out)
}

// lastDue is the last month of p whose report is due at asOf.
func lastDue(p *plan.Plan, asOf time.Time) (plan.Period, bool) {
	m := p.LastPeriod()
	for ; !m.Before(p.FirstPeriod()); m = m.Prev() {
		if !p.DueAt(m).After(asOf) {
			return m, true
		}
	}
	return plan.Period{}, false
}

// PreviousDue is the instant the previous bulletin describes: the due day
// of the month before the last month due at asOf. A bulletin of 15 October
// covers up to September (due 10 October) and compares with 10 September,
// when August was due. ok is false before the plan's second month is due.
func PreviousDue(p *plan.Plan, asOf time.Time) (time.Time, bool) {
	m, ok := lastDue(p, asOf)
	if !ok || !p.FirstPeriod().Before(m) {
		return time.Time{}, false
	}
	return p.DueAt(m.Prev()), true
}

// NewBulletin words the bulletin of cur, compared with prev (nil: no
// comparison). Both must cover the same targets in the same order. With
// several plans the title names them all, each target is named after its
// plan ("plan · target"), and dates follow the first plan's calendar.
func NewBulletin(cur, prev *plan.Snapshot, lang Lang) *Bulletin {
	en := lang == English
	p := cur.Plan
	b := &Bulletin{Lang: lang, Headers: BulletinHeaders(lang)}
	titles := make([]string, len(cur.Plans))
	for i, q := range cur.Plans {
		titles[i] = planTitle(q, lang)
	}
	b.Title = fmt.Sprintf(pick(en, "%s督查通报", "%s: supervision bulletin"), strings.Join(titles, pick(en, "、", "; ")))
	b.Dates = bulletinDates(p, cur.AsOf, prev, en)

	several := len(cur.Plans) > 1
	var behind []string
	for _, g := range cur.Targets {
		c := &b.Counts
		c.Total++
		switch StandingOf(g) {
		case OnSchedule:
			c.OnSchedule++
		case Behind:
			c.Behind++
			b.Behind = append(b.Behind, behindRow(len(b.Behind)+1, cur, g, several, lang))
			behind = append(behind, fmt.Sprintf(pick(en, "%s（%s）", "%s (%s)"), named(g, several, lang), AgencyName(g.Plan, g.Target.Agency, lang)))
		case Unreported:
			c.Unreported++
		}
		switch {
		case g.Status == plan.Achieved:
			c.Achieved++
		case g.Status == plan.Breached:
			c.Breached++
		case g.Status == plan.Missed && g.Target.Kind == plan.Milestone:
			c.MissedMilestones++
		}
	}
	if b.Counts.Total > 0 {
		b.Counts.Share = math.Round(float64(b.Counts.OnSchedule)/float64(b.Counts.Total)*1000) / 10
	}
	b.Summary = summarySentence(b.Counts, behind, en)
	b.BehindHeading = pick(en, "一、未达到序时进度的指标", "1. Targets behind schedule")
	b.OverdueHeading = pick(en, "二、逾期未报送的单位", "2. Agencies with overdue reports")
	b.ChangesHeading = pick(en, "三、与上期相比", "3. Changes since the previous bulletin")
	b.Overdue = overdueLines(cur, lang)
	b.NoBehind = pick(en, "无。", "None.")
	b.NoOverdue = pick(en, "各单位均已按时报送。", "Every agency has reported on time.")
	b.Changes = changeLines(cur, prev, several, lang)
	return b
}

func planTitle(p *plan.Plan, lang Lang) string {
	if lang == English && p.TitleEN != "" {
		return p.TitleEN
	}
	return p.Title
}

// named is a target's title, after its plan's title when several plans
// are loaded.
func named(g *plan.Progress, several bool, lang Lang) string {
	t := Title(g.Target, lang)
	if several && g.Plan != nil {
		t = planTitle(g.Plan, lang) + " · " + t
	}
	return t
}

// bulletinDates is the as-of line: the day, the months covered and the day
// of the comparison.
func bulletinDates(p *plan.Plan, asOf time.Time, prev *plan.Snapshot, en bool) string {
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	day := func(t time.Time) string {
		t = t.In(loc)
		if en {
			return t.Format("2006-01-02")
		}
		return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
	}
	s := fmt.Sprintf(pick(en, "截至%s", "As of %s"), day(asOf))
	if m, ok := lastDue(p, asOf); ok {
		f := p.FirstPeriod()
		if en {
			s += fmt.Sprintf(", covering %s to %s", f, m)
		} else if f.Year == m.Year {
			s += fmt.Sprintf("，数据期间%d年%d月至%d月", f.Year, f.Month, m.Month)
		} else {
			s += fmt.Sprintf("，数据期间%d年%d月至%d年%d月", f.Year, f.Month, m.Year, m.Month)
		}
	} else {
		s += pick(en, "，尚无到期的月度报送", "; no monthly report is due yet")
	}
	if prev != nil {
		s += fmt.Sprintf(pick(en, "；上期为%s", "; compared with %s"), day(prev.AsOf))
	}
	return s + pick(en, "。", ".")
}

func summarySentence(c BulletinCounts, behind []string, en bool) string {
	var s string
	if en {
		s = fmt.Sprintf("Of %d quantified targets, %d are on schedule (%s%%); %d are behind schedule", c.Total, c.OnSchedule, plan.FormatNumber(c.Share), c.Behind)
		if len(behind) > 0 {
			s += ": " + strings.Join(behind, "; ")
		}
		if c.Unreported > 0 {
			s += fmt.Sprintf("; %d have no data yet", c.Unreported)
		}
		return s + fmt.Sprintf(". Among them: achieved %d, caps breached %d, milestones missed %d.", c.Achieved, c.Breached, c.MissedMilestones)
	}
	s = fmt.Sprintf("量化指标任务共%d项，达到序时进度%d项、占比%s%%；未达到序时进度%d项", c.Total, c.OnSchedule, plan.FormatNumber(c.Share), c.Behind)
	if len(behind) > 0 {
		s += "，分别为" + strings.Join(behind, "、")
	}
	if c.Unreported > 0 {
		s += fmt.Sprintf("；暂无数据%d项", c.Unreported)
	}
	return s + fmt.Sprintf("。其中，已完成%d项，突破上限%d项，里程碑逾期未完成%d项。", c.Achieved, c.Breached, c.MissedMilestones)
}

var bulletinHeaders = [][2]string{
	{"序号", "No."},
	{"指标", "Target"},
	{"责任单位", "Agency"},
	{"状态", "Status"},
	{"实际完成", "Actual"},
	{"序时进度", "Expected"},
	{"差距", "Gap"},
}

// BulletinHeaders are the columns of the table of targets behind schedule.
func BulletinHeaders(lang Lang) []string {
	out := make([]string, len(bulletinHeaders))
	for i, h := range bulletinHeaders {
		out[i] = pick(lang == English, h[0], h[1])
	}
	return out
}

// behindRow is one target behind schedule: its figures in its unit,
// rounded by Number; the gap is how far the actual falls short of the
// schedule (or exceeds a cap), never signed.
func behindRow(n int, s *plan.Snapshot, g *plan.Progress, several bool, lang Lang) []string {
	en := lang == English
	t := g.Target
	unit := Unit(t, lang)
	with := func(x float64) string {
		if unit == "" || unit == "%" {
			return Number(x) + unit
		}
		return Number(x) + pick(en, unit, " "+unit)
	}
	row := []string{fmt.Sprint(n), named(g, several, lang), AgencyName(g.Plan, t.Agency, lang), StatusText(g.Status, lang)}
	switch {
	case t.Kind == plan.Milestone:
		due := t.Due.In(locOf(s.Plan)).Format("2006-01-02")
		return append(row, pick(en, "未完成", "not done"), fmt.Sprintf(pick(en, "%s前完成", "done by %s"), due), "—")
	case !g.HasActual:
		return append(row, pick(en, "未报送", "not reported"), with(g.Expected), with(g.Expected))
	}
	return append(row, with(g.Actual), with(g.Expected), with(math.Abs(g.Actual-g.Expected)))
}

func locOf(p *plan.Plan) *time.Location {
	if p != nil && p.Location != nil {
		return p.Location
	}
	return time.UTC
}

// overdueLines lists, per agency in order of first appearance in the
// plan, the months some of its targets have not reported.
func overdueLines(s *plan.Snapshot, lang Lang) []string {
	en := lang == English
	type agency struct {
		name    string
		months  []plan.Period
		targets int
	}
	var order []string
	by := map[string]*agency{}
	for _, g := range s.Targets {
		if len(g.Missing) == 0 {
			continue
		}
		key := g.Target.Agency
		if g.Plan != nil {
			key = g.Plan.ID + "/" + key
		}
		a, ok := by[key]
		if !ok {
			a = &agency{name: AgencyName(g.Plan, g.Target.Agency, lang)}
			by[key] = a
			order = append(order, key)
		}
		a.targets++
		for _, m := range g.Missing {
			if !slices.Contains(a.months, m) {
				a.months = append(a.months, m)
			}
		}
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		a := by[k]
		slices.SortFunc(a.months, func(x, y plan.Period) int { return x.Index(y) })
		ms := make([]string, len(a.months))
		for i, m := range a.months {
			ms[i] = m.String()
		}
		if en {
			out = append(out, fmt.Sprintf("%s: %s (%d %s)", a.name, strings.Join(ms, ", "), a.targets, plural(a.targets)))
		} else {
			out = append(out, fmt.Sprintf("%s：%s（涉及%d项指标）", a.name, strings.Join(ms, "、"), a.targets))
		}
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return "target"
	}
	return "targets"
}

// changeLines compares each target's standing now and at prev: targets
// that fell behind, that recovered (behind then, on schedule now, not
// newly achieved) and that were achieved since.
func changeLines(cur, prev *plan.Snapshot, several bool, lang Lang) []string {
	en := lang == English
	if prev == nil {
		return []string{pick(en, "无上期数据可供比较。", "There is no previous bulletin to compare with.")}
	}
	var fell, recovered, achieved []string
	for i, g := range cur.Targets {
		if i >= len(prev.Targets) {
			break
		}
		was, now := StandingOf(prev.Targets[i]), StandingOf(g)
		name := named(g, several, lang)
		switch {
		case g.Status == plan.Achieved && prev.Targets[i].Status != plan.Achieved:
			achieved = append(achieved, name)
		case now == Behind && was != Behind:
			fell = append(fell, name)
		case now == OnSchedule && was == Behind:
			recovered = append(recovered, name)
		}
	}
	line := func(zh, e string, names []string) string {
		list := pick(en, "无", "none")
		if len(names) > 0 {
			list = strings.Join(names, pick(en, "、", "; "))
		}
		return fmt.Sprintf(pick(en, "%s%d项：%s。", "%s: %d (%s)."), pick(en, zh, e), len(names), list)
	}
	return []string{
		line("新增未达到序时进度", "Fell behind schedule", fell),
		line("恢复达到序时进度", "Back on schedule", recovered),
		line("新完成", "Newly achieved", achieved),
	}
}

// WriteBulletin renders b as Markdown, to paste into a bulletin document.
func WriteBulletin(w io.Writer, b *Bulletin) error {
	var s strings.Builder
	fmt.Fprintf(&s, "# %s\n\n%s\n\n%s\n\n## %s\n\n", mdEscape(b.Title), mdEscape(b.Dates), mdEscape(b.Summary), b.BehindHeading)
	if len(b.Behind) == 0 {
		s.WriteString(mdEscape(b.NoBehind) + "\n")
	} else {
		s.WriteString("| " + strings.Join(b.Headers, " | ") + " |\n|")
		for range b.Headers {
			s.WriteString(" --- |")
		}
		s.WriteString("\n")
		for _, r := range b.Behind {
			c := make([]string, len(r))
			for i := range r {
				c[i] = mdEscape(r[i])
			}
			s.WriteString("| " + strings.Join(c, " | ") + " |\n")
		}
	}
	fmt.Fprintf(&s, "\n## %s\n\n", b.OverdueHeading)
	if len(b.Overdue) == 0 {
		s.WriteString(mdEscape(b.NoOverdue) + "\n")
	}
	for _, l := range b.Overdue {
		s.WriteString("- " + mdEscape(l) + "\n")
	}
	fmt.Fprintf(&s, "\n## %s\n\n", b.ChangesHeading)
	for _, l := range b.Changes {
		s.WriteString("- " + mdEscape(l) + "\n")
	}
	_, err := io.WriteString(w, s.String())
	return err
}

// BulletinFile renders b as Markdown named after its day
// (bulletin-2019-10-15.md).
func BulletinFile(b *Bulletin, asOf time.Time, loc *time.Location) (File, error) {
	var s strings.Builder
	if err := WriteBulletin(&s, b); err != nil {
		return File{}, err
	}
	if loc == nil {
		loc = time.UTC
	}
	name := "bulletin-" + asOf.In(loc).Format("2006-01-02") + ".md"
	return File{Name: name, ContentType: Markdown.ContentType(), Body: []byte(s.String())}, nil
}

// BulletinDay reads the day a bulletin is asked for (YYYY-MM-DD, in loc):
// noon of that day, as --as-of sets the clock, or now when day is empty or
// today. A day after today is refused (nothing is known about it yet), as
// is a malformed one; the error names the as_of field.
func BulletinDay(day string, now time.Time, loc *time.Location) (time.Time, *plan.Error) {
	if loc == nil {
		loc = time.UTC
	}
	if day == "" {
		return now, nil
	}
	d, err := time.ParseInLocation("2006-01-02", day, loc)
	if err != nil {
		return time.Time{}, plan.Errorf(plan.KindInvalid, "as_of", "want YYYY-MM-DD, got %q", truncate(day, 20))
	}
	today := now.In(loc).Format("2006-01-02")
	switch {
	case day == today:
		return now, nil
	case day > today:
		return time.Time{}, plan.Errorf(plan.KindInvalid, "as_of", "%s is after today (%s)", day, today)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc), nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
