package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/targetwatch/targetwatch/internal/extract"
	"github.com/targetwatch/targetwatch/internal/plan"
)

func init() {
	commands["extract"] = command{summary: "draft targets from a plan document (UTF-8 or GB18030)", run: runExtract}
}

func runExtract(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("extract", "[--kind all|quantity|milestone] FILE")
	kind := fs.String("kind", "all", "which candidates to print: `all`, quantity or milestone")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("want exactly one plan document, got %d arguments", fs.NArg())
	}
	switch *kind {
	case "all", string(plan.Quantity), string(plan.Milestone):
	default:
		return usageError("--kind %q: want all, quantity or milestone", *kind)
	}
	path := fs.Arg(0)
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read plan document: %w", err)
	}
	text, err := extract.Decode(b)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var cands []extract.Candidate
	for _, c := range extract.Extract(text) {
		if *kind == "all" || string(c.Kind) == *kind {
			cands = append(cands, c)
		}
	}
	out, err := extract.WriteYAML(cands, filepath.Base(path))
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(out)
	return err
}
