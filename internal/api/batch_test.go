package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// TestBatchAnswersEveryBadRowAtOnce: a batch with a malformed row and a
// correction without its note is answered with both in one refusal, in
// line order, and stores nothing; the clerk does not fix the file twice.
func TestBatchAnswersEveryBadRowAtOnce(t *testing.T) {
	h := newHarness(t)
	h.mustPut("water", "river-clean", "2019-02", `{"value": 5}`, http.StatusCreated)
	for _, c := range []struct {
		name, contentType, body string
	}{
		// Line 2 corrects February (5 → 7) without a note; line 3 has a
		// negative figure; line 4 is good.
		{"a CSV batch", "text/csv", "target,period,value,note\nriver-clean,2019-02,7,\nriver-clean,2019-03,-1,\nriver-clean,2019-04,3,\n"},
		// Rows are numbered from 1 in JSON: row 1 corrects, row 2 is negative.
		{"a JSON batch", "application/json", `{"reports":[{"target":"river-clean","period":"2019-02","value":7},{"target":"river-clean","period":"2019-03","value":-1},{"target":"river-clean","period":"2019-04","value":3}]}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := h.mustRefuse(t, request{method: "POST", path: "/reports", token: "water", contentType: c.contentType, body: []byte(c.body)}, http.StatusUnprocessableEntity, "", 0)
			var p Problem
			if err := json.Unmarshal(res.body, &p); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range p.Errors {
				got = append(got, fmt.Sprintf("%d %s", it.Line, it.Field))
			}
			first := 2 // the CSV header is line 1
			if c.contentType == "application/json" {
				first = 1
			}
			want := fmt.Sprintf("[%d note %d value]", first, first+1)
			if fmt.Sprint(got) != want {
				t.Errorf("got errors %v (%s), want %s", got, res.body, want)
			}
		})
	}
}
