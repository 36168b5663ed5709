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
	fmt.Fprintf(e.stdout, "targetwatch %s\n", buildVersion())
	return nil
}

// buildVersion is version, or the module version the go tool stamped in
// when the build set none, so that `targetwatch version` and the version
// label of /metrics agree.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}
