package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// cli runs a command line in-process, as main would, with
// TARGETWATCH_TOKEN set to envToken (none when empty), LANG=en_US.UTF-8 (so
// messages are English) and nothing else in the environment, and returns
// the exit code, stdout and stderr.
func cli(t *testing.T, envToken string, args ...string) (int, string, string) {
	t.Helper()
	return cliEnv(t, map[string]string{tokenEnv: envToken, "LANG": "en_US.UTF-8"}, args...)
}

// cliEnv runs a command line in-process with exactly the environment vars.
func cliEnv(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return vars[k] }
	code := run(t.Context(), &env{stdout: &out, stderr: &errOut, getenv: getenv}, args)
	return code, out.String(), errOut.String()
}

// writePlan writes a plan document, plan.txt, and a targets file that
// names it as its source into a new temporary directory, and returns the
// targets file's path.
func writePlan(t *testing.T, planText, targetsYAML string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "plan.txt"), []byte(planText), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "targets.yaml")
	if err := os.WriteFile(file, []byte(targetsYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}
