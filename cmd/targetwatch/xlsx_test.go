package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/targetwatch/targetwatch/internal/testenv"
)

// TestBureauWorkbooks runs the README's Excel steps with the real
// commands: the template as a workbook, filled and imported, and the
// report as a workbook.
func TestBureauWorkbooks(t *testing.T) {
	db, url := demoServer(t)
	clerk := issueToken(t, db, "--agency", "civil-affairs", "--name", "民政局填报员")
	dir := t.TempDir()
	book := filepath.Join(dir, "民政局.xlsx")
	if code, _, errOut := cli(t, clerk, "template", "--server", url, "--agency", "civil-affairs", "--format", "xlsx", "--out", book); code != 0 {
		t.Fatalf("template: exit %d: %s", code, errOut)
	}
	offline := filepath.Join(dir, "offline.xlsx")
	targets := filepath.Join(testenv.RepoRoot(), "targets.yaml")
	if code, _, errOut := cli(t, "", "template", "--agency", "civil-affairs", "--format", "xlsx", "--targets", targets, "--db", db, "--as-of", "2019-10-15", "--out", offline); code != 0 {
		t.Fatalf("offline template: exit %d: %s", code, errOut)
	}
	rows := sheetRows(t, book)
	if off := sheetRows(t, offline); !slices.EqualFunc(rows, off, slices.Equal) {
		t.Errorf("template: got online %q, offline %q, want the same rows", rows, off)
	}
	// As of 2019-10-15 civil affairs owes August and September (the
	// demo's overdue agency).
	if len(rows) < 2 || !slices.Equal(rows[1][:2], []string{"integrated-windows-share", "2019-08"}) {
		t.Fatalf("template: got %q, want the overdue August row of civil-affairs first", rows)
	}

	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetList()[0]
	if err := f.SetCellValue(sheet, "C2", 33.5); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if code, out, errOut := cli(t, clerk, "import", "--server", url, book); code != 0 || !strings.Contains(out, "created 1,") {
		t.Errorf("import: exit %d, stdout %q, stderr %q; want 1 created", code, out, errOut)
	}
	// The file's bytes decide, not only its name.
	renamed := filepath.Join(dir, "figures.dat")
	b, _ := os.ReadFile(book)
	if err := os.WriteFile(renamed, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := cli(t, clerk, "import", "--server", url, "--dry-run", renamed); code != 0 || !strings.Contains(out, "unchanged 1,") {
		t.Errorf("import of a workbook without .xlsx: exit %d, stdout %q, stderr %q; want 1 unchanged", code, out, errOut)
	}

	code, out, errOut := cli(t, clerk, "report", "--server", url, "--format", "xlsx")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	rep := filepath.Join(dir, "report.xlsx")
	if err := os.WriteFile(rep, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := sheetRows(t, rep); len(r) != 55 || r[0][0] != "序号" {
		t.Errorf("report: got %d rows starting %q, want a Chinese header and the demo's 54 targets", len(r), r[0])
	}
	if code, _, errOut := cli(t, clerk, "template", "--server", url, "--agency", "civil-affairs", "--format", "ods"); code != 2 || !strings.Contains(errOut, "want csv or xlsx") {
		t.Errorf("template --format ods: exit %d, %q; want a usage error", code, errOut)
	}
}

func sheetRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
