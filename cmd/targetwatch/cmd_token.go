package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/targetwatch/targetwatch/internal/msg"
	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/store"
)

func init() {
	commands["token"] = command{summary: "issue, list and revoke API tokens", run: runToken}
}

const tokenUsage = "issue --agency ID [--role agency|supervisor|admin] [--name LABEL] | list | revoke ID  [--db FILE]"

func runToken(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		fs := newFlagSet("token", tokenUsage)
		return parseFlags(e, fs, []string{"-h"})
	}
	switch args[0] {
	case "issue":
		return runTokenIssue(ctx, e, args[1:])
	case "list":
		return runTokenList(ctx, e, args[1:])
	case "revoke":
		return runTokenRevoke(ctx, e, args[1:])
	}
	return usageError("unknown token command %q (want issue, list or revoke)", args[0])
}

func runTokenIssue(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("token issue", "--agency ID [--role agency|supervisor|admin] [--name LABEL] [--db FILE] [--targets FILE]...")
	dbPath := fs.String("db", "data/targetwatch.db", "the database `FILE` (created when absent)")
	targets := targetsVar(fs, "the targets `FILE` the agency must appear in (in one of them, with several: a token writes its agency's targets of every plan)")
	agency := fs.String("agency", "", "the agency `ID` the token writes for (required for role agency)")
	role := fs.String("role", string(plan.RoleAgency), "`ROLE`: agency, supervisor or admin")
	name := fs.String("name", "", "a `LABEL` shown in revision histories (default AGENCY-ROLE)")
	if err := parseFlags(e, fs, interspersed(fs, args)); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	r := plan.Role(*role)
	switch {
	case r != plan.RoleAgency && r != plan.RoleSupervisor && r != plan.RoleAdmin:
		return usageError("--role: want agency, supervisor or admin, got %q", *role)
	case r == plan.RoleAgency && *agency == "":
		return usageError("--agency is required for an agency token")
	}
	if err := plan.CheckText("--name", *name); err != nil {
		return usageError("%v", err)
	}
	if *agency != "" {
		var ids []string
		found := false
		for _, path := range targets.list() {
			p, err := planfile.Load(path)
			if err != nil {
				return fmt.Errorf("checking --agency against the plan: %w", err)
			}
			for _, a := range p.Agencies {
				found = found || a.ID == *agency
				if !slices.Contains(ids, a.ID) {
					ids = append(ids, a.ID)
				}
			}
		}
		if !found {
			return usageError("--agency: %q is not an agency of %s (have %v)", *agency, strings.Join(targets.list(), ", "), ids)
		}
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	tok, secret, err := db.IssueToken(ctx, *name, *agency, r)
	if err != nil {
		return err
	}
	// The secret alone on stdout, so scripts can capture it; the rest on
	// stderr.
	fmt.Fprintln(e.stdout, secret)
	msg.Fprintf(e.stderr, e.language(), "issued token %d %q (role %s%s); the secret above is shown only this once\n",
		tok.ID, tok.Name, tok.Role, agencySuffix(tok.Agency))
	return nil
}

func agencySuffix(a string) string {
	if a == "" {
		return ""
	}
	return ", agency " + a
}

// openExisting opens a database that must already exist, so a mistyped
// --db does not create an empty one.
func openExisting(ctx context.Context, path string) (*store.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return store.Open(ctx, path)
}

func runTokenList(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("token list", "[--db FILE]")
	dbPath := fs.String("db", "data/targetwatch.db", "the database `FILE`")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	toks, err := db.Tokens(ctx)
	if err != nil {
		return err
	}
	rows := [][]string{{"ID", "NAME", "ROLE", "AGENCY", "CREATED", "REVOKED"}}
	for _, t := range toks {
		revoked := "-"
		if !t.Revoked.IsZero() {
			revoked = t.Revoked.UTC().Format(time.RFC3339)
		}
		agency := t.Agency
		if agency == "" {
			agency = "-"
		}
		rows = append(rows, []string{strconv.FormatInt(t.ID, 10), t.Name, string(t.Role), agency, t.Created.UTC().Format(time.RFC3339), revoked})
	}
	return writeTable(e.stdout, rows)
}

func runTokenRevoke(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("token revoke", "ID [--db FILE]")
	dbPath := fs.String("db", "data/targetwatch.db", "the database `FILE`")
	if err := parseFlags(e, fs, interspersed(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("want exactly one token ID")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id < 1 {
		return usageError("token ID: want a positive number, got %q", fs.Arg(0))
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.RevokeToken(ctx, id); err != nil {
		return err
	}
	msg.Fprintf(e.stderr, e.language(), "revoked token %d\n", id)
	return nil
}
