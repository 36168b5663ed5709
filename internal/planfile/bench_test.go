package planfile

import (
	"fmt"
	"strings"
	"testing"
)

// syntheticPlan writes a targets file of n quantity targets over 100
// agencies, and a source document with one item per target, the shape of a
// province's plans merged into one.
func syntheticPlan(n int) (targets, source []byte) {
	var src, y strings.Builder
	y.WriteString("id: synthetic\ntitle: 合成计划\nsource: plan.txt\ntimezone: Asia/Shanghai\nstart: 2019-01-01\nend: 2019-12-31\nagencies:\n")
	for a := range 100 {
		fmt.Fprintf(&y, "  - {id: agency-%d, name: 区第%d局, assumed: true}\n", a, a)
	}
	y.WriteString("targets:\n")
	for i := range n {
		fmt.Fprintf(&src, "%d.%d.%d确保完成第%d项任务不少于%d个。\n", i/10000+1, i/100%100+1, i%100+1, i, i+1)
		fmt.Fprintf(&y, "  - id: t-%d\n    item: \"%d.%d.%d\"\n    title: 第%d项任务\n    quote: 确保完成第%d项任务不少于%d个\n"+
			"    agency: agency-%d\n    kind: quantity\n    direction: at_least\n    goal: %d\n    unit: 个\n    aggregation: sum\n",
			i, i/10000+1, i/100%100+1, i%100+1, i, i, i+1, i%100, i+1)
	}
	y.WriteString("ignored: []\n")
	return []byte(y.String()), []byte(src.String())
}

// BenchmarkParse stops at 10,000 targets so CI's single pass stays short;
// 100,000 takes about 5 s of CPU, half of it in yaml.v3's parser.
func BenchmarkParse(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("targets=%d", n), func(b *testing.B) {
			data, src := syntheticPlan(n)
			read := func(string) ([]byte, error) { return src, nil }
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				p, err := Parse("synthetic.yaml", data, read)
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Targets) != n {
					b.Fatalf("got %d targets, want %d", len(p.Targets), n)
				}
			}
		})
	}
}
