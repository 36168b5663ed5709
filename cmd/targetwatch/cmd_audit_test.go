package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestAuditRepoTargets(t *testing.T) {
	file := filepath.Join("..", "..", "targets.yaml")
	code, out, errOut := cli(t, "", "audit", "--targets", file)
	if code != 0 {
		t.Fatalf("got exit %d, want 0; stderr:\n%s", code, errOut)
	}
	if !strings.HasPrefix(out, file+": ok: ") || strings.Contains(out, "note:") {
		t.Errorf("got %q, want an ok line and no missed targets", out)
	}
}

const auditHead = `id: audit-plan
title: 审计
source: plan.txt
timezone: Asia/Shanghai
start: 2019-01-01
end: 2019-12-31
agencies:
  - id: water
    name: 区水务局
targets:
  - id: sewer
    item: "1.1"
    title: 新建污水管道
    quote: 新建污水管道16公里
    agency: water
    kind: quantity
    direction: at_least
    goal: 16
    unit: 公里
    aggregation: sum
`

func TestAuditFindsUnaccountedCandidates(t *testing.T) {
	tests := []struct {
		name    string
		ignored string
		code    int
		lines   []string
	}{
		{"a candidate that is neither target nor ignored fails", "ignored: []\n", 1, []string{
			`targets.yaml: item 1.1: "不少于30条段" (30 条段, at_least) is neither a target with value 30 nor ignored; quote: 确保消除劣V类水体不少于30条段`,
		}},
		{"an ignored candidate passes", "ignored:\n  - item: \"1.1\"\n    text: \"不少于30条段\"\n    reason: counted by the city\n", 0, nil},
		{"an ignored entry that names no candidate fails", "ignored:\n  - item: \"1.1\"\n    text: \"不少于30条段\"\n    reason: counted by the city\n  - item: \"1.1\"\n    text: 5公里\n    reason: stale\n", 1, []string{
			`targets.yaml: ignored item 1.1 "5公里": no such candidate in the source document; remove the entry`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writePlan(t, "1.1新建污水管道16公里，确保消除劣V类水体不少于30条段。\n", auditHead+tt.ignored)
			t.Chdir(filepath.Dir(file)) // the default --targets is ./targets.yaml
			code, out, errOut := cli(t, "", "audit")
			if code != tt.code {
				t.Fatalf("got exit %d, want %d; stdout %q stderr %q", code, tt.code, out, errOut)
			}
			for _, l := range tt.lines {
				if !strings.Contains(errOut, l+"\n") {
					t.Errorf("stderr lacks the line\n%s\ngot:\n%s", l, errOut)
				}
			}
			if tt.code == 0 && !strings.Contains(out, "2 quantitative candidates in plan.txt, 1 are targets, 1 ignored") {
				t.Errorf("got stdout %q, want the summary", out)
			}
		})
	}
}

func TestAuditReportsLoadProblems(t *testing.T) {
	bad := strings.Replace(auditHead, "quote: 新建污水管道16公里", "quote: 新建污水管道17公里", 1) + "ignored: []\n"
	file := writePlan(t, "1.1新建污水管道16公里。\n", bad)
	code, _, errOut := cli(t, "", "audit", "--targets", file)
	if code != 1 || !strings.Contains(errOut, "quote does not appear verbatim in plan.txt") {
		t.Errorf("got exit %d, stderr %q; want 1 and the quote problem", code, errOut)
	}
}

func TestAuditSuggestsIgnoredEntries(t *testing.T) {
	file := writePlan(t, "1.1新建污水管道16公里，确保消除劣V类水体不少于30条段。\n", auditHead+"ignored: []\n")
	code, out, _ := cli(t, "", "audit", "--targets", file, "--suggest")
	want := "  - item: \"1.1\"\n    text: \"不少于30条段\"\n    reason: TODO # 确保消除劣V类水体不少于30条段\n"
	if code != 1 || !strings.Contains(out, want) {
		t.Errorf("got exit %d and stdout\n%s\nwant 1 and\n%s", code, out, want)
	}
}
