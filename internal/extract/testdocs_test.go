package extract

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// seedPath is the plan document the repository tracks.
var seedPath = filepath.Join("..", "..", "seeds", "000_6318302602e1007d.txt")

func readDoc(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Decode(b)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return s
}

// keyEntry is one line of a testdata/*.key answer key.
type keyEntry struct {
	item   string
	value  float64
	unit   string
	dir    plan.Direction
	approx bool
}

func (k keyEntry) String() string {
	return fmt.Sprintf("%s %s %s %s approximate=%v", k.item, formatValue(k.value), k.unit, k.dir, k.approx)
}

func readKey(t *testing.T, path string) []keyEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []keyEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			t.Fatalf("%s: %q: want 5 tab-separated fields", path, line)
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			t.Fatalf("%s: %q: %v", path, line, err)
		}
		out = append(out, keyEntry{f[0], v, f[2], plan.Direction(f[3]), f[4] == "true"})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOtherDistricts runs the extractor on invented plans of eight other
// districts, written in the style of such documents with the traps they
// hold (ordinals, road codes, quoted slogans, grades, ages, phases, last
// year's figures), and compares its quantitative candidates with
// hand-made answer keys.
func TestOtherDistricts(t *testing.T) {
	for _, name := range []string{"qingchuan-2021", "yunxi-2020", "donghu-2022", "linjiang-2023", "nanxi-2024", "qinghe-2021", "jiangbei-2025", "baishi-2023"} {
		t.Run(name, func(t *testing.T) {
			key := readKey(t, filepath.Join("testdata", name+".key"))
			var got []keyEntry
			for _, c := range Extract(readDoc(t, filepath.Join("testdata", name+".txt"))) {
				if c.Quantitative() {
					got = append(got, keyEntry{c.Item, c.Value, c.Unit, c.Direction, c.Approximate})
				}
			}
			want := map[string]int{} // a key may list the same phrase twice
			for _, k := range key {
				want[k.String()]++
			}
			tp := 0
			for _, g := range got {
				if want[g.String()] > 0 {
					tp++
					want[g.String()]--
				} else {
					t.Errorf("false candidate %s", g)
				}
			}
			for k, n := range want {
				if n > 0 {
					t.Errorf("missed %s", k)
				}
			}
			t.Logf("%s: recall %d/%d, precision %d/%d", name, tp, len(key), tp, len(got))
		})
	}
}

// TestDraftGolden pins the draft YAML of the seed and both test plans.
// Refresh with go test ./internal/extract -update.
func TestDraftGolden(t *testing.T) {
	docs := map[string]string{
		"seed":           seedPath,
		"qingchuan-2021": filepath.Join("testdata", "qingchuan-2021.txt"),
		"yunxi-2020":     filepath.Join("testdata", "yunxi-2020.txt"),
		"donghu-2022":    filepath.Join("testdata", "donghu-2022.txt"),
		"linjiang-2023":  filepath.Join("testdata", "linjiang-2023.txt"),
		"nanxi-2024":     filepath.Join("testdata", "nanxi-2024.txt"),
		"qinghe-2021":    filepath.Join("testdata", "qinghe-2021.txt"),
		"jiangbei-2025":  filepath.Join("testdata", "jiangbei-2025.txt"),
		"baishi-2023":    filepath.Join("testdata", "baishi-2023.txt"),
	}
	for name, path := range docs {
		t.Run(name, func(t *testing.T) {
			got, err := WriteYAML(Extract(readDoc(t, path)), filepath.Base(path))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("draft of %s differs from %s (run with -update and review the diff)", path, golden)
			}
		})
	}
}

func TestOutputIsStableAndSortedByItem(t *testing.T) {
	src := readDoc(t, seedPath)
	first, err := WriteYAML(Extract(src), "seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		again, err := WriteYAML(Extract(src), "seed.txt")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatalf("run %d: got different bytes for the same input", i+2)
		}
	}
	cands := Extract(src)
	for i := 1; i < len(cands); i++ {
		if compareItems(cands[i-1].Item, cands[i].Item) > 0 {
			t.Errorf("candidate %d (item %s) comes after item %s", i, cands[i].Item, cands[i-1].Item)
		}
	}
	if cands[0].Item != "2.3" || cands[len(cands)-1].Item != "19.3" {
		t.Errorf("got items %s … %s, want 2.3 … 19.3", cands[0].Item, cands[len(cands)-1].Item)
	}
}

