package planfile

import (
	"fmt"
	"reflect"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Warnings lists what a targets file may hold but its author should look
// at, each at its node: text the service writes into spreadsheets (titles,
// agency names, units) that begins like a formula
// (plan.FormulaLike). The CSV exports neutralise such a cell with a
// leading apostrophe, which the reader then sees, so the text is better
// reworded. A file Parse refuses may yield warnings too; its errors come
// from Parse.
func Warnings(name string, data []byte) []Problem {
	d := newDecoder(name)
	root, ok := d.parse(data)
	if !ok {
		return nil
	}
	var f File
	d.decode(root, reflect.ValueOf(&f).Elem(), "plan")
	warn := func(ptr *string, what, field string) {
		n := d.node(ptr)
		if n == nil || !plan.FormulaLike(*ptr) {
			return
		}
		d.probs = append(d.probs, Problem{File: name, Line: n.Line, Col: n.Column,
			Msg: fmt.Sprintf("warning: %s%s %q begins like a spreadsheet formula (=, +, -, @, tab or carriage return); CSV exports show it with a leading apostrophe", what, field, *ptr)})
	}
	d.probs = nil // decoding problems are Parse's to tell
	warn(&f.Title, "", "title")
	warn(&f.TitleEN, "", "title_en")
	for i := range f.Agencies {
		a := &f.Agencies[i]
		what := fmt.Sprintf("agency %s: ", a.ID)
		warn(&a.Name, what, "name")
		warn(&a.NameEN, what, "name_en")
	}
	for i := range f.Targets {
		t := &f.Targets[i]
		what := fmt.Sprintf("target %s: ", t.ID)
		warn(&t.Title, what, "title")
		warn(&t.TitleEN, what, "title_en")
		warn(&t.Unit, what, "unit")
		warn(&t.UnitEN, what, "unit_en")
	}
	return d.sorted()
}
