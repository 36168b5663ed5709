package main

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/targetwatch/targetwatch/internal/metrics"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// goBuild builds cmd/targetwatch from the module in dir into a temporary
// directory with extra go build flags and returns the binary's path.
func goBuild(t *testing.T, dir string, flags ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "targetwatch")
	cmd := exec.Command("go", append(append([]string{"build"}, flags...), "-o", bin, "./cmd/targetwatch")...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", strings.Join(flags, " "), err, out)
	}
	return bin
}

// versionOf runs `bin version` and returns its lines.
func versionOf(t *testing.T, bin string) []string {
	t.Helper()
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("%s version: %v", bin, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}

// git runs git in dir and returns its trimmed output.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(b))
}

func wantLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("targetwatch version:\ngot\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A plain go build in a git checkout names the commit it was built from,
// as git itself reports it, and the go tool's pseudo-version of that
// commit. The sources are committed into a fresh repository at a known
// time (the go tool stamps nothing in a linked worktree, whose .git is a
// file, and the checkout's own state is whatever it is).
func TestVersionFromVersionControl(t *testing.T) {
	testenv.LookPath(t, "git")
	if _, err := os.Stat(filepath.Join(testenv.RepoRoot(), ".git")); err != nil {
		t.Skip("the sources are not a git checkout: cannot tell which files are part of them")
	}
	src := filepath.Join(t.TempDir(), "src")
	copySources(t, testenv.RepoRoot(), src)
	const when = "2026-03-01T08:00:00Z"
	for _, args := range [][]string{{"init", "--quiet"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "--quiet", "--no-verify", "--date", when, "-m", "sources"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "GIT_COMMITTER_DATE="+when)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	rev := git(t, src, "rev-parse", "HEAD")

	for _, tc := range []struct{ name, modified, version string }{
		// No tag: v0.0.0-<commit time in UTC as yyyymmddhhmmss>-<12 hex
		// digits of the commit>, plus +dirty for uncommitted changes.
		{"a clean checkout", "false", "v0.0.0-20260301080000-" + rev[:12]},
		{"a checkout with an uncommitted file", "true", "v0.0.0-20260301080000-" + rev[:12] + "+dirty"},
	} {
		if tc.modified == "true" {
			if err := os.WriteFile(filepath.Join(src, "uncommitted.txt"), []byte("x\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// -buildvcs=true: GOFLAGS may turn stamping off.
		wantLines(t, versionOf(t, goBuild(t, src, "-buildvcs=true")), []string{
			"targetwatch " + tc.version,
			"revision: " + rev,
			"modified: " + tc.modified,
			"time:     " + when,
			"go:       " + runtime.Version(),
		})
	}
}

// copySources copies the module's sources (what git would track, without
// the ignored files) from root to dst.
func copySources(t *testing.T, root, dst string) {
	t.Helper()
	for _, name := range strings.Split(git(t, root, "ls-files", "-co", "--exclude-standard"), "\n") {
		b, err := os.ReadFile(filepath.Join(root, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Without version control information the build calls itself dev.
func TestVersionWithoutVersionControl(t *testing.T) {
	wantLines(t, versionOf(t, goBuild(t, testenv.RepoRoot(), "-buildvcs=false")), []string{
		"targetwatch dev",
		"revision: unknown",
		"modified: unknown",
		"time:     unknown",
		"go:       " + runtime.Version(),
	})
}

// A release's -ldflags win over what the checkout says, in the version
// command and in targetwatch_build_info of a running server alike.
func TestVersionFromLdflags(t *testing.T) {
	const rev = "0123456789abcdef0123456789abcdef01234567"
	bin := goBuild(t, testenv.RepoRoot(), "-ldflags", "-X main.version=v9.8.7 -X main.revision="+rev+" -X main.revisionTime=2026-03-01T08:00:00Z -X main.modified=false")
	wantLines(t, versionOf(t, bin), []string{
		"targetwatch v9.8.7",
		"revision: " + rev,
		"modified: false",
		"time:     2026-03-01T08:00:00Z",
		"go:       " + runtime.Version(),
	})

	proc := testenv.ServeBinary(t, bin, "--db", filepath.Join(t.TempDir(), "tw.db"))
	_, body := get(t, proc.URL+"/metrics", "")
	// Labels in the order the exposition format sorts them.
	want := `targetwatch_build_info{goversion="` + runtime.Version() + `",modified="false",revision="` + rev + `",revision_time="2026-03-01T08:00:00Z",version="v9.8.7"} 1`
	if !strings.Contains(body, want+"\n") {
		t.Errorf("/metrics lacks\n%s", want)
	}
}

// resolveBuild's precedence, for stamps the binary tests above cannot
// produce together.
func TestResolveBuild(t *testing.T) {
	stamped := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20260301080000-0123456789ab+dirty"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}, {Key: "vcs.time", Value: "2026-03-01T08:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		ld   metrics.BuildInfo
		want metrics.BuildInfo
	}{
		{"the go tool's stamps fill everything", stamped, metrics.BuildInfo{},
			metrics.BuildInfo{Version: "v0.0.0-20260301080000-0123456789ab+dirty", Revision: "0123456789abcdef0123456789abcdef01234567", RevisionTime: "2026-03-01T08:00:00Z", Modified: "true", GoVersion: "go1.26.8"}},
		{"a release's revision keeps the checkout's time and modified flag out", stamped, metrics.BuildInfo{Version: "v1.4.0", Revision: "fedcba"},
			metrics.BuildInfo{Version: "v1.4.0", Revision: "fedcba", GoVersion: "go1.26.8"}},
		{"a release's version alone keeps the stamped revision", stamped, metrics.BuildInfo{Version: "v1.4.0"},
			metrics.BuildInfo{Version: "v1.4.0", Revision: "0123456789abcdef0123456789abcdef01234567", RevisionTime: "2026-03-01T08:00:00Z", Modified: "true", GoVersion: "go1.26.8"}},
		{"a build without version control is dev", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, metrics.BuildInfo{},
			metrics.BuildInfo{Version: "dev", GoVersion: "go1.26.8"}},
		{"no build information at all is dev with this toolchain", nil, metrics.BuildInfo{},
			metrics.BuildInfo{Version: "dev", GoVersion: runtime.Version()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := resolveBuild(tc.bi, tc.ld); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
