package deploy

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/targetwatch/targetwatch/internal/testenv"
)

// loadCompose loads file with the Compose specification's own loader, the
// one docker compose uses: schema validation, interpolation from env (and
// nothing else of the environment), paths resolved against dir, and the
// references between services, volumes and networks checked.
func loadCompose(t *testing.T, dir, file string, env ...string) (*types.Project, error) {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(dir), cli.WithEnv(env), cli.WithResolvedPaths(true), cli.WithConsistency(true))
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(context.Background())
}

// missingPaths lists every path on the host that the project builds from
// or bind-mounts and that does not exist, and every named volume a
// service uses that the project does not declare.
func missingPaths(p *types.Project) []string {
	var missing []string
	exists := func(what, path string) {
		if _, err := os.Stat(path); err != nil {
			missing = append(missing, what+" "+path)
		}
	}
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if b := s.Build; b != nil {
			exists(name+": build context", b.Context)
			df := b.Dockerfile
			if !filepath.IsAbs(df) {
				df = filepath.Join(b.Context, df)
			}
			exists(name+": dockerfile", df)
		}
		for _, v := range s.Volumes {
			switch v.Type {
			case types.VolumeTypeBind:
				exists(name+": bind mount", v.Source)
			case types.VolumeTypeVolume:
				if _, ok := p.Volumes[v.Source]; !ok {
					missing = append(missing, name+": undeclared volume "+v.Source)
				}
			}
		}
	}
	return missing
}

// docker-compose.yml as shipped: valid under the Compose specification,
// the four services of the README's table on their ports, and every
// file and directory it builds from or mounts present in the repository.
func TestComposeFile(t *testing.T) {
	root := testenv.RepoRoot()
	p, err := loadCompose(t, root, filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatalf("load docker-compose.yml: %v", err)
	}
	// The README's table: service and the port it publishes on the host.
	want := map[string]string{"targetwatch": "8080", "prometheus": "9090", "alertmanager": "9093", "grafana": "3000"}
	if got := p.ServiceNames(); !slices.Equal(got, []string{"alertmanager", "grafana", "prometheus", "targetwatch"}) {
		t.Errorf("services: got %v, want alertmanager, grafana, prometheus, targetwatch", got)
	}
	for name, port := range want {
		s, ok := p.Services[name]
		if !ok {
			continue
		}
		if len(s.Ports) != 1 || s.Ports[0].Published != port || strconv.Itoa(int(s.Ports[0].Target)) != port {
			t.Errorf("%s: ports %+v, want %s:%s", name, s.Ports, port, port)
		}
		if s.Image == "" {
			t.Errorf("%s: no image", name)
		}
	}
	if m := missingPaths(p); len(m) > 0 {
		t.Errorf("missing:\n%s", strings.Join(m, "\n"))
	}
	// The bind mounts that were checked: Prometheus's configuration
	// directory, Alertmanager's file, Grafana's provisioning and the
	// dashboards.
	var binds int
	for _, s := range p.Services {
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeBind {
				binds++
			}
		}
	}
	if binds != 4 {
		t.Errorf("bind mounts: got %d, want 4 (prometheus 1, alertmanager 1, grafana 2)", binds)
	}
}

// The build arguments compose passes are the ones the Dockerfile declares
// and hands to the linker, taken from the environment.
func TestComposeBuildArgsReachTheDockerfile(t *testing.T) {
	root := testenv.RepoRoot()
	p, err := loadCompose(t, root, filepath.Join(root, "docker-compose.yml"),
		"TARGETWATCH_VERSION=v9.8.7", "TARGETWATCH_REVISION=0123abc", "TARGETWATCH_REVISION_TIME=2026-03-01T08:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	args := p.Services["targetwatch"].Build.Args
	want := map[string]string{"VERSION": "v9.8.7", "REVISION": "0123abc", "REVISION_TIME": "2026-03-01T08:00:00Z"}
	dockerfile, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for name, value := range want {
		if got := args[name]; got == nil || *got != value {
			t.Errorf("build arg %s: got %v, want %q", name, got, value)
		}
		if !regexp.MustCompile(`(?m)^ARG ` + name + `=?`).Match(dockerfile) {
			t.Errorf("the Dockerfile does not declare ARG %s", name)
		}
	}
	if len(args) != len(want) {
		t.Errorf("build args: got %d, want %d", len(args), len(want))
	}
	for _, x := range []string{"-X main.version=${VERSION}", "-X main.revision=${REVISION}", "-X main.revisionTime=${REVISION_TIME}"} {
		if !strings.Contains(string(dockerfile), x) {
			t.Errorf("the Dockerfile's go build lacks %s", x)
		}
	}
}

// The checks above can fail: the loader refuses what the specification
// does not allow, and missingPaths finds what is not there. Each case
// changes one thing of the shipped file.
func TestComposeChecksCatchMistakes(t *testing.T) {
	root := testenv.RepoRoot()
	shipped, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, old, new string
		wantLoad       string // part of the loader's error; "" when it loads
		wantMissing    string // part of missingPaths's report
	}{
		{"a misspelt key is refused by the schema", "    restart: unless-stopped\n", "    restartt: unless-stopped\n", "restartt", ""},
		{"a dependency on an unknown service is refused", "      prometheus:\n        condition: service_healthy", "      prometheus2:\n        condition: service_healthy", "prometheus2", ""},
		{"a bind mount of a missing directory is reported", "./deploy/prometheus:/etc/prometheus:ro", "./deploy/prometheus-gone:/etc/prometheus:ro", "", "prometheus: bind mount " + filepath.Join(root, "deploy", "prometheus-gone")},
		{"a missing Dockerfile is reported", "dockerfile: Dockerfile", "dockerfile: Dockerfile.gone", "", "targetwatch: dockerfile " + filepath.Join(root, "Dockerfile.gone")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(string(shipped), tc.old) {
				t.Fatalf("docker-compose.yml no longer contains %q", tc.old)
			}
			// The changed file sits in a temporary directory, its paths
			// resolved against the repository as the shipped one's are.
			file := filepath.Join(t.TempDir(), "docker-compose.yml")
			if err := os.WriteFile(file, []byte(strings.Replace(string(shipped), tc.old, tc.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := loadCompose(t, root, file)
			if tc.wantLoad != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantLoad) {
					t.Fatalf("load: got error %v, want one naming %q", err, tc.wantLoad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m := missingPaths(p); !slices.Contains(m, tc.wantMissing) {
				t.Errorf("missing: got %q, want %q among them", m, tc.wantMissing)
			}
		})
	}
}
