package main

import (
	"bytes"
	"testing"
)

// cli runs a command line in-process, as main would, with
// TARGETWATCH_TOKEN set to envToken (none when empty) and nothing else in
// the environment, and returns the exit code, stdout and stderr.
func cli(t *testing.T, envToken string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string {
		if k == tokenEnv {
			return envToken
		}
		return ""
	}
	code := run(t.Context(), &env{stdout: &out, stderr: &errOut, getenv: getenv}, args)
	return code, out.String(), errOut.String()
}
