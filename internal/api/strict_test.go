package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestStrictBodiesAreRefusedAndChangeNothing: a key sent twice (which
// encoding/json would silently resolve to the last one) and a control or
// bidirectional character in a note are refused, naming the key or field
// and, in a batch, the row; nothing is stored.
func TestStrictBodiesAreRefusedAndChangeNothing(t *testing.T) {
	h := newHarness(t)
	h.mustPut("water", "river-clean", "2019-03", `{"value": 10}`, http.StatusCreated)

	put := func(body string) request {
		return request{method: "PUT", path: "/targets/river-clean/reports/2019-04", token: "water", contentType: "application/json", body: []byte(body)}
	}
	batch := func(contentType, body string) request {
		return request{method: "POST", path: "/reports", token: "water", contentType: contentType, body: []byte(body)}
	}
	row := func(extra string) string {
		return `{"target":"river-clean","period":"2019-04","value":1` + extra + `}`
	}
	good := row("")
	for _, c := range []struct {
		name   string
		req    request
		status int
		field  string
		line   int
	}{
		{"a value sent twice", put(`{"value":1.11,"value":2.22}`), 400, "value", 0},
		{"a note sent twice", put(`{"value":1,"note":"a","note":"b"}`), 400, "note", 0},
		{"a key repeated in another case fills the same field", put(`{"value":1,"VALUE":2}`), 400, "VALUE", 0},
		{"a key repeated with an escape is the same key", put(`{"value":1,"\u0076alue":2}`), 400, "value", 0},
		{"a repeated key is named before a type error after it", put(`{"value":1,"value":2,"note":5}`), 400, "value", 0},
		{"a repeated key is named before an unknown field after it", put(`{"value":1,"value":2,"unit":"km"}`), 400, "value", 0},
		{"a key repeated inside the value object", put(`{"value":{"a":1,"a":2}}`), 400, "value.a", 0},
		{"a key repeated after many distinct keys", put(`{"value":1,` + manyKeys(40) + `,"k7":0}`), 400, "k7", 0},
		{"a batch with reports twice", batch("application/json", `{"reports":[`+good+`],"reports":[`+good+`]}`), 400, "reports", 0},
		{"a batch row with its value twice names the row", batch("application/json", `{"reports":[`+good+`,`+row(`,"value":2`)+`]}`), 400, "value", 2},
		{"a batch row with its target twice names the row", batch("application/json", `{"reports":[`+row(`,"target":"road-repair"`)+`]}`), 400, "target", 1},

		{"a note with DEL", put(`{"value":1,"note":"a\u007fb"}`), 422, "note", 0},
		{"a note with the first C1 control", put(`{"value":1,"note":"a\u0080b"}`), 422, "note", 0},
		{"a note with a C1 control sent as raw UTF-8", put("{\"value\":1,\"note\":\"a\u0085b\"}"), 422, "note", 0},
		{"a note with the C1 escape introducer", put(`{"value":1,"note":"\u009b31m红"}`), 422, "note", 0},
		{"a note with a carriage return", put(`{"value":1,"note":"a\r\nb"}`), 422, "note", 0},
		{"a note with escape, refused before too", put(`{"value":1,"note":"\u001b[2J"}`), 422, "note", 0},
		{"a note with a right-to-left override", put(`{"value":1,"note":"exe.\u202etxt"}`), 422, "note", 0},
		{"a note with a right-to-left mark", put(`{"value":1,"note":"a\u200fb"}`), 422, "note", 0},
		{"a note with a first strong isolate", put(`{"value":1,"note":"a\u2068b"}`), 422, "note", 0},
		{"a JSON batch row with a C1 control in its note", batch("application/json", `{"reports":[`+good+`,`+row(`,"note":"x\u0099"`)+`]}`), 422, "note", 2},
		{"a CSV line with DEL in its note", batch("text/csv", "target,period,value,note\r\nriver-clean,2019-04,1,ok\r\nriver-clean,2019-02,1,\"a\x7fb\"\r\n"), 422, "note", 3},
		{"a CSV line with a bidirectional isolate in its note", batch("text/csv", "target,period,value,note\nriver-clean,2019-04,1,\u2067x\u2069\n"), 422, "note", 2},
		{"a CSV line with a C1 control in GB18030", batch("text/csv; charset=gb18030", "target,period,value,note\nriver-clean,2019-04,1,"+string(gb18030(t, "补\u0085报"))+"\n"), 422, "note", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.mustRefuse(t, c.req, c.status, c.field, c.line)
		})
	}
}

