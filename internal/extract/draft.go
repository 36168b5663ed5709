package extract

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/targetwatch/targetwatch/internal/planfile"
)

// Placeholder marks a field the extractor cannot infer (the responsible
// agency, the English title): targets.yaml rejects it until a person
// fills it in.
const Placeholder = "TODO"

// Draft turns candidates into targets.yaml entries, with placeholders for
// what a person must decide.
func Draft(cands []Candidate) []planfile.TargetSpec {
	out := make([]planfile.TargetSpec, 0, len(cands))
	for _, c := range cands {
		ts := planfile.TargetSpec{
			ID:      c.ID,
			Item:    c.Item,
			Title:   c.Title,
			TitleEN: Placeholder,
			Quote:   c.Quote,
			Agency:  Placeholder,
			Kind:    string(c.Kind),
			Goal:    c.Value,
			Due:     c.Due,
		}
		if c.Quantitative() {
			ts.Direction = string(c.Direction)
			ts.Unit, ts.UnitEN = c.Unit, c.UnitEN
			if ts.UnitEN == "" {
				ts.UnitEN = Placeholder
			}
			ts.Aggregation = string(c.Aggregation)
			ts.Approximate = c.Approximate
		}
		out = append(out, ts)
	}
	return out
}

// WriteYAML renders a draft targets list: a `targets:` key holding the
// entries, each marked with the phrase it was found by (the text an
// `ignored:` entry names). The output is a function of cands only.
func WriteYAML(cands []Candidate, source string) ([]byte, error) {
	var list yaml.Node
	if err := list.Encode(Draft(cands)); err != nil {
		return nil, fmt.Errorf("encode draft: %w", err)
	}
	for i, n := range list.Content {
		if len(n.Content) > 1 {
			n.Content[1].LineComment = cands[i].Text
		}
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: "targets"}, &list,
	}}
	doc.HeadComment = "Draft targets extracted from " + source + " by targetwatch extract.\n" +
		"Fill in every " + Placeholder + " (agency, title_en, unknown units), check each\n" +
		"goal, unit, direction and aggregation against the quote, then move the\n" +
		"entries into targets.yaml; list the ones that are not commitments under\n" +
		"ignored: with a reason."
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode draft: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode draft: %w", err)
	}
	return buf.Bytes(), nil
}
