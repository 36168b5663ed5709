package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

func init() {
	commands["version"] = command{summary: "print the version", run: runVersion}
}

// version is set with -ldflags "-X main.version=..." by release builds.
var version = "dev"

func runVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("version", "")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	fmt.Fprintf(e.stdout, "targetwatch %s\n", v)
	return nil
}