func manyKeys(n int) string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = `"k` + itoa(i) + `":0`
	}
	return strings.Join(keys, ",")
}

// TestStrictBodiesStillAccepted: the same keys in different objects, and
// tab and newline in notes, are stored.
func TestStrictBodiesStillAccepted(t *testing.T) {
	h := newHarness(t)
	a := h.mustPut("water", "river-clean", "2019-04", `{"value": 2, "note": "第一段\t完成\n第二段\t未完成"}`, http.StatusCreated)
	if want := "第一段\t完成\n第二段\t未完成"; a.Note != want {
		t.Errorf("got note %q, want %q", a.Note, want)
	}
	res := h.do(request{method: "POST", path: "/reports", token: "water", contentType: "application/json", body: []byte(
		`{"reports":[{"target":"river-clean","period":"2019-02","value":1,"note":"a"},{"target":"river-clean","period":"2019-03","value":1,"note":"a"}]}`)})
	if res.status != http.StatusOK || !strings.Contains(string(res.body), `"created":2`) {
		t.Errorf("two rows with the same keys: got %d %s, want 200 with 2 created", res.status, res.body)
	}
}

func TestDuplicateKeyPath(t *testing.T) {
	for _, c := range []struct {
		name, body, want string
	}{
		{"no object at all", `[1,"a",true,null]`, ""},
		{"the same key in sibling objects", `[{"a":1},{"a":2}]`, ""},
		{"the same key at two depths", `{"a":{"a":{"a":1}}}`, ""},
		{"a key that is also a value", `{"a":"b","b":"a"}`, ""},
		{"a string holding quotes and braces", `{"a":"\"}{\"a\":","b":1}`, ""},
		{"keys that differ after folding", `{"value":1,"valuе":2}`, ""}, // the second ends in a Cyrillic е
		{"a repeated key at the top", `{"a":1,"b":2,"a":3}`, "a"},
		{"a repeated key in the third element of an array", `{"x":[{},{},{"k":1,"K":2}]}`, "x[2].K"},
		{"a key repeated with the Kelvin sign", `{"k":1,"\u212a":2}`, "\u212a"},
		{"a key repeated after an escaped key", `{"\"q\"":1,"\"q\"":2}`, `"q"`},
	} {
		steps, dup := duplicateKey([]byte(c.body))
		got := ""
		if dup {
			got = jsonPath(steps)
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// FuzzDuplicateKey compares duplicateKey with an independent reader,
// encoding/json's token stream, on every valid JSON value.
func FuzzDuplicateKey(f *testing.F) {
	for _, s := range []string{
		`{"value":1.11,"value":2.22}`, `{"reports":[{"a":1},{"a":1,"b":[{"c":1,"C":2}]}]}`, `{"a":{"a":1},"b":"a"}`,
		`{"\u0061":1,"a":2}`, `{"ſ":1,"S":2}`, `"x"`, `[]`, `{"a":"\\","a\\":1}`, `{"` + manyKeys(20) + `,"k3":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		want, wantDup := duplicateKeyByTokens(t, data)
		steps, dup := duplicateKey(data)
		if dup != wantDup || (dup && steps[len(steps)-1].key != want) {
			t.Fatalf("%q: got %v %v, want %v %q", data, dup, steps, wantDup, want)
		}
	})
}

// duplicateKeyByTokens is the slow reference: it walks json.Decoder
// tokens and folds keys the way encoding/json matches them to fields.
func duplicateKeyByTokens(t *testing.T, data []byte) (string, bool) {
	type frame struct {
		object, wantKey bool
		keys            map[string]bool
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	var stack []*frame
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return "", false
		}
		if err != nil {
			t.Fatalf("token: %v", err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			stack = append(stack, &frame{object: tok == json.Delim('{'), wantKey: tok == json.Delim('{'), keys: map[string]bool{}})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
			continue
		}
		if n := len(stack); n > 0 && stack[n-1].wantKey {
			key := tok.(string)
			folded := strings.ToUpper(strings.ToLower(key))
			if stack[n-1].keys[folded] {
				return key, true
			}
			stack[n-1].keys[folded] = true
			stack[n-1].wantKey = false
			continue
		}
		valueDone()
	}
}
