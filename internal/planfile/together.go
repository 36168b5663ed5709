package planfile

import (
	"fmt"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Together checks plans that are served together, each loaded (and
// checked on its own) from the file at the same index of paths: plan ids
// and target ids must be unique across them, since ids become label values
// and URL segments that must name one thing; and an agency id that several
// plans share must have the same name in each, since a token, a route in
// Alertmanager and targetwatch_agency_info name the agency by id alone.
// Every clash is a Problem at the later place whose message names the
// earlier one; Together returns Errors, or nil.
func Together(paths []string, plans []*plan.Plan) error {
	type first struct {
		file  int
		index int
		value string
	}
	var clashes []clash
	planIDs := map[string]first{}
	targets := map[string]first{}
	agencies := map[string]first{}
	for f, p := range plans {
		if o, dup := planIDs[p.ID]; dup {
			clashes = append(clashes, clash{o.file, f, pathPlanID, 0, 0, fmt.Sprintf("plan id %q is also the id of the plan in", p.ID)})
		} else {
			planIDs[p.ID] = first{file: f}
		}
		for i := range p.Agencies {
			a := &p.Agencies[i]
			o, seen := agencies[a.ID]
			switch {
			case !seen:
				agencies[a.ID] = first{f, i, a.Name}
			case o.value != a.Name:
				clashes = append(clashes, clash{o.file, f, pathAgencyName, o.index, i,
					fmt.Sprintf("agency %q is named %q here but %q in", a.ID, a.Name, o.value)})
			}
		}
		for i := range p.Targets {
			id := p.Targets[i].ID
			if o, dup := targets[id]; dup {
				clashes = append(clashes, clash{o.file, f, pathTargetID, o.index, i,
					fmt.Sprintf("target id %q is also a target of plan %q in", id, plans[o.file].ID)})
			} else {
				targets[id] = first{file: f, index: i}
			}
		}
	}
	if len(clashes) == 0 {
		return nil
	}
	return locate(paths, clashes)
}

// A clash is a problem between two files; where names the node in each.
type clash struct {
	firstFile, file   int
	where             nodePath
	firstIndex, index int
	msg               string // completed with the first place
}

// nodePath finds a node of a targets file's YAML tree given a list index.
type nodePath func(root *yaml.Node, index int) *yaml.Node

var (
	pathPlanID     nodePath = func(root *yaml.Node, _ int) *yaml.Node { return field(root, "id") }
	pathTargetID   nodePath = func(root *yaml.Node, i int) *yaml.Node { return field(item(field(root, "targets"), i), "id") }
	pathAgencyName nodePath = func(root *yaml.Node, i int) *yaml.Node {
		return field(item(field(root, "agencies"), i), "name")
	}
)

// locate turns clashes into problems with positions. The positions are
// found by parsing the files' YAML again: clashes are rare, and keeping
// the position of every id of every plan in memory (or in the plan cache)
// for them would cost more than this.
func locate(paths []string, clashes []clash) Errors {
	roots := make([]*yaml.Node, len(paths))
	root := func(f int) *yaml.Node {
		if roots[f] == nil {
			roots[f] = &yaml.Node{}
			if data, err := os.ReadFile(paths[f]); err == nil {
				var doc yaml.Node
				if yaml.Unmarshal(data, &doc) == nil && len(doc.Content) == 1 {
					roots[f] = doc.Content[0]
				}
			}
		}
		return roots[f]
	}
	pos := func(f int, where nodePath, i int) (line, col int) {
		if n := where(root(f), i); n != nil {
			return n.Line, n.Column
		}
		return 1, 1
	}
	var probs Errors
	for _, c := range clashes {
		fl, fc := pos(c.firstFile, c.where, c.firstIndex)
		l, col := pos(c.file, c.where, c.index)
		probs = append(probs, Problem{File: paths[c.file], Line: l, Col: col,
			Msg: fmt.Sprintf("%s %s:%d:%d", c.msg, paths[c.firstFile], fl, fc)})
	}
	return probs
}

// field is the value of key in mapping n, or nil.
func field(n *yaml.Node, key string) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// item is element i of sequence n, or nil.
func item(n *yaml.Node, i int) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
		return nil
	}
	return n.Content[i]
}
