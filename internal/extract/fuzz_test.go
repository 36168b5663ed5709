package extract

import (
	"bytes"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
)

// itemLabel is the form targets.yaml accepts for item numbers.
var itemLabel = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)

// FuzzExtract feeds arbitrary bytes through Decode, Extract and WriteYAML:
// nothing panics, every quote is verbatim from the text, every phrase is
// in its quote (line breaks aside), labels are item numbers, values are
// finite, and the draft is the same bytes twice.
func FuzzExtract(f *testing.F) {
	if seed, err := os.ReadFile(seedPath); err == nil {
		f.Add(seed)
	}
	for _, s := range []string{
		"一、目标\n地区生产总值增长7%左右。\n二、任务\n1.新建学校3所",
		"确保全区日均干垃圾总量控制在1743吨以下，湿垃圾分类总量提高到330吨",
		"建设市级重点生态廊道2500余亩、公益林1,000亩；百分之七十的村居“零增长”",
		"（一）教育\n（1）新增学位十二万三千五百个\n1.1.1 完成《方案》",
		"第三届12345热线S7公路14号线3+X“30条”一三五七九〇点",
		"１２３４５６７８９０％，．＋－",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		text, err := Decode(b)
		if err != nil {
			return
		}
		cands := Extract(text)
		for _, c := range cands {
			if !strings.Contains(text, c.Quote) {
				t.Fatalf("quote %q is not in the text", c.Quote)
			}
			if !strings.Contains(strings.ReplaceAll(c.Quote, "\n", ""), c.Text) {
				t.Fatalf("phrase %q is not in its quote %q", c.Text, c.Quote)
			}
			if !itemLabel.MatchString(c.Item) {
				t.Fatalf("item %q is not an item number", c.Item)
			}
			if math.IsNaN(c.Value) || math.IsInf(c.Value, 0) || c.Value < 0 {
				t.Fatalf("value %v of %q is not a goal", c.Value, c.Text)
			}
		}
		a, err := WriteYAML(cands, "plan.txt")
		if err != nil {
			t.Fatalf("WriteYAML: %v", err)
		}
		again, _ := WriteYAML(Extract(text), "plan.txt")
		if !bytes.Equal(a, again) {
			t.Fatal("the same text gave two different drafts")
		}
	})
}

func BenchmarkExtractSeed(b *testing.B) {
	text := readDoc(b, seedPath)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Extract(text)
	}
}
