package api

import (
	"strconv"
	"strings"
	"testing"
)

// BenchmarkDecodeFigure is the decoding step of every PUT, alone: the
// HTTP and SQLite benchmarks above are too noisy to see it.
func BenchmarkDecodeFigure(b *testing.B) {
	body := []byte(`{"value": 1234.5, "note": "上月漏报, 已补 (corrected after the audit)"}`)
	b.ReportAllocs()
	for b.Loop() {
		var fb FigureBody
		if err := decodeStrict(body, &fb); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeBatch10000 decodes a JSON batch of 10,000 figures.
func BenchmarkDecodeBatch10000(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"reports":[`)
	for i := range 10000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"target":"target-` + strconv.Itoa(i) + `","period":"2019-04","value":` + strconv.Itoa(i) + `.5,"note":"导入"}`)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseJSONBatch(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDuplicateKeyFigure is the duplicate-key scan alone, the part
// of BenchmarkDecodeFigure that strict decoding added.
func BenchmarkDuplicateKeyFigure(b *testing.B) {
	body := []byte(`{"value": 1234.5, "note": "上月漏报, 已补 (corrected after the audit)"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, dup := duplicateKey(body); dup {
			b.Fatal("duplicate")
		}
	}
}
