package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/testenv"
)

// TestBackupWhileServing runs the real binary under eight clients and
// backs its database up with the real backup command while they write.
// Then the service is killed (leaving its WAL behind, the hardest case)
// and the copy restored as the README says. Serving it must show every
// figure acknowledged before the backup began, each period's revisions
// numbered 1..n, and PRAGMA integrity_check must pass.
func TestBackupWhileServing(t *testing.T) {
	p := repoPlan(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "tw.db")
	token := issueToken(t, db, "--role", "admin", "--name", "backup-test")
	proc := testenv.Serve(t, "--db", db, "--as-of", "2019-10-15")
	l := newLoad(p, token, 8)
	l.start(proc.URL)
	l.waitAcks(t, 600)

	out := filepath.Join(dir, "backups", "tw-copy.db")
	if err := os.Mkdir(filepath.Dir(out), 0o750); err != nil {
		t.Fatal(err)
	}
	cut, atCut := time.Now(), l.acks.Load()
	summary := testenv.Run(t, "backup", "--db", db, "--out", out)
	took, during := time.Since(cut), l.acks.Load()-atCut
	proc.Kill()
	l.stop()
	if during == 0 {
		t.Error("no figure was acknowledged while the backup ran: the test proves nothing about a running service")
	}
	t.Logf("%s(backup command took %v; %d figures acknowledged before it, %d while it ran)", summary, took.Round(time.Millisecond), atCut, during)

	restore(t, out, db)
	copied := testenv.Serve(t, "--db", db, "--as-of", "2019-10-15")
	stored, revisions := readFigures(t, p, copied.URL, token)
	checked := l.check(t, stored, cut)
	t.Logf("the copy serves %d revisions; %d periods acknowledged before the backup checked", revisions, checked)
	if !strings.Contains(summary, " revisions, ") {
		t.Errorf("backup printed %q, want a summary with the number of revisions", summary)
	}
	copied.Stop()

	sdb, err := sql.Open("sqlite3", db+"?_query_only=1")
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var res string
	if err := sdb.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check of the copy: got %q, %v; want ok", res, err)
	}
	if n := l.refused.Load(); n > 0 {
		t.Errorf("%d submissions were refused; the test sends only valid figures", n)
	}
}

func TestBackupCommandLine(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "tw.db")
	if code, _, stderr := cli(t, "", "demo", "--db", db, "--targets", filepath.Join(testenv.RepoRoot(), "targets.yaml")); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		args     []string
		code     int
		stderr   string // a part of the one line on stderr
		produces string // a file the command must create, if any
	}{
		{"a backup is written and summarised", []string{"--db", db, "--out", filepath.Join(dir, "copy.db")}, 0, "", "copy.db"},
		{"an existing output file is refused with exit 2, not the retry code 3", []string{"--db", db, "--out", existing}, 2, "existing.db already exists; not replaced", ""},
		{"a missing database is exit 1 and creates nothing", []string{"--db", filepath.Join(dir, "missing.db"), "--out", filepath.Join(dir, "m.db")}, 1, "missing.db: no such file or directory", ""},
		{"a file that is not a database is exit 1", []string{"--db", existing, "--out", filepath.Join(dir, "n.db")}, 1, "file is not a database", ""},
		{"a missing --out is a usage error", []string{"--db", db}, 2, "--out is required", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, _ := os.ReadDir(dir)
			code, _, stderr := cli(t, "", append([]string{"backup"}, c.args...)...)
			if code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, c.code, stderr)
			}
			if c.code != 0 && (strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.stderr)) {
				t.Errorf("stderr %q, want one line containing %q", stderr, c.stderr)
			}
			after, _ := os.ReadDir(dir)
			wantNew := 0
			if c.produces != "" {
				wantNew = 1
				if _, err := os.Stat(filepath.Join(dir, c.produces)); err != nil {
					t.Errorf("%s not written: %v", c.produces, err)
				}
			}
			if len(after) != len(before)+wantNew {
				t.Errorf("directory went from %d to %d entries, want %d new", len(before), len(after), wantNew)
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("existing.db now holds %q", b)
	}
}

// restore follows the README: copy the backup over the database and
// remove the old database's -wal and -shm files.
func restore(t *testing.T, backup, db string) {
	t.Helper()
	b, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(db + "-wal"); err != nil {
		t.Fatalf("the killed service left no WAL (%v): the restore is not tested against one", err)
	}
	if err := os.WriteFile(db, b, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{db + "-wal", db + "-shm"} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHelpDocumentsCommandsAndExitStatus: every command is listed by help
// and in the README's command table, and both state the exit statuses,
// backup's own included.
func TestHelpDocumentsCommandsAndExitStatus(t *testing.T) {
	code, help, _ := cli(t, "", "help")
	if code != 0 {
		t.Fatalf("help: exit %d", code)
	}
	readme, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var table []string // the first cell of each row of the command table
	for _, line := range strings.Split(string(readme), "\n") {
		if cell, ok := strings.CutPrefix(line, "| `"); ok {
			table = append(table, "`"+strings.SplitN(cell, "|", 2)[0])
		}
	}
	for name := range commands {
		if !strings.Contains(help, "\n  "+name+" ") {
			t.Errorf("help does not list %s", name)
		}
		listed := false
		for _, cell := range table {
			listed = listed || strings.Contains(cell, "`"+name+"`") || strings.Contains(cell, "`"+name+" ")
		}
		if !listed {
			t.Errorf("README's command table does not list %s", name)
		}
	}
	// Compared with the lines joined, so reflowing does not matter.
	flat := strings.Join(strings.Fields(help), " ")
	for _, want := range []string{"Exit status: 0 success; 1 failure", "backup: 1 failure, 2 a bad command line, an existing --out included",
		"the server refused, its reasons one per line", "2 a bad command line or value, found before anything was sent",
		"3 the server could not be reached or answered 5xx, worth retrying"} {
		if !strings.Contains(flat, want) {
			t.Errorf("help does not say %q", want)
		}
	}
	flatREADME := strings.Join(strings.Fields(string(readme)), " ")
	for _, want := range []string{"1 when the server refused, with its reasons one per line", "2 on a usage error found before sending",
		"3 when the server could not be reached or answered 5xx, which is worth retrying",
		"1 服务器拒绝，逐行列出原因； 2 命令行或填写的数值、月份有误，在发送之前发现；3 无法连接服务器或服务器返回 5xx"} {
		if !strings.Contains(flatREADME, want) {
			t.Errorf("README does not say %q", want)
		}
	}
	// Compared with the README's lines joined, so reflowing it does not matter.
	if want := "2 for a bad command line, an existing `--out` included"; !strings.Contains(flatREADME, want) {
		t.Errorf("README does not say %q", want)
	}
}
