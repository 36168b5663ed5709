package planfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // the plan's time zone must load on hosts without zoneinfo

	"gopkg.in/yaml.v3"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Load reads and validates the targets file at path. The plan's source
// document is read relative to the file's directory. A file with problems
// yields Errors listing all of them; a file that cannot be read yields a
// plain error.
func Load(path string) (*plan.Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read targets: %w", err)
	}
	sourcePath := sourcePathFor(path)
	return Parse(path, data, func(rel string) ([]byte, error) {
		return os.ReadFile(sourcePath(rel))
	})
}

// Parse decodes and validates a targets file. name is used in problem
// positions (NAME:LINE:COL). readSource returns the source document named
// by the plan's `source:` field; when it is nil the quotes are not checked
// (for plans built in tests without their document). On any problem Parse
// returns a nil plan and Errors.
func Parse(name string, data []byte, readSource func(rel string) ([]byte, error)) (*plan.Plan, error) {
	d := newDecoder(name)
	// About one decoded value per 20 bytes of YAML: sizing the position map
	// up front saves rehashing it for plans of many thousand targets.
	d.pos = make(map[any]*yaml.Node, len(data)/20)
	root, ok := d.parse(data)
	if !ok {
		return nil, d.sorted()
	}
	var f File
	d.decode(root, reflect.ValueOf(&f).Elem(), "plan")
	if d.bad[&f] || d.exhausted {
		return nil, d.sorted()
	}
	b := builder{decoder: d, f: &f, readSource: readSource}
	p := b.build()
	if len(d.probs) > 0 {
		return nil, d.sorted()
	}
	if err := p.Validate(); err != nil {
		// Unreachable when the rules above cover plan.Validate's.
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

// builder checks a decoded File and converts it into a plan.Plan.
type builder struct {
	*decoder
	f          *File
	readSource func(string) ([]byte, error)

	p         *plan.Plan
	source    *source // nil when the source was not read
	agencyIDs map[string]bool
}

const dateLayout = "2006-01-02"

// itemPattern is a plan item number: "10", "10.2", "10.2.1".
var itemPattern = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)

func (b *builder) build() *plan.Plan {
	f := b.f
	p := &plan.Plan{
		ID:         f.ID,
		Title:      f.Title,
		TitleEN:    f.TitleEN,
		Source:     f.Source,
		Timezone:   f.Timezone,
		Frequency:  "monthly",
		DueDay:     plan.DefaultDueDay,
		Thresholds: plan.DefaultThresholds,
	}
	b.p = p

	if b.required(&f.ID, f, "id") && !plan.ValidID(f.ID) {
		b.errorf(b.node(&f.ID), "id %q is not a valid slug: %s", f.ID, slugRule)
	}
	b.required(&f.Title, f, "title")

	p.Location = time.UTC // stands in after a bad time zone so dates still get checked
	if b.required(&f.Timezone, f, "timezone") {
		if loc, err := time.LoadLocation(f.Timezone); err != nil || f.Timezone == "" || f.Timezone == "Local" {
			b.errorf(b.node(&f.Timezone), "unknown timezone %q: want an IANA name such as Asia/Shanghai", f.Timezone)
		} else {
			p.Location = loc
		}
	}
	start, okStart := b.date(&f.Start, f, "start")
	end, okEnd := b.date(&f.End, f, "end")
	p.Start, p.End = start, end
	period := okStart && okEnd
	if period && !start.Before(end) {
		b.errorf(b.node(&f.End), "end %s is not after start %s", f.End, f.Start)
		period = false
	}

	if b.ok(&f.Frequency) {
		if f.Frequency != "monthly" {
			b.errorf(b.node(&f.Frequency), "unknown frequency %q (want monthly)", f.Frequency)
		}
	}
	if b.ok(&f.DueDay) {
		if f.DueDay < 1 || f.DueDay > 28 {
			b.errorf(b.node(&f.DueDay), "due_day must be within 1..28 (every month has it), got %d", f.DueDay)
		} else {
			p.DueDay = f.DueDay
		}
	}
	b.thresholds()

	if b.required(&f.Source, f, "source") {
		b.readSourceDoc()
	}

	b.agencies()
	b.targets(period)
	b.ignored()
	b.text()
	return p
}

// required reports a missing field at its enclosing mapping and says
// whether rules about the value apply.
func (b *builder) required(ptr, parent any, name string) bool {
	if !b.has(ptr) {
		b.errorf(b.node(parent), "missing %s", name)
		return false
	}
	if s, isString := ptr.(*string); isString && b.ok(ptr) && strings.TrimSpace(*s) == "" {
		b.errorf(b.node(ptr), "%s is empty", name)
		return false
	}
	return b.ok(ptr)
}

// date parses a required YYYY-MM-DD date in the plan's location.
func (b *builder) date(ptr *string, parent any, name string) (time.Time, bool) {
	if !b.required(ptr, parent, name) {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(dateLayout, *ptr, b.p.Location)
	if err != nil {
		b.errorf(b.node(ptr), "%s %q is not a date: want YYYY-MM-DD", name, *ptr)
		return time.Time{}, false
	}
	return t, true
}

func (b *builder) thresholds() {
	t := b.f.Thresholds
	if t == nil {
		return
	}
	th := &b.p.Thresholds
	set := func(ptr *float64, dst *float64, name string) {
		if !b.ok(ptr) {
			return
		}
		if *ptr <= 0 || *ptr > 2 {
			b.errorf(b.node(ptr), "%s must be a ratio above 0 and at most 2, got %s", name, plan.FormatNumber(*ptr))
			return
		}
		*dst = *ptr
	}
	set(&t.AtRisk, &th.AtRisk, "at_risk")
	set(&t.OffTrack, &th.OffTrack, "off_track")
	set(&t.CapWarning, &th.CapWarning, "cap_warning")
	if th.OffTrack > th.AtRisk {
		b.errorf(b.node(&t.OffTrack, &t.AtRisk, t), "off_track (%s) must not be above at_risk (%s)", plan.FormatNumber(th.OffTrack), plan.FormatNumber(th.AtRisk))
	}
	if th.CapWarning > 1 {
		b.errorf(b.node(&t.CapWarning), "cap_warning must be at most 1 (a share of the cap), got %s", plan.FormatNumber(th.CapWarning))
	}
	if b.ok(&t.GrowthPoints) {
		if g := t.GrowthPoints; !(g > 0) || tooBig(g) {
			b.errorf(b.node(&t.GrowthPoints), "growth_points must be a number of percentage points above 0, got %s", plan.FormatNumber(g))
		} else {
			th.GrowthPoints = g
		}
	}
}

func (b *builder) readSourceDoc() {
	if b.readSource == nil {
		return
	}
	n := b.node(&b.f.Source)
	data, err := b.readSource(b.f.Source)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is the one in the file, not the joined one
		}
		b.errorf(n, "cannot read source %q: %v", b.f.Source, err)
		return
	}
	src, err := newSource(data)
	if err != nil {
		b.errorf(n, "source %q: %v", b.f.Source, err)
		return
	}
	b.source = src
}

