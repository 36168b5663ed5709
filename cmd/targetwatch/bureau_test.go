package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/targetwatch/targetwatch/internal/report"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// demoServer fills a database with the demo year and serves it as of
// 2019-10-15, the README's quick start.
func demoServer(t *testing.T) (db, url string) {
	t.Helper()
	db = filepath.Join(t.TempDir(), "demo.db")
	targets := filepath.Join(testenv.RepoRoot(), "targets.yaml")
	code, out, errOut := cli(t, "", "demo", "--db", db, "--targets", targets)
	if code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errOut)
	}
	// How to get a token, not the demo's own token names.
	if want := "targetwatch token issue --db " + db + " --targets " + targets + " --agency civil-affairs --name NAME"; !strings.Contains(out, want) || strings.Contains(out, "demo-") {
		t.Errorf("demo: got\n%s\nwant %q and no demo token names", out, want)
	}
	// The numbers the README quotes.
	if want := "as of 2019-10-15: on track 40, at risk 2, off track 2, achieved 8, missed 1, breached 1"; !strings.Contains(out, want) {
		t.Errorf("demo: got\n%s\nwant %q", out, want)
	}
	return db, testenv.Serve(t, "--db", db, "--as-of", "2019-10-15").URL
}

func TestBureauCommands(t *testing.T) {
	db, url := demoServer(t)
	targets := filepath.Join(testenv.RepoRoot(), "targets.yaml")
	clerk := issueToken(t, db, "--agency", "water-affairs", "--name", "水务局填报员")
	other := issueToken(t, db, "--agency", "civil-affairs")
	down := "http://" + testenv.FreeAddr(t) // nothing listens there

	// The template and the report read the same snapshot online and
	// offline; compare them before any figure changes it.
	_, online, _ := cli(t, clerk, "template", "--server", url, "--agency", "civil-affairs")
	_, offline, _ := cli(t, "", "template", "--agency", "civil-affairs", "--targets", targets, "--db", db, "--as-of", "2019-10-15")
	if online != offline || !strings.HasPrefix(online, report.BOM+"target,period,value,note,序号,指标,单位,报送截止\r\n") {
		t.Errorf("template: got online\n%s\noffline\n%s\nwant the same CSV with a BOM and the import's columns first", online, offline)
	}
	if !strings.Contains(online, "integrated-windows-share,2019-08,,,15.2,") {
		t.Errorf("template: got\n%s\nwant the overdue August row of civil-affairs", online)
	}
	_, onlineReport, _ := cli(t, clerk, "report", "--server", url)
	_, offlineReport, _ := cli(t, "", "report", "--targets", targets, "--db", db, "--as-of", "2019-10-15")
	if onlineReport != offlineReport || !strings.Contains(onlineReport, "序号,指标,责任部门,年度目标") {
		t.Errorf("report: got online\n%.300s\noffline\n%.300s\nwant the same CSV with Chinese headers", onlineReport, offlineReport)
	}
	// The bulletin: the server's (its clock at 2019-10-15) and the one
	// written offline to --out are the same text; 48 of the 54 targets on
	// schedule is checked by hand in internal/report.
	_, onlineBulletin, _ := cli(t, clerk, "report", "--server", url, "--format", "bulletin")
	bulletinFile := filepath.Join(t.TempDir(), "bulletin.md")
	if code, _, errOut := cli(t, "", "report", "--format", "bulletin", "--targets", targets, "--db", db, "--as-of", "2019-10-15", "--out", bulletinFile); code != 0 {
		t.Errorf("report --format bulletin --out: exit %d: %s", code, errOut)
	}
	offlineBulletin, _ := os.ReadFile(bulletinFile)
	if onlineBulletin != string(offlineBulletin) || !strings.Contains(onlineBulletin, "量化指标任务共54项，达到序时进度48项、占比88.9%") {
		t.Errorf("bulletin: got online\n%.400s\noffline\n%.400s\nwant the same Markdown in the bulletin's pattern", onlineBulletin, offlineBulletin)
	}

	csvFile := func(body string) string {
		p := filepath.Join(t.TempDir(), "figures.csv")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := csvFile("target,period,value,note\nsewer-pipes-built,2019-10,1.8,\ninferior-water-bodies-eliminated,2019-10,20,\n")
	huge := csvFile("target,period,value,note\nsewer-pipes-built,2019-10,1.8,\ninferior-water-bodies-eliminated,2019-10,1.7e308,\n")
	bad := csvFile("target,period,value,note\nsewer-pipes-built,2019-10,-1,\nno-such-target,2019-10,3,\nsewer-pipes-built,2019-13,1,\n")

	for _, tc := range []struct {
		name   string
		token  string // TARGETWATCH_TOKEN
		args   []string
		code   int
		stdout string
		stderr []string
	}{
		{"a new figure is stored and echoed in its shortest form", clerk, []string{"submit", "--server", url, "sewer-pipes-built", "2019-10", "1.50"}, 0,
			"sewer-pipes-built 2019-10 = 1.5: stored (revision 1)", nil},
		{"sending it again changes nothing", clerk, []string{"submit", "--server", url, "sewer-pipes-built", "2019-10", "1.5"}, 0,
			"unchanged", nil},
		{"a correction without a reason is refused with the server's detail", clerk, []string{"submit", "--server", url, "sewer-pipes-built", "2019-10", "1.8"}, 1,
			"", []string{"targetwatch submit: ", "note", "(HTTP 422)"}},
		{"a correction with a reason is stored", "", []string{"submit", "--server", url, "--token", clerk, "sewer-pipes-built", "2019-10", "1.8", "--note", "补报漏统计的管段"}, 0,
			"corrected (revision 2)", nil},
		{"a month and a figure are read as a clerk types them", clerk, []string{"submit", "--server", url, "sewer-pipes-built", "2019年10月", "１．８"}, 0,
			"sewer-pipes-built 2019-10 = 1.8: unchanged", nil},
		{"a % on a percentage target is read, full width too", other, []string{"submit", "--server", url, "integrated-windows-share", "2019/8", "４５．５％"}, 0,
			"integrated-windows-share 2019-08 = 45.5: stored", nil},
		{"a % on a target not in percent is a usage error", clerk, []string{"submit", "--server", url, "sewer-pipes-built", "2019-10", "1.8%"}, 2,
			"", []string{"a % sign is read only for a target measured in %"}},
		{"thousands separators are read", clerk, []string{"submit", "--server", url, "sewer-pipes-built", "2019-9", "1,234", "--note", "x"}, 0,
			"sewer-pipes-built 2019-09 = 1234: ", nil},
		{"another agency's target is forbidden", other, []string{"submit", "--server", url, "sewer-pipes-built", "2019-10", "2"}, 1,
			"", []string{"(HTTP 403)"}},
		{"no token is a usage error, told before any request", "", []string{"submit", "--server", down, "sewer-pipes-built", "2019-10", "2"}, 2,
			"", []string{"targetwatch submit: set TARGETWATCH_TOKEN or --token"}},
		{"an unknown token is refused", "tw_nosuchtoken", []string{"submit", "--server", url, "sewer-pipes-built", "2019-10", "2"}, 1,
			"", []string{"(HTTP 401)"}},
		{"a server that is down exits 3", clerk, []string{"submit", "--server", down, "sewer-pipes-built", "2019-10", "2"}, 3,
			"", []string{"cannot reach"}},
		{"a figure beyond 1e12 is a usage error naming the value", clerk, []string{"submit", "--server", url, "sewer-pipes-built", "2019-10", "1.7e308", "--note", "x"}, 2,
			"", []string{`value: must be at most 1000000000000 in magnitude, got "1.7e308"`}},
		{"NaN is a usage error", clerk, []string{"submit", "--server", url, "sewer-pipes-built", "2019-10", "NaN"}, 2,
			"", []string{`value: want a number, got "NaN"`}},
		{"infinity is a usage error", clerk, []string{"submit", "--server", url, "sewer-pipes-built", "2019-10", "+Inf"}, 2,
			"", []string{`value: want a number, got "+Inf"`}},
		{"a value that is not a number is a usage error", clerk, []string{"submit", "--server", url, "sewer-pipes-built", "2019-10", "two"}, 2,
			"", []string{`value: want a number, got "two"`}},
		{"a day that is not the 1st is a usage error", clerk, []string{"submit", "--server", url, "sewer-pipes-built", "2019/10/15", "2"}, 2,
			"", []string{`period: "2019/10/15" names a day other than the 1st`}},
		{"missing arguments are a usage error", clerk, []string{"submit", "--server", url, "sewer-pipes-built"}, 2,
			"", []string{"want TARGET PERIOD VALUE"}},
		{"a dry run stores nothing", clerk, []string{"import", "--server", url, "--dry-run", good}, 0,
			"created 1, unchanged 1, corrected 0 (dry run: nothing stored)", nil},
		{"an import stores every row", clerk, []string{"import", "--server", url, good}, 0,
			"created 1, unchanged 1, corrected 0", nil},
		{"a bad file is refused with one line per bad row", clerk, []string{"import", "--server", url, bad}, 1,
			"", []string{"targetwatch import: ", "\nline 2: value: ", "\nline 3: ", "\nline 4: "}},
		{"an import with a figure beyond 1e12 is refused at its line", clerk, []string{"import", "--server", url, huge}, 1,
			"", []string{"line 3: value: must be at most 1000000000000"}},
		{"an import to a server that is down exits 3", clerk, []string{"import", "--server", down, good}, 3,
			"", []string{"cannot reach"}},
		{"an unknown agency's template is refused", clerk, []string{"template", "--server", url, "--agency", "nope"}, 1,
			"", []string{`unknown agency "nope" (HTTP 404)`}},
		{"the report in markdown", clerk, []string{"report", "--server", url, "--format", "md"}, 0,
			"执行情况报告", nil},
		{"an unknown report format is a usage error", clerk, []string{"report", "--format", "xls"}, 2,
			"", []string{"unknown format"}},
		{"--server and --db do not mix", clerk, []string{"report", "--server", url, "--db", db}, 2,
			"", []string{"cannot be combined with --server"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tc.token, tc.args...)
			if code != tc.code {
				t.Errorf("got exit %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			if !strings.Contains(stdout, tc.stdout) {
				t.Errorf("got stdout %q, want it to contain %q", stdout, tc.stdout)
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("got stderr %q, want it to contain %q", stderr, want)
				}
			}
		})
	}
	// A file with one bad row names it once, and with several bad rows,
	// a correction without its note among them, names every one at once.
	// sewer-pipes-built 2019-10 holds 1.8 by now, so 2.5 corrects it.
	oneBad := csvFile("target,period,value,note\nsewer-pipes-built,2019-11,-1,\n")
	code, _, stderr := cli(t, clerk, "import", "--server", url, oneBad)
	if want := "line 2: value: must not be negative (only a growth target's figure may be), got -1"; code != 1 || strings.Count(stderr, want) != 1 {
		t.Errorf("one bad row: got exit %d, stderr %q; want 1 and %q exactly once", code, stderr, want)
	}
	twoBad := csvFile("target,period,value,note\nsewer-pipes-built,2019-10,2.5,\nsewer-pipes-built,2019-11,-1,\n")
	code, _, stderr = cli(t, clerk, "import", "--server", url, twoBad)
	if code != 1 || !strings.Contains(stderr, "\nline 2: note: ") || !strings.Contains(stderr, "\nline 3: value: must not be negative") {
		t.Errorf("two bad rows: got exit %d, stderr %q; want 1 and line 2's missing note and line 3's value", code, stderr)
	}
}

