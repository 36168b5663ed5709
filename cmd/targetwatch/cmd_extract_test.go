package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

const extractPlan = "一、生态\n1.新建污水管道16公里，推进区污水厂建成投用，确保消除劣V类水体不少于30条段。\n2.推进区档案馆新馆建成启用，办好第三届运动会。\n"

func TestExtractCommand(t *testing.T) {
	dir := t.TempDir()
	utf8Path := filepath.Join(dir, "plan.txt")
	if err := os.WriteFile(utf8Path, []byte(extractPlan), 0o644); err != nil {
		t.Fatal(err)
	}
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(extractPlan)
	if err != nil {
		t.Fatal(err)
	}
	gbPath := filepath.Join(dir, "gb", "plan.txt")
	if err := os.MkdirAll(filepath.Dir(gbPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gbPath, []byte(gb), 0o644); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := cli(t, "", "extract", utf8Path)
	if code != 0 {
		t.Fatalf("got exit %d, want 0; stderr: %s", code, errOut)
	}
	for _, want := range []string{
		"targets:\n",
		"  - id: item-1a # 16公里\n    item: \"1\"\n",
		"    quote: 确保消除劣V类水体不少于30条段\n",
		"    agency: TODO\n",
		"    kind: milestone\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q; got:\n%s", want, out)
		}
	}
	if strings.Contains(out, "第三届") && strings.Contains(out, "goal: 3\n") {
		t.Errorf("an ordinal became a target:\n%s", out)
	}

	code, gbOut, errOut := cli(t, "", "extract", gbPath)
	if code != 0 || gbOut != out {
		t.Errorf("GB18030 input: got exit %d and different output (stderr %q), want the UTF-8 output", code, errOut)
	}

	code, qOut, _ := cli(t, "", "extract", "--kind", "quantity", utf8Path)
	if code != 0 || strings.Contains(qOut, "kind: milestone") || strings.Count(qOut, "kind: quantity") != 2 {
		t.Errorf("--kind quantity: got exit %d and\n%s\nwant the two quantities only", code, qOut)
	}
	if !strings.Contains(qOut, "  - id: item-1c # 不少于30条段\n") {
		t.Errorf("--kind quantity: got\n%s\nwant item-1c, the id the phrase has among all candidates", qOut)
	}
}

func TestExtractCommandLine(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"a document is required", []string{"extract"}, 2, "want exactly one plan document"},
		{"only one document at a time", []string{"extract", "a.txt", "b.txt"}, 2, "want exactly one plan document"},
		{"an unknown kind is refused", []string{"extract", "--kind", "goal", "a.txt"}, 2, `--kind "goal"`},
		{"a missing file is an error", []string{"extract", filepath.Join(t.TempDir(), "none.txt")}, 1, "read plan document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, "", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.msg) || out != "" {
				t.Errorf("got exit %d, stdout %q, stderr %q; want exit %d and %q", code, out, errOut, tt.code, tt.msg)
			}
		})
	}
}
