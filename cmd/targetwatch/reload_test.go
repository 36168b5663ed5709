package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/testenv"
)

func post(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	return res.StatusCode, b.String()
}

// waitMetric polls /metrics until it holds line.
func waitMetric(t *testing.T, base, line string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, body := get(t, base+"/metrics", ""); strings.Contains(body, line) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics never showed %s", line)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The repository's plan and the city's tasks served together, the city's
// file changed while the service runs: a reload swaps the new plans in
// (a removed target leaves the API and /metrics, its figure stays stored
// and counts again when the target returns), a file with a problem keeps
// the old plans and says where the problem is, and only an administrator
// may ask for a reload. Submissions and scrapes run throughout and are
// never refused or answered with a server error.
func TestServeReloadsThePlans(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "tw.db")
	repo := filepath.Join(testenv.RepoRoot(), "targets.yaml")
	city := writePlan(t, cityText, fmt.Sprintf(cityYAML, "区水务局", "city-green"))
	write := func(yaml string) {
		t.Helper()
		if err := os.WriteFile(city, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	admin := issueToken(t, db, "--role", "admin")
	clerk := issueToken(t, db, "--agency", "water-affairs", "--targets", repo, "--targets", city)
	proc := testenv.Serve(t, "--db", db, "--as-of", "2019-10-15", "--targets", repo, "--targets", city)

	if code, body := get(t, proc.URL+"/api/v1/plans", clerk); code != 200 || !strings.Contains(body, `"id":"jiading-2019"`) || !strings.Contains(body, `"id":"city-2019"`) {
		t.Fatalf("/api/v1/plans: got %d %s, want both plans", code, body)
	}
	// The water bureau's token writes its targets of both plans.
	for _, target := range []string{"inferior-water-bodies-eliminated", "city-green"} {
		if code, err := putFigure(http.DefaultClient, proc.URL, clerk, figureKey{target, "2019-09"}, 5, ""); err != nil || code != 201 {
			t.Fatalf("PUT %s: got %d (%v), want 201", target, code, err)
		}
	}
	waitMetric(t, proc.URL, `targetwatch_target_actual{plan="city-2019",target_id="city-green"} 5`)

	// Load while the plans change: every answer is 2xx.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var bad []string
	var mu sync.Mutex
	fail := func(s string) { mu.Lock(); bad = append(bad, s); mu.Unlock() }
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			code, err := putFigure(http.DefaultClient, proc.URL, clerk, figureKey{"inferior-water-bodies-eliminated", "2019-08"}, float64(10+i%2), "更正")
			if err != nil || code >= 300 {
				fail(fmt.Sprintf("PUT during reload: %d %v", code, err))
			}
		}
	})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			res, err := http.Get(proc.URL + "/metrics")
			if err != nil || res.StatusCode != 200 {
				fail(fmt.Sprintf("scrape during reload: %v %v", res, err))
				continue
			}
			res.Body.Close()
		}
	})

	// city-green replaced by city-parks.
	write(strings.Replace(fmt.Sprintf(cityYAML, "区水务局", "city-green"), "id: city-green", "id: city-parks", 1))
	if code, body := post(t, proc.URL+"/-/reload", admin); code != 200 || !strings.Contains(body, `"plans":["jiading-2019","city-2019"]`) {
		t.Fatalf("POST /-/reload: got %d %s, want 200 and both plans", code, body)
	}
	if code, _ := get(t, proc.URL+"/api/v1/targets/city-green", clerk); code != 404 {
		t.Errorf("a removed target: got %d, want 404", code)
	}
	if _, body := get(t, proc.URL+"/metrics", ""); strings.Contains(body, `target_id="city-green"`) || !strings.Contains(body, `targetwatch_target_goal{plan="city-2019",target_id="city-parks"} 12`) {
		t.Errorf("/metrics after the reload: want city-parks and no city-green")
	}

	// A problem in the file: the old plans stay, the log says where.
	write(strings.Replace(fmt.Sprintf(cityYAML, "区水务局", "city-green"), "goal: 12", "goal: -12", 1))
	if err := proc.Cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitMetric(t, proc.URL, "targetwatch_plan_last_reload_successful 0")
	want := city + ":29:11: goal must not be negative, got -12"
	if logs := strings.Join(proc.LogLines(), "\n"); !strings.Contains(logs, want) {
		t.Errorf("log lacks %q:\n%s", want, logs)
	}
	if code, _ := get(t, proc.URL+"/api/v1/targets/city-parks", clerk); code != 200 {
		t.Errorf("after a failed reload city-parks: got %d, want 200 (the old plans)", code)
	}
	if code, body := post(t, proc.URL+"/-/reload", admin); code != 422 || !strings.Contains(body, want) {
		t.Errorf("POST /-/reload of a bad file: got %d %s, want 422 naming %s", code, body, want)
	}

	// The original file again: city-green is back with its stored figure.
	write(fmt.Sprintf(cityYAML, "区水务局", "city-green"))
	if code, body := post(t, proc.URL+"/-/reload", admin); code != 200 {
		t.Fatalf("POST /-/reload: got %d %s", code, body)
	}
	waitMetric(t, proc.URL, "targetwatch_plan_last_reload_successful 1")
	waitMetric(t, proc.URL, `targetwatch_target_actual{plan="city-2019",target_id="city-green"} 5`)
	close(stop)
	wg.Wait()
	for _, b := range bad {
		t.Error(b)
	}

	for _, tc := range []struct {
		name, token string
		want        int
	}{
		{"an agency token may not reload", clerk, 403},
		{"no token may not reload", "", 401},
	} {
		if code, _ := post(t, proc.URL+"/-/reload", tc.token); code != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, code, tc.want)
		}
	}
}