// TestTemplateRoundTrip: a clerk fills the template as Excel saves it and
// imports it unchanged otherwise.
func TestTemplateRoundTrip(t *testing.T) {
	db, url := demoServer(t)
	clerk := issueToken(t, db, "--agency", "civil-affairs")
	file := filepath.Join(t.TempDir(), "模板.csv")
	code, _, errOut := cli(t, clerk, "template", "--server", url, "--agency", "civil-affairs", "--out", file)
	if code != 0 {
		t.Fatalf("template: exit %d: %s", code, errOut)
	}
	// civil-affairs owes August and September: 2 rows (checked below).
	if want := "wrote " + file + ": 2 rows to fill for agency civil-affairs\n"; errOut != want {
		t.Errorf("template --out: got stderr %q, want %q", errOut, want)
	}
	zhFile := filepath.Join(t.TempDir(), "模板.csv")
	_, _, errOut = cliEnv(t, map[string]string{tokenEnv: clerk, "LANG": "zh_CN.UTF-8"}, "template", "--server", url, "--agency", "civil-affairs", "--out", zhFile)
	if want := "已写入 " + zhFile + ": 共 2 行待填报 (部门 civil-affairs)\n"; errOut != want {
		t.Errorf("template --out in Chinese: got stderr %q, want %q", errOut, want)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// Fill the value column of every row.
	lines := strings.Split(string(b), "\r\n")
	filled := 0
	for i, l := range lines {
		if i == 0 || l == "" {
			continue
		}
		f := strings.SplitN(l, ",", 4)
		lines[i] = f[0] + "," + f[1] + ",40," + f[3]
		filled++
	}
	if filled != 2 {
		t.Fatalf("got %d template rows, want 2 (August and September)", filled)
	}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\r\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, clerk, "import", "--server", url, file)
	if code != 0 || !strings.Contains(out, "created 2, unchanged 0, corrected 0") {
		t.Errorf("import: got exit %d, %q, %q; want the two months created", code, out, errOut)
	}
}