// TestDraftIsATargetsFile checks that a draft, pasted into a targets
// file, fails only on the placeholders a person must fill in.
func TestDraftIsATargetsFile(t *testing.T) {
	for _, doc := range []struct{ path, year string }{
		{seedPath, "2019"},
		{filepath.Join("testdata", "linjiang-2023.txt"), "2023"}, // with due dates
	} {
		t.Run(filepath.Base(doc.path), func(t *testing.T) {
			src := readDoc(t, doc.path)
			draft, err := WriteYAML(Extract(src), "plan.txt")
			if err != nil {
				t.Fatal(err)
			}
			head := "id: draft\ntitle: 草稿\nsource: plan.txt\ntimezone: Asia/Shanghai\n" +
				"start: " + doc.year + "-01-01\nend: " + doc.year + "-12-31\n" +
				"agencies:\n  - id: todo-agency\n    name: 待定\n"
			readSrc := func(string) ([]byte, error) { return []byte(src), nil }
			_, err = planfile.Parse("draft.yaml", append([]byte(head), draft...), readSrc)
			perrs, ok := err.(planfile.Errors)
			if !ok {
				t.Fatalf("got %v, want planfile.Errors about the placeholders", err)
			}
			for _, p := range perrs {
				if !strings.Contains(p.Msg, Placeholder) {
					t.Errorf("got problem %s, want only problems about %s", p, Placeholder)
				}
			}
			filled := strings.ReplaceAll(string(draft), "agency: "+Placeholder, "agency: todo-agency")
			filled = strings.ReplaceAll(filled, ": "+Placeholder, ": x")
			if _, err := planfile.Parse("draft.yaml", append([]byte(head), filled...), readSrc); err != nil {
				t.Errorf("with the placeholders filled in: got %v, want a valid targets file", err)
			}
		})
	}
}

