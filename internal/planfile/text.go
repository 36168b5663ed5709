package planfile

import (
	"fmt"
	"reflect"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// shownText visits the text of f that the service shows and exports: the
// plan's title, agency names, and target titles and units. what names the
// agency or target ("" for the plan itself).
func shownText(f *File, visit func(ptr *string, what, field string)) {
	visit(&f.Title, "", "title")
	visit(&f.TitleEN, "", "title_en")
	for i := range f.Agencies {
		a := &f.Agencies[i]
		what := fmt.Sprintf("agency %s: ", a.ID)
		visit(&a.Name, what, "name")
		visit(&a.NameEN, what, "name_en")
	}
	for i := range f.Targets {
		t := &f.Targets[i]
		what := fmt.Sprintf("target %s: ", t.ID)
		visit(&t.Title, what, "title")
		visit(&t.TitleEN, what, "title_en")
		visit(&t.Unit, what, "unit")
		visit(&t.UnitEN, what, "unit_en")
	}
}

// text refuses control and bidirectional characters (plan.CheckText) in
// the shown text: they would disguise a title on the page, in a terminal
// and in a spreadsheet.
func (b *builder) text() {
	shownText(b.f, func(ptr *string, what, field string) {
		if !b.ok(ptr) {
			return
		}
		if err := plan.CheckText(field, *ptr); err != nil {
			b.errorf(b.node(ptr), "%s%v", what, err)
		}
	})
}

// Warnings lists what a targets file may hold but its author should look
// at, each at its node: text the service writes into spreadsheets (titles,
// agency names, units) that begins like a formula (plan.FormulaLike). The
// CSV exports neutralise such a cell with a leading apostrophe, which the
// reader then sees, so the text is better reworded. A file Parse refuses
// may yield warnings too; its errors come from Parse.
func Warnings(name string, data []byte) []Problem {
	d := newDecoder(name)
	root, ok := d.parse(data)
	if !ok {
		return nil
	}
	var f File
	d.decode(root, reflect.ValueOf(&f).Elem(), "plan")
	d.probs = nil // decoding problems are Parse's to tell
	shownText(&f, func(ptr *string, what, field string) {
		n := d.node(ptr)
		if n == nil || !plan.FormulaLike(*ptr) {
			return
		}
		d.probs = append(d.probs, Problem{File: name, Line: n.Line, Col: n.Column,
			Msg: fmt.Sprintf("warning: %s%s %q begins like a spreadsheet formula (=, +, -, @, tab or carriage return); CSV exports show it with a leading apostrophe", what, field, *ptr)})
	})
	return d.sorted()
}
