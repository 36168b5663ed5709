package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// jsonStep is one step of the path to a JSON value: an object key, or an
// array index when key is "" and index >= 0.
type jsonStep struct {
	key   string
	index int
}

// jsonPath formats steps as reports[1].note (indexes 0-based).
func jsonPath(steps []jsonStep) string {
	var b strings.Builder
	for _, s := range steps {
		if s.index >= 0 {
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	return b.String()
}

// keyFrame is one open object or array while scanning.
type keyFrame struct {
	object  bool
	wantKey bool   // object: the next string is a key
	index   int    // array: the element being read
	key     []byte // object: the key whose value is being read
	first   int    // object: where its keys start in the list of keys
	set     map[string]struct{}
}

// maxLinearKeys: objects with more keys are checked with a map, so a body
// of a hundred thousand distinct keys costs linear time.
const maxLinearKeys = 16

// duplicateKey returns the path to the first key that appears twice in one
// object of data, which must be one valid JSON value (encoding/json has
// already scanned it). Keys are compared as encoding/json matches them to
// struct fields: unescaped, and regardless of case, so "Value" repeats
// "value" (both would fill the same field, the last one winning).
//
// stack holds the open containers, and keys the keys of the open objects
// one after another: an object's keys end where its child's begin, and a
// child's are dropped when it closes.
func duplicateKey(data []byte) ([]jsonStep, bool) {
	var frameBuf [8]keyFrame // no allocation for ordinary bodies
	var keyBuf [2 * maxLinearKeys][]byte
	stack, keys := frameBuf[:0], keyBuf[:0]
	for i := 0; i < len(data); {
		switch c := data[i]; c {
		case '{', '[':
			stack = append(stack, keyFrame{object: c == '{', wantKey: c == '{', first: len(keys)})
			i++
		case '}', ']':
			n := len(stack)
			if n <= 1 {
				return nil, false // the end of the value
			}
			keys = keys[:stack[n-1].first]
			stack = stack[:n-1]
			i++
		case ',':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].wantKey = true
			} else if n > 0 {
				stack[n-1].index++
			}
			i++
		case '"':
			end, escaped := stringEnd(data, i)
			if n := len(stack); n > 0 && stack[n-1].wantKey {
				key := data[i+1 : end-1]
				if escaped {
					var s string
					_ = json.Unmarshal(data[i:end], &s)
					key = []byte(s)
				}
				top := &stack[n-1]
				top.wantKey = false
				top.key = key
				var dup bool
				if keys, dup = seenKey(keys, top, key); dup {
					return pathOf(stack), true
				}
			}
			i = end
		default:
			i++
		}
	}
	return nil, false
}

// stringEnd returns the index after the string starting at data[i] and
// whether it holds an escape.
func stringEnd(data []byte, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, escaped
		}
	}
	return len(data), escaped
}

// seenKey records key as a key of the innermost object f, whose keys end
// keys, and reports whether f already had it.
func seenKey(keys [][]byte, f *keyFrame, key []byte) ([][]byte, bool) {
	if f.set == nil {
		own := keys[f.first:]
		for _, k := range own {
			if foldEqual(k, key) {
				return keys, true
			}
		}
		if len(own) < maxLinearKeys {
			return append(keys, key), false
		}
		f.set = make(map[string]struct{}, 4*maxLinearKeys)
		for _, k := range own {
			f.set[string(foldKey(k))] = struct{}{}
		}
	}
	fk := string(foldKey(key))
	if _, dup := f.set[fk]; dup {
		return keys, true
	}
	f.set[fk] = struct{}{}
	return keys, false
}

func pathOf(stack []keyFrame) []jsonStep {
	steps := make([]jsonStep, len(stack))
	for i, f := range stack {
		if f.object {
			steps[i] = jsonStep{key: string(f.key), index: -1}
		} else {
			steps[i] = jsonStep{index: f.index}
		}
	}
	return steps
}

// foldRune is how encoding/json folds a key's letters to match a field.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}
	return unicode.ToUpper(unicode.ToLower(r))
}

func foldEqual(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	for len(a) > 0 && len(b) > 0 {
		ra, na := utf8.DecodeRune(a)
		rb, nb := utf8.DecodeRune(b)
		if foldRune(ra) != foldRune(rb) {
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) == 0 && len(b) == 0
}

func foldKey(k []byte) []byte {
	out := make([]byte, 0, len(k))
	for len(k) > 0 {
		r, n := utf8.DecodeRune(k)
		out = utf8.AppendRune(out, foldRune(r))
		k = k[n:]
	}
	return out
}
