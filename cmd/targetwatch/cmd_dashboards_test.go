package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDashboardsCommand(t *testing.T) {
	root := filepath.Join("..", "..")
	out := filepath.Join(t.TempDir(), "new", "dashboards")
	code, stdout, stderr := cli(t, "", "dashboards", "--targets", filepath.Join(root, "targets.yaml"), "--out", out)
	if code != 0 {
		t.Fatalf("got exit %d, want 0; stderr:\n%s", code, stderr)
	}
	for _, name := range []string{"targetwatch-overview.json", "targetwatch-agency.json", "targetwatch-target.json"} {
		if !strings.Contains(stdout, "wrote "+filepath.Join(out, name)) {
			t.Errorf("stdout does not report %s; got:\n%s", name, stdout)
		}
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		// The committed files are what the command writes for the
		// committed targets.yaml (the drift test in internal/dashboards
		// says the same from the library's side).
		want, err := os.ReadFile(filepath.Join(root, "dashboards", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: got different bytes from the committed dashboards/%s", name, name)
		}
	}
}

func TestDashboardsCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "targets.yaml")
	if err := os.WriteFile(bad, []byte("id: x\nnonsense: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"a missing targets file is an error", []string{"--targets", filepath.Join(dir, "nope.yaml"), "--out", out}, 1, "nope.yaml"},
		{"a broken targets file is an error", []string{"--targets", bad, "--out", out}, 1, "targets.yaml:"},
		{"an unknown flag is a usage error", []string{"--frobnicate"}, 2, "frobnicate"},
		{"a stray argument is a usage error", []string{"--targets", bad, "extra"}, 2, `unexpected argument "extra"`},
	}
	for _, tc := range tests {
		code, _, stderr := cli(t, "", append([]string{"dashboards"}, tc.args...)...)
		if code != tc.wantCode || !strings.Contains(stderr, tc.wantErr) {
			t.Errorf("%s: got exit %d and stderr %q, want exit %d mentioning %q", tc.name, code, stderr, tc.wantCode, tc.wantErr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: the output directory exists after a failure (%v), want nothing written", tc.name, err)
		}
	}
}
