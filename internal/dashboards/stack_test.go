package dashboards

// The docker-compose stack cannot run without a Docker engine, which CI
// machines lack; these tests check everything that can be checked without
// one: the files parse, every path exists, and the names and ports that
// Prometheus, Alertmanager and Grafana use to find each other agree.

import (
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image string `yaml:"image"`
	Build *struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	Command     []string          `yaml:"command"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	Environment map[string]string `yaml:"environment"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Healthcheck *struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
}

// mount is one entry of a service's volumes.
type mount struct {
	source, target string
	named          bool
}

func (s composeService) mounts() []mount {
	var out []mount
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		m := mount{source: parts[0], target: parts[0]}
		if len(parts) > 1 {
			m.target = parts[1]
		}
		m.named = !strings.HasPrefix(m.source, ".") && !strings.HasPrefix(m.source, "/")
		out = append(out, m)
	}
	return out
}

// hostPath maps a path inside the container to the repository file bind
// mounted there, or "" when no bind mount covers it.
func (s composeService) hostPath(root, inContainer string) string {
	best, bestLen := "", -1
	for _, m := range s.mounts() {
		if m.named {
			continue
		}
		if inContainer == m.target || strings.HasPrefix(inContainer, m.target+"/") {
			if len(m.target) > bestLen {
				rest := strings.TrimPrefix(inContainer, m.target)
				best, bestLen = filepath.Join(root, filepath.FromSlash(m.source), filepath.FromSlash(rest)), len(m.target)
			}
		}
	}
	return best
}

// flag returns the value of --name=value or --name value in the command.
func (s composeService) flag(name string) string {
	for i, a := range s.Command {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
		if a == "--"+name && i+1 < len(s.Command) {
			return s.Command[i+1]
		}
	}
	return ""
}

// containerPorts lists the container side of the published ports.
func (s composeService) containerPorts() []string {
	var out []string
	for _, p := range s.Ports {
		p = strings.TrimSuffix(strings.TrimSuffix(p, "/tcp"), "/udp")
		out = append(out, p[strings.LastIndex(p, ":")+1:])
	}
	return out
}

func loadCompose(t *testing.T) (string, composeFile) {
	t.Helper()
	root := testenv.RepoRoot()
	data, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("docker-compose.yml does not parse: %v", err)
	}
	return root, c
}

func service(t *testing.T, c composeFile, name string) composeService {
	t.Helper()
	s, ok := c.Services[name]
	if !ok {
		t.Fatalf("docker-compose.yml has no service %q", name)
	}
	return s
}

// listenPort is the port of a listen address such as ":8080".
func listenPort(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("listen address %q: %v", addr, err)
	}
	return port
}

func TestComposeServicesAndPaths(t *testing.T) {
	root, c := loadCompose(t)
	for _, name := range []string{"targetwatch", "prometheus", "alertmanager", "grafana"} {
		s := service(t, c, name)
		if s.Healthcheck == nil || len(s.Healthcheck.Test) < 2 {
			t.Errorf("service %s: got no healthcheck, want one", name)
		}
		if s.Image == "" && s.Build == nil {
			t.Errorf("service %s: neither image nor build", name)
		}
		for _, m := range s.mounts() {
			if m.named {
				if _, ok := c.Volumes[m.source]; !ok {
					t.Errorf("service %s mounts volume %q, which the top-level volumes do not declare", name, m.source)
				}
				continue
			}
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(m.source))); err != nil {
				t.Errorf("service %s mounts %s, which does not exist: %v", name, m.source, err)
			}
		}
		for dep := range s.DependsOn {
			if _, ok := c.Services[dep]; !ok {
				t.Errorf("service %s depends on unknown service %s", name, dep)
			}
		}
	}

	tw := service(t, c, "targetwatch")
	if tw.Build == nil {
		t.Fatal("service targetwatch: got no build section, want it built from the Dockerfile")
	}
	dockerfile := filepath.Join(root, tw.Build.Context, tw.Build.Dockerfile)
	df, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatalf("targetwatch build: %v", err)
	}
	// Every COPY source of the final stage must exist in the context.
	for _, m := range regexp.MustCompile(`(?m)^COPY (?:--\S+ )*(\S+)`).FindAllStringSubmatch(string(df), -1) {
		if strings.HasPrefix(m[0], "COPY --from") {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, tw.Build.Context, m[1])); err != nil {
			t.Errorf("Dockerfile copies %s, which does not exist: %v", m[1], err)
		}
	}
	if !strings.Contains(string(df), "CGO_ENABLED=1") {
		t.Error("Dockerfile does not build with CGO_ENABLED=1, which SQLite needs")
	}
	wantCmd := `CMD ["serve", "--listen", ":8080", "--db", "/data/targetwatch.db"]`
	if !strings.Contains(string(df), wantCmd) {
		t.Errorf("Dockerfile: got no %s", wantCmd)
	}
	db := tw.flag("db")
	if db == "" {
		t.Fatal("service targetwatch: got no --db in its command")
	}
	kept := false
	for _, m := range tw.mounts() {
		if m.named && strings.HasPrefix(db, m.target+"/") {
			kept = true
		}
	}
	if !kept {
		t.Errorf("service targetwatch: the database %s is not on a named volume", db)
	}
}

