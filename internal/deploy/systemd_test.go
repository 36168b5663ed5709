package deploy

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/testenv"
)

// The units as shipped, and where they expect the binary.
var (
	unitFiles       = []string{"targetwatch.service", "targetwatch-backup.service", "targetwatch-backup.timer"}
	installedBinary = "/usr/local/bin/targetwatch"
)

// unitsWith copies the units into a temporary directory, with the
// installed paths replaced (old, new pairs), and returns the directory.
func unitsWith(t *testing.T, replace ...string) string {
	t.Helper()
	dir := t.TempDir()
	r := strings.NewReplacer(replace...)
	for _, name := range unitFiles {
		b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "deploy", "systemd", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(r.Replace(string(b))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// systemd-analyze verify accepts the units without a single remark.
// verify insists that ExecStart's program exists, so the copies name the
// real binary, built from this checkout, instead of the installed path.
func TestSystemdUnitsVerify(t *testing.T) {
	sa := testenv.LookPath(t, "systemd-analyze")
	dir := unitsWith(t, installedBinary, testenv.Targetwatch(t))
	args := []string{"verify", "--man=no"}
	for _, name := range unitFiles {
		args = append(args, filepath.Join(dir, name))
	}
	out, err := exec.Command(sa, args...).CombinedOutput()
	// verify exits 0 for an unknown key or a bad value it ignores, so any
	// output at all is a failure.
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// systemd's own rating of each service's sandbox: the checks the units are
// written to pass, and the overall exposure (0 safest, 10 unprotected),
// which stays within systemd's "OK" band.
func TestSystemdUnitsSandboxing(t *testing.T) {
	sa := testenv.LookPath(t, "systemd-analyze")
	dir := unitsWith(t, installedBinary, testenv.Targetwatch(t))
	exposureLine := regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+)`)
	for _, tc := range []struct {
		unit        string
		maxExposure float64
	}{
		// Listens on the network, so it keeps Internet sockets.
		{"targetwatch.service", 2.0},
		// Reads and writes files only: no network at all.
		{"targetwatch-backup.service", 1.0},
	} {
		t.Run(tc.unit, func(t *testing.T) {
			cmd := exec.Command(sa, "security", "--offline=true", "--no-pager", tc.unit)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("systemd-analyze security: %v\n%s", err, out)
			}
			passed := map[string]bool{}
			sc := bufio.NewScanner(strings.NewReader(string(out)))
			for sc.Scan() {
				if f := strings.Fields(sc.Text()); len(f) > 1 && f[0] == "✓" {
					passed[f[1]] = true
				}
			}
			for _, check := range []string{"User=/DynamicUser=", "NoNewPrivileges=", "ProtectSystem=", "ProtectHome=", "PrivateTmp=",
				"PrivateDevices=", "ProtectKernelTunables=", "ProtectKernelModules=", "ProtectKernelLogs=", "ProtectControlGroups=",
				"RestrictAddressFamilies=~AF_PACKET", "SystemCallFilter=~@privileged", "SystemCallArchitectures=", "CapabilityBoundingSet=~CAP_SYS_ADMIN",
				"MemoryDenyWriteExecute=", "RestrictNamespaces=~user", "RestrictSUIDSGID=", "LockPersonality="} {
				if !passed[check] {
					t.Errorf("systemd-analyze security does not pass %s", check)
				}
			}
			if !strings.Contains(string(out), "Service has strict read-only access to the OS file hierarchy") {
				t.Error("ProtectSystem is not strict")
			}
			m := exposureLine.FindStringSubmatch(string(out))
			if m == nil {
				t.Fatalf("no overall exposure in\n%s", out)
			}
			if e, _ := strconv.ParseFloat(m[1], 64); e > tc.maxExposure {
				t.Errorf("exposure %v, want at most %v:\n%s", e, tc.maxExposure, out)
			}
			t.Logf("exposure %s", m[1])
		})
	}
}

// unitValue returns the value of key in the unit file text ("" when
// absent), with systemd's escapes (%% and $$) undone.
func unitValue(t *testing.T, text, key string) string {
	t.Helper()
	for line := range strings.SplitSeq(text, "\n") {
		if v, ok := strings.CutPrefix(line, key+"="); ok {
			return strings.NewReplacer("%%", "%", "$$", "$").Replace(v)
		}
	}
	t.Fatalf("no %s= in the unit", key)
	return ""
}

// The units' command lines do what they say with the real binary, on
// stand-ins for the installed directories: serve starts on the database
// in the state directory with the plan from the configuration directory,
// survives ExecReload, and two backups taken while it runs are two
// files named by their time.
func TestSystemdCommandsRun(t *testing.T) {
	bin := testenv.Targetwatch(t)
	state, backups := t.TempDir(), t.TempDir()
	dir := unitsWith(t, installedBinary, bin,
		// targets.yaml and the seeds/ document it quotes, as installed.
		"/etc/targetwatch/", testenv.RepoRoot()+"/",
		"/var/lib/targetwatch-backup/", backups+"/",
		"/var/lib/targetwatch/", state+"/")
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	service, backup := read("targetwatch.service"), read("targetwatch-backup.service")

	args := strings.Fields(unitValue(t, service, "ExecStart"))
	if args[0] != bin || args[1] != "serve" {
		t.Fatalf("ExecStart: got %q, want %s serve ...", args, bin)
	}
	// Drop --listen ADDR: the test listens on a free port.
	for i := range args {
		if args[i] == "--listen" {
			args = append(args[:i:i], args[i+2:]...)
			break
		}
	}
	proc := testenv.ServeBinary(t, bin, args[2:]...)
	if _, err := os.Stat(filepath.Join(state, "targetwatch.db")); err != nil {
		t.Fatalf("serve did not create its database in the state directory: %v", err)
	}
	if res, err := http.Get(proc.URL + "/readyz"); err != nil {
		t.Fatal(err)
	} else if res.Body.Close(); res.StatusCode != 200 {
		t.Fatalf("/readyz: got %d, want 200", res.StatusCode)
	}

	reload := strings.ReplaceAll(unitValue(t, service, "ExecReload"), "$MAINPID", strconv.Itoa(proc.Cmd.Process.Pid))
	if out, err := exec.Command("/bin/sh", "-c", reload).CombinedOutput(); err != nil {
		t.Fatalf("ExecReload %s: %v\n%s", reload, err, out)
	}
	// serve keeps running and answering after the reload signal (by
	// default a Go program dies of SIGHUP).
	time.Sleep(500 * time.Millisecond)
	if err := proc.Cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("serve did not survive ExecReload: %v\n%s", err, strings.Join(proc.LogLines(), "\n"))
	}
	if res, err := http.Get(proc.URL + "/readyz"); err != nil {
		t.Fatalf("/readyz after ExecReload: %v", err)
	} else if res.Body.Close(); res.StatusCode != 200 {
		t.Fatalf("/readyz after ExecReload: got %d, want 200", res.StatusCode)
	}

	start := time.Now().UTC().Truncate(time.Second)
	script := unitValue(t, backup, "ExecStart")
	for i := range 2 {
		if i == 1 {
			time.Sleep(1100 * time.Millisecond) // names have a resolution of one second
		}
		if out, err := exec.Command("/bin/sh", "-c", strings.TrimSuffix(strings.TrimPrefix(script, "/bin/sh -c '"), "'")).CombinedOutput(); err != nil {
			t.Fatalf("backup ExecStart: %v\n%s", err, out)
		}
	}
	end := time.Now().UTC()
	entries, err := os.ReadDir(backups)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("backups: got %d files, want 2", len(entries))
	}
	for _, e := range entries {
		stamp, ok := strings.CutPrefix(strings.TrimSuffix(e.Name(), ".db"), "targetwatch-")
		when, err := time.Parse("20060102T150405Z", stamp)
		if !ok || err != nil || when.Before(start) || when.After(end) {
			t.Errorf("backup %s: want targetwatch-YYYYMMDDTHHMMSSZ.db with a time between %v and %v", e.Name(), start, end)
		}
	}
}
