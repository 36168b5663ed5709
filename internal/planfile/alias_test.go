package planfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fanOut is the good fixture with one more target, anchored, holding a
// trajectory of months lines, and copies aliases of it: without a bound,
// decoding costs copies × months.
func fanOut(t *testing.T, months, copies int) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString("  - &big\n    id: big\n    trajectory:\n")
	for i := range months {
		fmt.Fprintf(&b, "      %d-%02d: %d\n", 2019+i/12, 1+i%12, i)
	}
	for range copies {
		b.WriteString("  - *big\n")
	}
	good := strings.Join(goodFixture(t), "\n")
	at := strings.Index(good, "targets:\n") + len("targets:\n")
	return []byte(good[:at] + b.String() + good[at:])
}

func TestAliasesThatRepeatALittleAreDecoded(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The agency of the first target anchored, the second's an alias.
	s := strings.Replace(string(data), "    agency: water\n", "    agency: &w water\n", 1)
	s = strings.Replace(s, "    agency: water\n", "    agency: *w\n", 1)
	if s == string(data) || !strings.Contains(s, "*w") {
		t.Fatal("the fixture no longer has two targets of agency water")
	}
	p, err := Parse("aliases.yaml", []byte(s), readTestdata)
	if err != nil {
		t.Fatalf("got %v, want the plan", err)
	}
	if got := p.Targets[1].Agency; got != "water" {
		t.Errorf("got agency %q through the alias, want water", got)
	}
}

// TestAliasFanOutIsRefusedInLinearTime: a file whose aliases would make
// decoding cost far more than its size gets one problem at the alias where
// the budget ran out, not copies × months problems (16 KB of such YAML
// used to take 3.6 s and 33 KB 24 s).
func TestAliasFanOutIsRefusedInLinearTime(t *testing.T) {
	for _, n := range []int{1000, 4000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			data := fanOut(t, n, n)
			_, err := Parse("fan-out.yaml", data, readTestdata)
			got := problems(t, err)
			if len(got) != 1 || !strings.Contains(got[0], "aliases repeat too much of the file") {
				t.Fatalf("got %d problems, first %q, want one about aliases", len(got), got[0])
			}
			var line int
			if _, err := fmt.Sscanf(got[0], "fan-out.yaml:%d:", &line); err != nil {
				t.Fatal(err)
			}
			firstAlias := strings.Count(string(data[:strings.Index(string(data), "  - *big")]), "\n") + 1
			if line < firstAlias {
				t.Errorf("got the problem at line %d, want at an alias (line %d or after)", line, firstAlias)
			}
		})
	}
}
