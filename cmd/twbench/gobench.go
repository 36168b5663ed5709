package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// goBench is one line of `go test -bench` output.
type goBench struct {
	Name    string
	NsPerOp float64
	Extra   []string // "4.2 MB/op"-style pairs, as printed
}

// goBenchmarks runs the in-package Go benchmarks named by -gobench, so the
// collector comparison comes from the same run and machine as the rest.
func (b *bench) goBenchmarks(ctx context.Context) error {
	if b.cfg.goBench == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", b.cfg.goBench, "-benchmem", "-count", "1", b.cfg.goBenchPkg)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go test -bench %s %s: %w\n%s", b.cfg.goBench, b.cfg.goBenchPkg, err, out)
	}
	b.res.goBench = parseGoBench(out)
	if len(b.res.goBench) == 0 {
		return fmt.Errorf("go test -bench %s %s ran no benchmark:\n%s", b.cfg.goBench, b.cfg.goBenchPkg, out)
	}
	return nil
}

// parseGoBench reads "BenchmarkX-2  10  123 ns/op  456 B/op  7 allocs/op"
// lines and ignores everything else.
func parseGoBench(out []byte) []goBench {
	var res []goBench
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		g := goBench{Name: f[0]}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			if f[i+1] == "ns/op" {
				g.NsPerOp = v
			} else {
				g.Extra = append(g.Extra, f[i]+" "+f[i+1])
			}
		}
		if g.NsPerOp > 0 {
			res = append(res, g)
		}
	}
	return res
}