func TestDueDate(t *testing.T) {
	tests := []struct {
		name, clause string
		year         int
		want         string
	}{
		{"月底前 is the last day of that month", "6月底前完成第二次全国自然灾害综合风险普查", 2023, "2023-06-30"},
		{"Chinese month numerals are read", "十二月底前出台实施办法", 2022, "2022-12-31"},
		{"月前 is the end of the month", "9月前建成投用", 2020, "2020-09-30"},
		{"a year in the clause wins over the plan's", "2024年3月底前完成", 2023, "2024-03-31"},
		{"a quarter ends with its third month", "力争一季度新开工项目占全年的40%", 2023, "2023-03-31"},
		{"上半年 ends in June", "上半年完成招标", 2021, "2021-06-30"},
		{"February has its own last day", "2月底前完成", 2024, "2024-02-29"},
		{"年底前 is the plan's end, the default", "年底前建成", 2023, ""},
		{"no year, no date", "6月底前完成", 0, ""},
		{"a month range is statistics, not a deadline", "1至5月完成投资", 2023, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dueDate(tt.clause, tt.year); got != tt.want {
				t.Errorf("dueDate(%q, %d) = %q, want %q", tt.clause, tt.year, got, tt.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes(seed)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   []byte
		want string
		err  bool
	}{
		{"UTF-8 is read as is", seed, string(seed), false},
		{"a byte order mark is dropped", append([]byte("\xef\xbb\xbf"), seed...), string(seed), false},
		{"GB18030 is detected and decoded", gb, string(seed), false},
		{"CRLF line endings become LF", []byte("1.1新建\r\n1.2完成\r\n"), "1.1新建\n1.2完成\n", false},
		{"bytes that are neither encoding are refused", []byte{0xff, 0xff, 0x81, 0x30}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.in)
			if (err != nil) != tt.err {
				t.Fatalf("got error %v, want error: %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("got %d bytes starting %q, want %d bytes starting %q", len(got), head(got), len(tt.want), head(tt.want))
			}
		})
	}
}

func head(s string) string {
	r := []rune(s)
	return string(r[:min(len(r), 12)])
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // label: text
	}{
		{"dotted numbers are their own labels",
			"一、总体要求\n1.主动承接\n1.1复制借鉴\n1.2 推动转型\n2.激发活力\n2.1开展解读",
			[]string{"1.0: 总体要求", "1: 主动承接", "1.1: 复制借鉴", "1.2: 推动转型", "2: 激发活力", "2.1: 开展解读"}},
		{"numbers that restart per chapter take the chapter",
			"一、经济\n1.甲\n2.乙\n二、城市\n1.丙",
			[]string{"1: 经济", "1.1: 甲", "1.2: 乙", "2: 城市", "2.1: 丙"}},
		{"sections nest between chapters and tasks",
			"三、民生\n（一）教育\n1.学校\n（二）卫生\n1.医院",
			[]string{"3: 民生", "1: 教育", "1.1: 学校", "2: 卫生", "2.1: 医院"}},
		{"a task takes as many enclosing numbers as tell it apart",
			"一、经济\n1.甲\n二、民生\n（一）教育\n1.学校\n（二）卫生\n1.医院",
			[]string{"1.0: 经济", "1.1: 甲", "2.0: 民生", "1: 教育", "2.1.1: 学校", "2: 卫生", "2.2.1: 医院"}},
		{"a chapter introduction is item N.0 when tasks are numbered 1, 2, …",
			"一、目标\n地区生产总值增长7%左右。\n二、任务\n1.新建学校\n2.新建医院",
			[]string{"1.0: 目标\n地区生产总值增长7%左右。", "2.0: 任务", "1: 新建学校", "2: 新建医院"}},
		{"unnumbered lines continue the item and a preamble is item 0",
			"青川区工作要点\n1.新建学校\n继续推进改造",
			[]string{"0: 青川区工作要点", "1: 新建学校\n继续推进改造"}},
		{"a decimal after an item number is not a dotted item",
			"1.6月底前完成\n2.1.5万平方米\n3.2.5 新建",
			[]string{"1: 6月底前完成", "2: 1.5万平方米", "3.2.5: 新建"}},
		{"a year at the start of a line is not a number",
			"1.要点\n2019年底前完成",
			[]string{"1: 要点\n2019年底前完成"}},
		{"blank lines inside an item stay and blank lines after it go",
			"\n\n青川区工作要点\n\n1.新建学校\n\u3000\u3000\n\n继续推进改造\n\n2.新建医院\n\n",
			[]string{"0: 青川区工作要点", "1: 新建学校\n\u3000\u3000\n\n继续推进改造", "2: 新建医院"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, it := range Split(tt.in) {
				got = append(got, it.Label+": "+it.Text)
				if !strings.Contains(tt.in, it.Text) {
					t.Errorf("text %q of item %s is not verbatim", it.Text, it.Label)
				}
			}
			if strings.Join(got, " | ") != strings.Join(tt.want, " | ") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDueComesFromTheTitleYearAndTheSentence(t *testing.T) {
	got := Extract("青川区2021年重点工作\n1.6月底前，新建学校3所，建成医院1座。新增绿地20公顷。")
	want := []string{"2021-06-30", "2021-06-30", ""}
	if len(got) != len(want) {
		t.Fatalf("got %d candidates, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Due != w {
			t.Errorf("candidate %d (%s): got due %q, want %q", i, got[i].Text, got[i].Due, w)
		}
	}
}

func TestWrappedLines(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // Text of each quantitative candidate
	}{
		{"a sentence wrapped mid-line keeps its cue", "1.深入实施消除劣V类水体三年行动计划，确保消除劣V类水体不少于\n329条段。", []string{"不少于329条段"}},
		{"a line ending in punctuation ends the clause", "1.新建学校3所。\n达到95%", []string{"3所", "达到95%"}},
		{"an indented line is a new paragraph", "1.新建学校3所\n　　新增学位500个", []string{"3所", "500个"}},
		{"a chapter title is its own clause", "一、生态环境\n新建公园5座", []string{"5座"}},
		{"a short line is a title, not a wrapped sentence", "江北区2025年重点任务\n新建公园5座，达到95%", []string{"5座", "达到95%"}},
		{"a blank line ends the clause even after a full line", "1.深入实施消除劣V类水体三年行动计划，确保消除劣V类水体达到\n\n329条段。", []string{"329条段"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range quantities(tt.in) {
				got = append(got, c.Text)
				if !strings.Contains(tt.in, c.Quote) {
					t.Errorf("quote %q is not verbatim", c.Quote)
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
