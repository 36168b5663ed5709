package main

import (
	"context"
	"errors"
	"io/fs"
	"time"

	"github.com/targetwatch/targetwatch/internal/msg"
	"github.com/targetwatch/targetwatch/internal/store"
)

func init() {
	commands["backup"] = command{summary: "write a consistent copy of the database, also while serve runs", run: runBackup}
}

func runBackup(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("backup", "--db FILE --out FILE\n\n"+
		"Copies the database, consistently, while serve may be running and taking figures.\n"+
		"Never replaces --out; a failed backup leaves no file behind.\n"+
		"Exit status: 0 copy written, 1 backup failed, 2 bad command line (an existing --out included).")
	db := flags.String("db", "data/targetwatch.db", "the database `FILE` to copy")
	out := flags.String("out", "", "the `FILE` to write; it must not exist")
	if err := parseFlags(e, flags, args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return usageError("unexpected argument %q", flags.Arg(0))
	}
	if *out == "" {
		return usageError("--out is required")
	}
	start := time.Now()
	stats, err := store.Backup(ctx, *db, *out)
	if errors.Is(err, fs.ErrExist) {
		// Found before anything was copied, like any other bad argument; not
		// 3, which tells scripts a retry may succeed.
		return &exitError{code: 2, err: msg.Errorf("%s already exists; not replaced", *out)}
	}
	if err != nil {
		return err
	}
	msg.Fprintf(e.stdout, e.language(), "backed up %s to %s: %d revisions, %d bytes, %v\n",
		*db, *out, stats.Revisions, stats.Bytes, time.Since(start).Round(time.Millisecond))
	return nil
}
