package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestTokenListAlignsChineseNames: the columns after a Chinese name start
// where the header's do on a terminal, where each Chinese character takes
// two columns.
func TestTokenListAlignsChineseNames(t *testing.T) {
	db := filepath.Join(t.TempDir(), "tokens.db")
	for _, name := range []string{"督查室", "ab", "区生态环境局督查员"} {
		if code, _, errOut := cli(t, "", "token", "issue", "--db", db, "--role", "supervisor", "--name", name); code != 0 {
			t.Fatalf("token issue %s: exit %d: %s", name, code, errOut)
		}
	}
	code, out, errOut := cli(t, "", "token", "list", "--db", db)
	if code != 0 {
		t.Fatalf("token list: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want a header and 3 tokens:\n%s", len(lines), out)
	}
	// ID is 2 wide ("ID"), then 2 blanks: NAME starts at column 4. The
	// widest name is 区生态环境局督查员, 9 characters of width 2 = 18, so
	// ROLE starts at 4 + 18 + 2 = 24; "supervisor" is 10 wide (wider than
	// "ROLE"), so AGENCY starts at 24 + 10 + 2 = 36.
	for i, line := range lines {
		for _, c := range []struct {
			col  int
			cell string
		}{{4, []string{"NAME", "督查室", "ab", "区生态环境局督查员"}[i]}, {24, []string{"ROLE", "supervisor", "supervisor", "supervisor"}[i]}, {36, []string{"AGENCY", "-", "-", "-"}[i]}} {
			before, _, ok := strings.Cut(line, c.cell)
			if !ok {
				t.Fatalf("line %d %q lacks %q", i, line, c.cell)
			}
			if got := handWidth(before); got != c.col {
				t.Errorf("line %d %q: %q starts at column %d, want %d", i, line, c.cell, got, c.col)
			}
		}
	}
}

// handWidth counts terminal columns the plain way, independently of
// displayWidth: a CJK ideograph (U+4E00..U+9FFF) takes two, the rest of
// this test's text one.
func handWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF {
			n += 2
		} else {
			n++
		}
	}
	return n
}
