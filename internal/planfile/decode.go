package planfile

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong with a targets file, at the node that causes
// it.
type Problem struct {
	File      string
	Line, Col int
	Msg       string
}

// String formats the problem as FILE:LINE:COL: MESSAGE, the form editors
// and CI logs link to.
func (p Problem) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
}

// Errors is every problem found in a targets file, in file order. Parse and
// Load return it (as error) whenever the file is not usable.
type Errors []Problem

// Error joins the problems one per line.
func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, p := range e {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// decoder turns a yaml.Node tree into a File strictly, collecting problems
// instead of stopping at the first one. It remembers which node every
// decoded value came from, so validation can point at the offending node.
type decoder struct {
	file  string
	probs Errors
	// pos maps the address of a decoded value (a *string, *float64,
	// *TargetSpec, ...) to the node it was decoded from. Values absent from
	// the file have no entry.
	pos map[any]*yaml.Node
	// bad holds the addresses of values that were given but could not be
	// decoded; validation skips them, since their problem is already told.
	bad map[any]bool
	// budget is how many more nodes decode may visit. Every alias decodes
	// its anchor's subtree again, so a few lines of "- *a" naming a big
	// target would otherwise cost lines × target size; the budget keeps
	// decoding linear in the file. exhausted is set once it runs out.
	budget    int
	nodes     int        // in the file as written
	via       *yaml.Node // the alias being decoded, if any
	exhausted bool
}

// aliasSlack is how many nodes aliases may add to a file's own node count
// beyond doubling it, so small files may use anchors freely.
const aliasSlack = 10000

func newDecoder(file string) *decoder {
	return &decoder{file: file, pos: map[any]*yaml.Node{}, bad: map[any]bool{}}
}

// errorf records a problem at n.
func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	line, col := 1, 1
	if n != nil && n.Line > 0 {
		line, col = n.Line, n.Column
	}
	d.probs = append(d.probs, Problem{File: d.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// node returns the node of the first of ptrs that came from the file: the
// field itself, then its enclosing mapping, so a missing field is reported
// where it should have been.
func (d *decoder) node(ptrs ...any) *yaml.Node {
	for _, p := range ptrs {
		if n, ok := d.pos[p]; ok {
			return n
		}
	}
	return nil
}

// has reports whether the value at ptr was given in the file.
func (d *decoder) has(ptr any) bool {
	_, ok := d.pos[ptr]
	return ok
}

// ok reports whether the value at ptr was given and decoded, so that rules
// about its value apply.
func (d *decoder) ok(ptr any) bool { return d.has(ptr) && !d.bad[ptr] }

// sorted returns the problems in file order; problems at the same place
// keep the order they were found in.
func (d *decoder) sorted() Errors {
	sort.SliceStable(d.probs, func(i, j int) bool {
		a, b := d.probs[i], d.probs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return d.probs
}

// yamlLine finds the line number in yaml.v3's syntax error messages, which
// carry no column. yaml.v3 places some parser errors ("did not find
// expected ...") at the line where the enclosing construct starts, which can
// be a line or more before the mistake; the number is passed on as given.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse reads the YAML document into a node tree, recording a syntax error
// as a problem.
func (d *decoder) parse(data []byte) (*yaml.Node, bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		line := 1
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		} else {
			msg = strings.TrimPrefix(msg, "yaml: ")
		}
		d.probs = append(d.probs, Problem{File: d.file, Line: line, Col: 1, Msg: "invalid YAML: " + msg})
		return nil, false
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		d.errorf(nil, "empty file: want a mapping with id, title, agencies and targets")
		return nil, false
	}
	d.nodes = countNodes(&doc)
	d.budget = 2*d.nodes + aliasSlack
	return doc.Content[0], true
}

// countNodes counts the nodes of the tree as written, not following
// aliases.
func countNodes(n *yaml.Node) int {
	c := 1
	for _, k := range n.Content {
		c += countNodes(k)
	}
	return c
}

// kindNames name YAML node kinds in messages.
var kindNames = map[yaml.Kind]string{
	yaml.DocumentNode: "a document",
	yaml.SequenceNode: "a list",
	yaml.MappingNode:  "a mapping",
	yaml.ScalarNode:   "a scalar",
	yaml.AliasNode:    "an alias",
}

// structNames name the mappings of targets.yaml in messages.
var structNames = map[reflect.Type]string{
	reflect.TypeFor[File]():           "the plan",
	reflect.TypeFor[ThresholdsSpec](): "thresholds",
	reflect.TypeFor[AgencySpec]():     "an agency",
	reflect.TypeFor[TargetSpec]():     "a target",
	reflect.TypeFor[IgnoredSpec]():    "an ignored entry",
}

var trajectoryType = reflect.TypeFor[Trajectory]()

// fieldIndex maps each mapping type's YAML keys to its field indexes; built
// once, since a large plan decodes thousands of targets.
var fieldIndex = func() map[reflect.Type]map[string]int {
	idx := map[reflect.Type]map[string]int{}
	for t := range structNames {
		fields := map[string]int{}
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			fields[name] = i
		}
		idx[t] = fields
	}
	return idx
}()

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// decode fills v (addressable) from n, recording n as v's position. A null
// value counts as absent, as if the key were not there.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, name string) {
	if d.exhausted {
		return
	}
	if n.Kind == yaml.AliasNode {
		if d.via == nil {
			d.via = n
			defer func() { d.via = nil }()
		}
		n = n.Alias
	}
	if d.budget--; d.budget < 0 {
		d.exhausted = true
		at := n
		if d.via != nil {
			at = d.via
		}
		d.errorf(at, "aliases repeat too much of the file: it holds %d values, and the aliases would make it more than %d; write the repeated values out", d.nodes, 2*d.nodes+aliasSlack)
		return
	}
	if isNull(n) {
		return
	}
	key := v.Addr().Interface()
	d.pos[key] = n
	fail := func(format string, args ...any) {
		d.bad[key] = true
		d.errorf(n, name+": "+format, args...)
	}
	if v.Type() == trajectoryType {
		if n.Kind != yaml.MappingNode {
			fail("want a mapping of YYYY-MM to value, got %s", describe(n))
			return
		}
		d.decodeTrajectory(n, key.(*Trajectory))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			fail("want a mapping, got %s", describe(n))
			return
		}
		d.decodeStruct(n, v)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			fail("want a list, got %s", describe(n))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content)))
		for i, c := range n.Content {
			d.decode(c, v.Index(i), fmt.Sprintf("%s[%d]", name, i))
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		d.decode(n, v.Elem(), name)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			fail("want text, got %s", describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Float64:
		var f float64
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&f) != nil {
			fail("want a number, got %s", describe(n))
			return
		}
		v.SetFloat(f)
	case reflect.Int:
		var i int
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil {
			fail("want a whole number, got %s", describe(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
			fail("want true or false, got %s", describe(n))
			return
		}
		v.SetBool(b)
	default:
		panic(fmt.Sprintf("planfile: cannot decode into %s", v.Type()))
	}
}

// decodeStruct is the strict part: every key must name a field, once.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value) {
	what := structNames[v.Type()]
	fields := fieldIndex[v.Type()]
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if first, ok := seen[k.Value]; ok {
			d.errorf(k, "field %q given twice (first at line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		fi, ok := fields[k.Value]
		if !ok {
			d.errorf(k, "unknown field %q in %s", k.Value, what)
			continue
		}
		d.decode(val, v.Field(fi), k.Value)
	}
}

func (d *decoder) decodeTrajectory(n *yaml.Node, t *Trajectory) {
	*t = make(Trajectory, len(n.Content)/2)
	for i := range *t {
		k, val := n.Content[2*i], n.Content[2*i+1]
		p := &(*t)[i]
		p.Month = k.Value
		d.pos[&p.Month] = k
		d.decode(val, reflect.ValueOf(&p.Value).Elem(), "trajectory "+p.Month)
	}
}

// describe names what a node holds, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return kindNames[n.Kind]
}