func (b *builder) agencies() {
	f := b.f
	if !b.has(&f.Agencies) {
		b.errorf(b.node(f), "missing agencies")
	}
	first := map[string]*yaml.Node{}
	b.agencyIDs = map[string]bool{}
	for i := range f.Agencies {
		a := &f.Agencies[i]
		if b.bad[a] {
			continue
		}
		if b.required(&a.ID, a, "id") {
			switch {
			case !plan.ValidID(a.ID):
				b.errorf(b.node(&a.ID), "agency id %q is not a valid slug: %s", a.ID, slugRule)
			case first[a.ID] != nil:
				b.errorf(b.node(&a.ID), "duplicate agency id %q (first at line %d)", a.ID, first[a.ID].Line)
			default:
				first[a.ID] = b.node(&a.ID)
			}
		}
		b.agencyIDs[a.ID] = true
		b.required(&a.Name, a, "name")
		b.p.Agencies = append(b.p.Agencies, plan.Agency{ID: a.ID, Name: a.Name, NameEN: a.NameEN, Assumed: a.Assumed})
	}
}

func (b *builder) ignored() {
	for i := range b.f.Ignored {
		g := &b.f.Ignored[i]
		if b.bad[g] {
			continue
		}
		if b.required(&g.Item, g, "item") && !itemPattern.MatchString(g.Item) {
			b.errorf(b.node(&g.Item), "item %q is not a plan item number such as 10.2", g.Item)
		}
		b.required(&g.Text, g, "text")
		b.required(&g.Reason, g, "reason")
		b.p.Ignored = append(b.p.Ignored, plan.Ignored{Item: g.Item, Text: g.Text, Reason: g.Reason})
	}
}

// slugRule explains plan.ValidID in messages.
const slugRule = "want 1 to 40 of a-z, 0-9 and '-', not starting or ending with '-'"

// timeIn parses a YYYY-MM-DD date at midnight in the plan's location.
func timeIn(s string, p *plan.Plan) (time.Time, error) {
	return time.ParseInLocation(dateLayout, s, p.Location)
}
