package report

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

func TestSafeCell(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
	}{
		{"a formula gets an apostrophe", `=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"an @ function gets an apostrophe", "@SUM(1+1)", "'@SUM(1+1)"},
		{"a sum of numbers is a formula", "-2+3", "'-2+3"},
		{"a plus before a word is a formula", "+cmd", "'+cmd"},
		{"a leading tab hides a formula", "\t=1", "'\t=1"},
		{"a leading carriage return hides a formula", "\r=1", "'\r=1"},
		{"a lone minus is not a number", "-", "'-"},
		{"minus infinity is not a plain number", "-Inf", "'-Inf"},
		{"a hexadecimal float is not a plain number", "-0x1p-2", "'-0x1p-2"},
		{"a negative number stays a number", "-3", "-3"},
		{"a signed decimal stays a number", "+1.5", "+1.5"},
		{"a negative exponent form stays a number", "-2.5e3", "-2.5e3"},
		{"a negative fraction without a leading zero stays a number", "-.5", "-.5"},
		{"a title in Chinese is untouched", "河道整治", "河道整治"},
		{"an equals sign inside the text is untouched", "a=b", "a=b"},
		{"a space before the equals sign is not a formula", " =1", " =1"},
		{"an empty cell stays empty", "", ""},
	} {
		if got := SafeCell(c.in); got != c.want {
			t.Errorf("%s: SafeCell(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

// formulaTitles are target titles a spreadsheet would run; -3 is a plain
// number and stays one.
var formulaTitles = []string{`=HYPERLINK("http://x","y")`, "@SUM(1+1)", "-2+3", "+cmd", "\t=1", "-3"}

// formulaSnapshot is a plan whose titles, units and agency name begin like
// formulas, evaluated by plan.Evaluate with no figures, as of 2019-07-15.
func formulaSnapshot(t *testing.T) *plan.Snapshot {
	t.Helper()
	loc := time.FixedZone("CST", 8*3600)
	p := &plan.Plan{
		ID: "formulas", Title: "=1+1", Timezone: "Asia/Shanghai", Location: loc,
		Start: time.Date(2019, 1, 1, 0, 0, 0, 0, loc), End: time.Date(2019, 12, 31, 0, 0, 0, 0, loc),
		Frequency: "monthly", DueDay: 10, Thresholds: plan.DefaultThresholds,
		Agencies: []plan.Agency{{ID: "water", Name: "@water", NameEN: "=water"}},
	}
	for i, title := range formulaTitles {
		p.Targets = append(p.Targets, plan.Target{
			ID: "t" + strconv.Itoa(i), Item: "1." + strconv.Itoa(i), Title: title, TitleEN: title, Agency: "water",
			Kind: plan.Quantity, Direction: plan.AtLeast, Aggregation: plan.Sum, Goal: 12, Unit: "+km", UnitEN: "-km", Due: p.End,
		})
	}
	asOf := time.Date(2019, 7, 15, 12, 0, 0, 0, loc)
	progress := make([]plan.Progress, len(p.Targets))
	for i := range p.Targets {
		progress[i] = plan.Evaluate(p, &p.Targets[i], nil, asOf)
	}
	return plan.NewSnapshot(p, asOf, 1, progress)
}

// TestCSVExportsAreSafeToOpen reads every CSV the service writes back with
// encoding/csv and checks every cell: one that begins like a formula must
// parse as a finite number.
func TestCSVExportsAreSafeToOpen(t *testing.T) {
	s := formulaSnapshot(t)
	for _, c := range []struct {
		name  string
		write func(*bytes.Buffer) error
		title int // the column holding the title
	}{
		{"the Chinese report", func(b *bytes.Buffer) error { return Write(b, s, CSV, Chinese) }, 1},
		{"the English report", func(b *bytes.Buffer) error { return Write(b, s, CSV, English) }, 1},
		{"the Chinese template", func(b *bytes.Buffer) error { return WriteTemplate(b, s, "water", Chinese) }, 5},
		{"the English template", func(b *bytes.Buffer) error { return WriteTemplate(b, s, "water", English) }, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := c.write(&buf); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), BOM))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) < 1+len(formulaTitles) {
				t.Fatalf("got %d records, want a header and at least %d rows", len(recs), len(formulaTitles))
			}
			for i, rec := range recs {
				for j, cell := range rec {
					if cell == "" || !strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
						continue
					}
					if v, err := strconv.ParseFloat(cell, 64); err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
						t.Errorf("record %d cell %d: %q begins like a formula", i+1, j+1, cell)
					}
				}
			}
			// Titles in plan order, one row each (the template lists more
			// than one month per target, so take each title once).
			var titles []string
			for _, rec := range recs[1:] {
				if n := len(titles); n == 0 || titles[n-1] != rec[c.title] {
					titles = append(titles, rec[c.title])
				}
			}
			want := []string{`'=HYPERLINK("http://x","y")`, "'@SUM(1+1)", "'-2+3", "'+cmd", "'\t=1", "-3"}
			if strings.Join(titles, "|") != strings.Join(want, "|") {
				t.Errorf("got titles %q, want %q", titles, want)
			}
		})
	}
}