// checkTarget checks that host:port names a compose service listening on
// that port.
func checkTarget(t *testing.T, c composeFile, what, target, wantService, wantPort string) {
	t.Helper()
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		t.Errorf("%s: target %q: %v", what, target, err)
		return
	}
	if host != wantService {
		t.Errorf("%s: got host %q, want the compose service %q", what, host, wantService)
	}
	if port != wantPort {
		t.Errorf("%s: got port %s, want %s, where service %s listens", what, port, wantPort, wantService)
	}
	if s, ok := c.Services[host]; ok && !slices.Contains(s.containerPorts(), port) {
		t.Errorf("%s: service %s does not publish port %s (ports %v)", what, host, port, s.Ports)
	}
}

func TestComposePrometheusWiring(t *testing.T) {
	root, c := loadCompose(t)
	prom := service(t, c, "prometheus")
	cfgIn := prom.flag("config.file")
	if cfgIn == "" {
		t.Fatal("service prometheus: got no --config.file")
	}
	cfgHost := prom.hostPath(root, cfgIn)
	if cfgHost == "" {
		t.Fatalf("service prometheus: no bind mount provides %s", cfgIn)
	}
	data, err := os.ReadFile(cfgHost)
	if err != nil {
		t.Fatal(err)
	}
	var cfg testenv.PrometheusConfig
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("%s does not parse: %v", cfgHost, err)
	}

	twPort := listenPort(t, service(t, c, "targetwatch").flag("listen"))
	found := false
	for _, sc := range cfg.ScrapeConfigs {
		if sc.JobName != plan.PrometheusJob {
			continue
		}
		found = true
		if sc.MetricsPath != "" && sc.MetricsPath != "/metrics" {
			t.Errorf("job %s: got metrics_path %s, want /metrics", sc.JobName, sc.MetricsPath)
		}
		for _, st := range sc.StaticConfigs {
			for _, tg := range st.Targets {
				checkTarget(t, c, "scrape job "+sc.JobName, tg, "targetwatch", twPort)
			}
		}
	}
	if !found {
		t.Errorf("prometheus.yml has no scrape job %q, which the dashboards and rules expect", plan.PrometheusJob)
	}

	am := service(t, c, "alertmanager")
	amPort := "9093" // Alertmanager's default --web.listen-address
	if a := am.flag("web.listen-address"); a != "" {
		amPort = listenPort(t, a)
	}
	n := 0
	for _, a := range cfg.Alerting.Alertmanagers {
		for _, st := range a.StaticConfigs {
			for _, tg := range st.Targets {
				n++
				checkTarget(t, c, "alerting", tg, "alertmanager", amPort)
			}
		}
	}
	if n == 0 {
		t.Error("prometheus.yml sends alerts nowhere, want alertmanager")
	}

	// Rule files are relative to the config file, inside the container.
	for _, glob := range cfg.RuleFiles {
		in := glob
		if !path.IsAbs(in) {
			in = path.Join(path.Dir(cfgIn), glob)
		}
		host := prom.hostPath(root, in)
		matches, _ := filepath.Glob(host)
		if host == "" || len(matches) == 0 {
			t.Errorf("rule_files %s matches no mounted file", glob)
		}
	}

	amCfg := am.flag("config.file")
	if amCfg == "" || am.hostPath(root, amCfg) == "" {
		t.Errorf("service alertmanager: config %q is not bind mounted", amCfg)
	}
}

func TestComposeGrafanaWiring(t *testing.T) {
	root, c := loadCompose(t)
	g := service(t, c, "grafana")
	if !slices.Contains(g.containerPorts(), "3000") {
		t.Errorf("grafana: got ports %v, want 3000 published (the alerts link to port 3000)", g.Ports)
	}
	prov := g.hostPath(root, "/etc/grafana/provisioning")
	if prov == "" {
		t.Fatal("grafana: /etc/grafana/provisioning is not bind mounted")
	}

	var ds struct {
		Datasources []struct {
			Type string `yaml:"type"`
			URL  string `yaml:"url"`
		} `yaml:"datasources"`
	}
	readYAML(t, filepath.Join(prov, "datasources", "prometheus.yml"), &ds)
	promPort := "9090"
	if a := service(t, c, "prometheus").flag("web.listen-address"); a != "" {
		promPort = listenPort(t, a)
	}
	n := 0
	for _, d := range ds.Datasources {
		if d.Type != "prometheus" {
			continue
		}
		n++
		u, err := url.Parse(d.URL)
		if err != nil {
			t.Errorf("datasource url %q: %v", d.URL, err)
			continue
		}
		checkTarget(t, c, "grafana datasource", u.Host, "prometheus", promPort)
	}
	if n != 1 {
		t.Errorf("got %d Prometheus datasources, want 1", n)
	}

	var dp struct {
		Providers []struct {
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, filepath.Join(prov, "dashboards", "targetwatch.yml"), &dp)
	if len(dp.Providers) != 1 {
		t.Fatalf("got %d dashboard providers, want 1", len(dp.Providers))
	}
	dir := g.hostPath(root, dp.Providers[0].Options.Path)
	if rel, _ := filepath.Rel(root, dir); rel != "dashboards" {
		t.Errorf("grafana: provider path %s is %q on the host, want the generated dashboards/", dp.Providers[0].Options.Path, rel)
	}
	for _, uid := range []string{plan.DashboardOverviewUID, plan.DashboardAgencyUID, plan.DashboardTargetUID} {
		if _, err := os.Stat(filepath.Join(dir, uid+".json")); err != nil {
			t.Errorf("grafana would not load %s: %v", uid, err)
		}
	}
	if home := g.Environment["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]; home != "" {
		if h := g.hostPath(root, home); h == "" || filepath.Base(h) != plan.DashboardOverviewUID+".json" {
			t.Errorf("grafana: home dashboard %s is not the mounted overview", home)
		}
	}
}

func readYAML(t *testing.T, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s does not parse: %v", file, err)
	}
}
