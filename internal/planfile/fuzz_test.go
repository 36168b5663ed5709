package planfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// parseBound is far above what Parse takes on a fuzz input (milliseconds),
// even under -race on a busy machine.
const parseBound = 5 * time.Second

// FuzzParse: whatever the bytes, Parse returns either a plan that passes
// plan.Validate or Errors, soon; it never panics and never returns both.
// A slow input fails (and is saved) instead of freezing the fuzzer's exec
// counter: Parse is linear, so seconds on a fuzz input mean a slow path.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"good.yaml", "invalid-many.yaml", "invalid-empty.yaml", "invalid-not-a-mapping.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("targets: &t\n  - *t\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		type result struct {
			p   *plan.Plan
			err error
		}
		done := make(chan result, 1)
		go func() {
			p, err := Parse("fuzz.yaml", data, readTestdata)
			done <- result{p, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(parseBound):
			t.Fatalf("Parse of %d bytes still running after %v", len(data), parseBound)
		}
		p, err := r.p, r.err
		if err != nil {
			if p != nil {
				t.Fatalf("got a plan and error %v", err)
			}
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("got error %v (%T), want non-empty Errors", err, err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("Parse accepted a plan that fails Validate: %v", err)
		}
	})
}
