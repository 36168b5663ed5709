package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/targetwatch/targetwatch/internal/metrics"
)

func init() {
	commands["version"] = command{summary: "print the version, revision and Go version of this build", run: runVersion}
}

// Release builds name themselves with -ldflags, for example
//
//	-X main.version=v1.4.0 -X main.revision=$(git rev-parse HEAD) -X main.revisionTime=2026-03-01T08:00:00Z -X main.modified=false
//
// where the go tool cannot stamp the build itself (a Docker build context
// without .git). Whatever is left empty comes from runtime/debug.ReadBuildInfo.
var version, revision, revisionTime, modified string

func runVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("version", "")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	b := buildInfo()
	orUnknown := func(s string) string {
		if s == "" {
			return "unknown"
		}
		return s
	}
	fmt.Fprintf(e.stdout, "targetwatch %s\nrevision: %s\nmodified: %s\ntime:     %s\ngo:       %s\n",
		b.Version, orUnknown(b.Revision), orUnknown(b.Modified), orUnknown(b.RevisionTime), b.GoVersion)
	return nil
}

// buildInfo names this build, so that `targetwatch version` and the labels
// of targetwatch_build_info agree.
func buildInfo() metrics.BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	return resolveBuild(bi, metrics.BuildInfo{Version: version, Revision: revision, RevisionTime: revisionTime, Modified: modified})
}

// resolveBuild fills what the linker flags in ld left empty from what the
// go tool stamped into the binary (bi may be nil); the vcs.* settings only
// when ld names no revision. The go tool stamps the
// module version (a pseudo-version such as
// v0.0.0-20261203142208-f031ab9abcde+dirty when built from a checkout, or
// "(devel)" without version control) and the vcs.* settings.
func resolveBuild(bi *debug.BuildInfo, ld metrics.BuildInfo) metrics.BuildInfo {
	b := ld
	b.GoVersion = runtime.Version()
	if bi == nil {
		if b.Version == "" {
			b.Version = "dev"
		}
		return b
	}
	b.GoVersion = bi.GoVersion
	if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	if b.Version == "" {
		b.Version = "dev"
	}
	if b.Revision != "" {
		// A release names its revision; the checkout it was built in
		// may be another one.
		return b
	}
	stamped := map[string]*string{"vcs.revision": &b.Revision, "vcs.time": &b.RevisionTime, "vcs.modified": &b.Modified}
	for _, s := range bi.Settings {
		if p, ok := stamped[s.Key]; ok {
			*p = s.Value
		}
	}
	return b
}
