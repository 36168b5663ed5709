package metrics

import (
	"bytes"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// TestServedMetricsPassPromtool starts the real binary on the repository's
// targets.yaml and runs `promtool check metrics` on what GET /metrics
// answers, gzip included, as CI requires.
func TestServedMetricsPassPromtool(t *testing.T) {
	promtool := testenv.LookPath(t, "promtool")
	proc := testenv.Serve(t, "--db", filepath.Join(t.TempDir(), "tw.db"), "--as-of", "2019-10-15")

	req, err := http.NewRequest(http.MethodGet, proc.URL+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Go's client asks for gzip and inflates transparently, so this checks
	// the compressed path the way Prometheus reads it.
	res, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !res.Uncompressed {
		t.Fatalf("GET /metrics: got %d (decompressed: %v), want 200 gzip-encoded", res.StatusCode, res.Uncompressed)
	}
	if ct := res.Header.Get("Content-Type"); ct != ContentType {
		t.Errorf("content type: got %q, want %q", ct, ContentType)
	}
	mfs := parseStrict(t, body)
	for _, name := range []string{plan.MetricTargetInfo, plan.MetricTargetStatus, plan.MetricTargetGoal, plan.MetricAgencyInfo, "go_goroutines"} {
		if mfs[name] == nil {
			t.Errorf("/metrics lacks the family %s", name)
		}
	}

	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("promtool check metrics: got %v\n%s\nwant no complaint", err, out)
	}
}
