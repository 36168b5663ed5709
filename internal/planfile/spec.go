package planfile

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// File is targets.yaml field for field, before defaults and validation. The
// loader reads it; other tools (the extractor) fill it and marshal it with
// yaml.v3 to write drafts in the same format. Field order is the order in
// which yaml.v3 writes the keys.
type File struct {
	ID         string          `yaml:"id"`
	Title      string          `yaml:"title"`
	TitleEN    string          `yaml:"title_en,omitempty"`
	Source     string          `yaml:"source"`
	Timezone   string          `yaml:"timezone"`
	Start      string          `yaml:"start"` // YYYY-MM-DD
	End        string          `yaml:"end"`   // YYYY-MM-DD, inclusive
	Frequency  string          `yaml:"frequency,omitempty"`
	DueDay     int             `yaml:"due_day,omitempty"`
	Thresholds *ThresholdsSpec `yaml:"thresholds,omitempty"`
	Agencies   []AgencySpec    `yaml:"agencies"`
	Targets    []TargetSpec    `yaml:"targets"`
	Ignored    []IgnoredSpec   `yaml:"ignored"`
}

// ThresholdsSpec is the `thresholds:` mapping; a missing key takes its value
// from plan.DefaultThresholds.
type ThresholdsSpec struct {
	AtRisk       float64 `yaml:"at_risk,omitempty"`
	OffTrack     float64 `yaml:"off_track,omitempty"`
	CapWarning   float64 `yaml:"cap_warning,omitempty"`
	GrowthPoints float64 `yaml:"growth_points,omitempty"`
}

// AgencySpec is one entry of `agencies:`.
type AgencySpec struct {
	ID      string `yaml:"id"`
	Name    string `yaml:"name"`
	NameEN  string `yaml:"name_en,omitempty"`
	Assumed bool   `yaml:"assumed,omitempty"`
}

// TargetSpec is one entry of `targets:`. Goal is always written, because 0
// is a meaningful goal (zero_growth); a milestone's goal is 1.
type TargetSpec struct {
	ID          string     `yaml:"id"`
	Item        string     `yaml:"item"`
	Title       string     `yaml:"title"`
	TitleEN     string     `yaml:"title_en,omitempty"`
	Quote       string     `yaml:"quote"`
	Agency      string     `yaml:"agency"`
	CoAgencies  []string   `yaml:"co_agencies,omitempty"`
	Kind        string     `yaml:"kind"`
	Direction   string     `yaml:"direction,omitempty"`
	Goal        float64    `yaml:"goal"`
	Unit        string     `yaml:"unit,omitempty"`
	UnitEN      string     `yaml:"unit_en,omitempty"`
	Aggregation string     `yaml:"aggregation,omitempty"`
	Approximate bool       `yaml:"approximate,omitempty"`
	Due         string     `yaml:"due,omitempty"` // YYYY-MM-DD
	Baseline    *float64   `yaml:"baseline,omitempty"`
	Trajectory  Trajectory `yaml:"trajectory,omitempty"`
}

// IgnoredSpec is one entry of `ignored:`: a numeric phrase of the source
// that is deliberately not a target.
type IgnoredSpec struct {
	Item   string `yaml:"item"`
	Text   string `yaml:"text"`
	Reason string `yaml:"reason"`
}

// Trajectory is the planned cumulative path of a target. In YAML it is a
// mapping from month to value, written in month order:
//
//	trajectory:
//	  2019-06: 150
//	  2019-12: 329
type Trajectory []TrajectoryPoint

// TrajectoryPoint is one month of a Trajectory.
type TrajectoryPoint struct {
	Month string // YYYY-MM
	Value float64
}

// MarshalYAML writes the trajectory as a mapping, keeping the point order
// that a Go map would lose.
func (t Trajectory) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, p := range t {
		var v yaml.Node
		if err := v.Encode(p.Value); err != nil {
			return nil, fmt.Errorf("trajectory %s: %w", p.Month, err)
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p.Month}, &v)
	}
	return n, nil
}
