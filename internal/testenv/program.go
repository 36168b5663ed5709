package testenv

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Timeouts of the helpers below: long enough for a loaded CI machine, short
// enough that a hung program fails its test rather than the package's
// whole go test timeout.
const (
	runTimeout   = 2 * time.Minute
	readyTimeout = 30 * time.Second
	stopGrace    = 10 * time.Second
)

// EnglishEnv is this process's environment with LC_ALL=en_US.UTF-8, so
// that the targetwatch it runs prints English whatever the machine's
// locale; the tests of the languages set the locale themselves.
func EnglishEnv() []string {
	return append(os.Environ(), "LC_ALL=en_US.UTF-8")
}

// Run runs the built targetwatch with args from the repository root and
// returns its standard output. A failure, or a run longer than two minutes,
// fails the test with what the command wrote on standard error.
func Run(t testing.TB, args ...string) string {
	t.Helper()
	bin := Targetwatch(t)
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = RepoRoot()
	cmd.Env = EnglishEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("targetwatch %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// FreeAddr returns a 127.0.0.1:PORT address nothing listens on right now,
// for programs that cannot listen on port 0 and report the port they got
// (Prometheus, Alertmanager), or for an address that must refuse
// connections. Another process may take the port before the caller does;
// on a test machine that window is small enough.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// LogBuffer keeps a program's output for failure messages. Safe for
// concurrent use: the program's output is copied in by exec's goroutines
// while the test reads it.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p; it never fails.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Tail is the last n bytes written so far, marked with "..." when cut.
func (b *LogBuffer) Tail(n int) string {
	s := b.String()
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}

// Program is an external program started by StartProcess.
type Program struct {
	Name string
	Cmd  *exec.Cmd
	Log  *LogBuffer // standard output and standard error, interleaved
	done chan struct{}
}

// StartProcess starts bin with args, its output going to the returned
// Program's Log. When the test ends the program gets SIGTERM, then
// SIGKILL if it has not exited after ten seconds, and, if the test failed,
// the end of its output is logged under name.
func StartProcess(t testing.TB, name, bin string, args ...string) *Program {
	t.Helper()
	p := &Program{Name: name, Cmd: exec.Command(bin, args...), Log: &LogBuffer{}, done: make(chan struct{})}
	p.Cmd.Stdout, p.Cmd.Stderr = p.Log, p.Log
	if err := p.Cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = p.Cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = p.Cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopGrace):
			_ = p.Cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.Log.Tail(4000))
		}
	})
	return p
}

// WaitReady polls u (a readiness endpoint such as /-/ready) until it
// answers 200. It fails the test, with the end of the program's output, if
// the program exits first or ctx ends.
func (p *Program) WaitReady(ctx context.Context, t testing.TB, u string) {
	t.Helper()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited before %s answered:\n%s", p.Name, u, p.Log.Tail(4000))
		case <-ctx.Done():
			t.Fatalf("%s not ready at %s: %v\n%s", p.Name, u, err, p.Log.Tail(4000))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Prometheus is a real Prometheus started by StartPrometheus.
type Prometheus struct {
	*Program
	Addr string // host:port it listens on
	URL  string // http://Addr
}

// StartPrometheus runs Prometheus with config (a prometheus.yml; files it
// names must be given by absolute path) on a free 127.0.0.1 port, with its
// storage in a temporary directory, and waits up to 30 seconds until it is
// ready. It skips or fails the test when prometheus is not installed (see
// LookPath); the program is stopped when the test ends.
func StartPrometheus(t testing.TB, config []byte) *Prometheus {
	t.Helper()
	return StartPrometheusOn(t, config, filepath.Join(t.TempDir(), "data"))
}

// StartPrometheusOn is StartPrometheus with its storage in dataDir (which
// may already hold blocks, such as backfilled ones) and more flags.
func StartPrometheusOn(t testing.TB, config []byte, dataDir string, flags ...string) *Prometheus {
	t.Helper()
	bin := LookPath(t, "prometheus")
	cfg := filepath.Join(t.TempDir(), "prometheus.yml")
	if err := os.WriteFile(cfg, config, 0o644); err != nil {
		t.Fatal(err)
	}
	addr := FreeAddr(t)
	args := append([]string{"--config.file=" + cfg, "--storage.tsdb.path=" + dataDir, "--web.listen-address=" + addr}, flags...)
	p := &Prometheus{
		Program: StartProcess(t, "prometheus", bin, args...),
		Addr:    addr,
		URL:     "http://" + addr,
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	p.WaitReady(ctx, t, p.URL+"/-/ready")
	return p
}

// PrometheusConfig is the part of a prometheus.yml that tests of the
// shipped configuration read (decode it with yaml.v3): where the rules are,
// which Alertmanagers are told, and what is scraped.
type PrometheusConfig struct {
	RuleFiles []string `yaml:"rule_files"`
	Alerting  struct {
		Alertmanagers []struct {
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"alertmanagers"`
	} `yaml:"alerting"`
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		MetricsPath   string `yaml:"metrics_path"`
		StaticConfigs []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
	} `yaml:"scrape_configs"`
}
