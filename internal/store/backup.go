package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// BackupStats describes a finished backup.
type BackupStats struct {
	Bytes     int64 // size of the copy
	Revisions int64 // revisions it holds
}

// Backup writes a consistent copy of the database file src to dst while
// other processes (a running serve) go on committing. VACUUM INTO copies
// one snapshot inside a read transaction, which WAL lets run beside the
// writer, so the copy holds exactly the transactions committed before it
// began. It does not migrate src, and opens nothing at dst until the copy
// is whole: it writes a temporary file beside dst, syncs it, checks it
// with PRAGMA integrity_check, and only then links it to dst. A failed
// backup therefore leaves no file behind, and an existing dst is never
// replaced: that error wraps fs.ErrExist.
func Backup(ctx context.Context, src, dst string) (BackupStats, error) {
	var stats BackupStats
	if strings.Contains(src, "?") || strings.Contains(dst, "?") {
		// SQLite would read what follows as connection options.
		return stats, fmt.Errorf("a database path must not contain '?'")
	}
	if _, err := os.Lstat(dst); err == nil {
		return stats, fmt.Errorf("%s: %w", dst, fs.ErrExist)
	}
	fi, err := os.Stat(src)
	if err != nil {
		// Opening a missing file would create an empty database.
		return stats, fmt.Errorf("database %s: %w", src, pathErr(err))
	}
	if !fi.Mode().IsRegular() {
		return stats, fmt.Errorf("%s is not a database file", src)
	}
	dir, err := filepath.Abs(filepath.Dir(dst))
	if err != nil {
		return stats, err
	}
	// An absolute name, so SQLite never reads it as a file: URI. Created
	// empty (0600, as the database holds token hashes), which VACUUM INTO
	// accepts.
	tmpf, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return stats, fmt.Errorf("cannot write %s: %w", dst, pathErr(err))
	}
	tmp := tmpf.Name()
	tmpf.Close()
	defer removeDB(tmp)

	if err := vacuumInto(ctx, src, tmp); err != nil {
		return stats, err
	}
	if stats, err = checkCopy(ctx, tmp); err != nil {
		return stats, err
	}
	// SQLite does not sync what VACUUM INTO writes.
	if err := syncFile(tmp); err != nil {
		return stats, err
	}
	// A hard link, unlike rename, fails if dst appeared meanwhile.
	if err := os.Link(tmp, dst); err != nil {
		var le *os.LinkError
		if errors.As(err, &le) && errors.Is(le.Err, fs.ErrExist) {
			return stats, fmt.Errorf("%s: %w", dst, fs.ErrExist)
		}
		return stats, err
	}
	return stats, syncFile(dir)
}

// vacuumInto copies src to the empty file tmp.
func vacuumInto(ctx context.Context, src, tmp string) error {
	db, err := sql.Open("sqlite3", src+"?_busy_timeout=5000")
	if err != nil {
		return err
	}
	defer db.Close()
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read %s: %w", src, classify(err))
	}
	if version == 0 {
		return fmt.Errorf("%s is not a targetwatch database (schema version 0)", src)
	}
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return fmt.Errorf("copy %s: %w", src, classify(err))
	}
	return nil
}

// checkCopy runs PRAGMA integrity_check on the copy and counts its
// revisions.
func checkCopy(ctx context.Context, path string) (BackupStats, error) {
	var stats BackupStats
	db, err := sql.Open("sqlite3", path+"?_query_only=1")
	if err != nil {
		return stats, err
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check(1)").Scan(&result); err != nil {
		return stats, fmt.Errorf("check the copy: %w", classify(err))
	}
	if result != "ok" {
		return stats, fmt.Errorf("check the copy: integrity_check says %q", result)
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM revisions").Scan(&stats.Revisions); err != nil {
		return stats, fmt.Errorf("check the copy: %w", classify(err))
	}
	fi, err := os.Stat(path)
	if err != nil {
		return stats, err
	}
	stats.Bytes = fi.Size()
	return stats, nil
}

// pathErr drops the operation and path from an *fs.PathError, for
// messages that name the file themselves.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// removeDB removes a database file and whatever SQLite kept beside it.
func removeDB(path string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}
