// Package testenv finds the external programs end-to-end tests need, builds
// and starts the targetwatch binary, and starts and stops the other
// programs (Prometheus, Alertmanager) around it. Only tests import it.
//
// A missing program skips the test with a clear message, unless
// TARGETWATCH_REQUIRE_BINARIES is set (as CI does), in which case the test
// fails: CI must never pass by skipping. For the same reason -short skips
// end-to-end tests (SkipIfShort) only when that variable is not set.
package testenv

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RequireEnv is the variable that turns skips for missing programs into
// failures.
const RequireEnv = "TARGETWATCH_REQUIRE_BINARIES"

// LookPath returns the path of the first of names found on PATH (Debian
// names some Prometheus binaries differently), or skips/fails the test.
func LookPath(t testing.TB, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := "needs " + strings.Join(names, " or ") + " on PATH (the Debian packages the tests need are installed by .ci/run)"
	if os.Getenv(RequireEnv) != "" {
		t.Fatalf("%s, and %s is set", msg, RequireEnv)
	}
	t.Skip(msg)
	return ""
}

// SkipIfShort skips a slow end-to-end test under go test -short, unless
// RequireEnv is set: CI sets it to prove every end-to-end path, and a
// stray -short there must not turn that proof into a skip.
func SkipIfShort(t testing.TB, why string) {
	t.Helper()
	if skipShort(testing.Short(), os.Getenv(RequireEnv)) {
		t.Skip("-short: " + why)
	}
}

// skipShort is SkipIfShort's rule: skip only under -short and only when
// end-to-end tests are not required.
func skipShort(short bool, require string) bool {
	return short && require == ""
}

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
	buildOut  []byte
)

// RepoRoot is the module root, found from this source file.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Targetwatch builds cmd/targetwatch once per test process and returns the
// binary's path.
func Targetwatch(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "targetwatch-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "targetwatch")
		cmd := exec.Command("go", "build", "-o", buildPath, "./cmd/targetwatch")
		cmd.Dir = RepoRoot()
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("build targetwatch: %v\n%s", buildErr, buildOut)
	}
	return buildPath
}

// Process is a started targetwatch serve.
type Process struct {
	Cmd  *exec.Cmd
	Addr string // host:port it listens on
	URL  string // http://Addr
	done chan struct{}

	logMu   sync.Mutex
	logTail []string // its last 50 lines on stderr
}

// LogLines returns the last 50 lines the process wrote on stderr.
func (p *Process) LogLines() []string {
	p.logMu.Lock()
	defer p.logMu.Unlock()
	return slices.Clone(p.logTail)
}

// Serve starts `targetwatch serve --listen 127.0.0.1:0 ARGS...` and waits
// until it logs the address it listens on. The process is killed when the
// test ends.
func Serve(t testing.TB, args ...string) *Process {
	t.Helper()
	return ServeBinary(t, Targetwatch(t), args...)
}

// ServeBinary is Serve with another build of targetwatch (bin).
func ServeBinary(t testing.TB, bin string, args ...string) *Process {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Dir = RepoRoot()
	cmd.Env = EnglishEnv()
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start targetwatch: %v", err)
	}
	p := &Process{Cmd: cmd, done: make(chan struct{})}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.logMu.Lock()
			p.logTail = append(p.logTail, line)
			if len(p.logTail) > 50 {
				p.logTail = p.logTail[1:]
			}
			p.logMu.Unlock()
			if strings.Contains(line, "msg=listening") {
				for _, f := range strings.Fields(line) {
					if a, ok := strings.CutPrefix(f, "addr="); ok {
						select {
						case addrc <- a:
						default:
						}
					}
				}
			}
		}
	}()
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		cancel()
		<-p.done
	})
	select {
	case a := <-addrc:
		p.Addr = a
		p.URL = "http://" + a
	case <-p.done:
		t.Fatalf("targetwatch exited before listening:\n%s", strings.Join(p.LogLines(), "\n"))
	case <-time.After(30 * time.Second):
		t.Fatal("targetwatch did not log its address within 30s")
	}
	return p
}

// Kill sends SIGKILL and waits for the process to end.
func (p *Process) Kill() {
	_ = p.Cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Stop sends SIGTERM and waits for a graceful exit.
func (p *Process) Stop() {
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	<-p.done
}
