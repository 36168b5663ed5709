// Package store keeps targetwatch's durable state in one SQLite file: the
// append-only revisions of every reported figure and the API tokens.
//
// Durability: every connection runs with journal_mode=WAL and
// synchronous=FULL, so a figure whose Submit has returned survives a crash
// or a power loss. Writes go through one writer goroutine that commits all
// submissions queued at that moment in one transaction (group commit): a
// lone writer is committed at once, concurrent writers share an fsync.
//
// A *DB is safe for concurrent use. Errors meant for callers are
// *plan.Error (or plan.Problems for a batch); anything else is internal.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/targetwatch/targetwatch/internal/plan"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is an open targetwatch database.
type DB struct {
	path    string
	w       *sql.DB // one connection, BEGIN IMMEDIATE: the writer
	r       *sql.DB // readers; WAL lets them run beside the writer
	now     func() time.Time
	log     *slog.Logger
	queue   chan *request
	quit    chan struct{} // closed by Close
	stopped chan struct{} // closed when the writer has exited
	wg      sync.WaitGroup
	closed  sync.Once

	maxBatch int

	// Prepared once: stCurrent, stInsert, stDataVersion and stTokenByID
	// by the writer goroutine only, stAuth at Open.
	stCurrent, stInsert, stDataVersion, stTokenByID, stAuth *sql.Stmt

	// tokenGen changes whenever a token may have changed: revoked through
	// this DB, or anything committed by another process (the token
	// command), which the writer sees as a new data_version. Cached
	// authentications are only good within one generation.
	tokenGen atomic.Uint64
	tokens   tokenCache // AuthenticateCached

	// The writer's own record of tokens it has checked in generation
	// tokenOKGen; writer goroutine only. See checkToken.
	tokenOK    map[int64]plan.Principal
	tokenOKGen uint64

	cache       map[curKey]curVal // writer goroutine only; see lookup
	dataVersion int64

	hookMu   sync.RWMutex
	onCommit func([]plan.Report)
}

// Option configures Open.
type Option func(*DB)

// WithClock sets the clock that stamps each revision's received time
// (default time.Now). The service passes its own clock, so a replay with
// --as-of records the replayed moment.
func WithClock(now func() time.Time) Option { return func(db *DB) { db.now = now } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(db *DB) { db.log = l } }

// WithMaxBatch bounds how many queued submissions share one transaction
// (default 1024).
func WithMaxBatch(n int) Option { return func(db *DB) { db.maxBatch = n } }

// SchemaVersion is the newest schema this build understands.
func SchemaVersion() int {
	names, _ := migrations()
	return len(names)
}

// Open opens (creating it and its directory when absent) the database at
// path, applies pending migrations and starts the writer. A database
// written by a newer targetwatch is refused.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	db := &DB{
		path:     path,
		now:      time.Now,
		log:      slog.New(slog.DiscardHandler),
		queue:    make(chan *request, 4096),
		quit:     make(chan struct{}),
		stopped:  make(chan struct{}),
		maxBatch: 1024,
		cache:    map[curKey]curVal{},
		tokenOK:  map[int64]plan.Principal{},
	}
	for _, o := range opts {
		o(db)
	}
	if path == "" || strings.Contains(path, "?") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("open store: %q is not a plain file path", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	// Settings live in the DSN so every pooled connection gets them.
	dsn := path + "?_journal_mode=WAL&_synchronous=FULL&_foreign_keys=on&_busy_timeout=5000"
	var err error
	if db.w, err = sql.Open("sqlite3", dsn+"&_txlock=immediate"); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	db.w.SetConnMaxLifetime(0)
	db.w.SetConnMaxIdleTime(0)
	if db.r, err = sql.Open("sqlite3", dsn+"&_query_only=1"); err != nil {
		db.w.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	db.r.SetMaxOpenConns(8)
	db.r.SetMaxIdleConns(8)
	if err := db.migrate(ctx); err != nil {
		db.w.Close()
		db.r.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := db.prepare(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// The writer compares data_version with this at every commit to see
	// other processes' commits.
	if err := db.stDataVersion.QueryRowContext(ctx).Scan(&db.dataVersion); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, classify(err))
	}
	db.wg.Add(1)
	go db.writer()
	return db, nil
}

// prepare readies the statements of the hot paths. The writer's must be
// prepared here: once the writer holds the one write connection in a
// transaction, preparing on the pool would wait for it forever.
func (db *DB) prepare(ctx context.Context) error {
	var err error
	if db.stCurrent, err = db.w.PrepareContext(ctx, `SELECT revision, value, note, agency, token_id, token_name, received
		FROM revisions WHERE target = ? AND period = ? ORDER BY revision DESC LIMIT 1`); err != nil {
		return classify(err)
	}
	if db.stInsert, err = db.w.PrepareContext(ctx, `INSERT INTO revisions
		(target, period, revision, value, note, agency, token_id, token_name, received)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
		return classify(err)
	}
	if db.stDataVersion, err = db.w.PrepareContext(ctx, `PRAGMA data_version`); err != nil {
		return classify(err)
	}
	if db.stTokenByID, err = db.w.PrepareContext(ctx, `SELECT name, agency, role, revoked FROM tokens WHERE id = ?`); err != nil {
		return classify(err)
	}
	if db.stAuth, err = db.r.PrepareContext(ctx, `SELECT id, name, agency, role, hash, revoked FROM tokens WHERE hash = ?`); err != nil {
		return classify(err)
	}
	return nil
}

// Close stops the writer after the batch in progress and closes the file.
// Submissions still queued get an error.
func (db *DB) Close() error {
	var err error
	db.closed.Do(func() {
		close(db.quit)
		db.wg.Wait()
		for _, st := range []*sql.Stmt{db.stCurrent, db.stInsert, db.stDataVersion, db.stTokenByID, db.stAuth} {
			if st != nil {
				st.Close()
			}
		}
		err = errors.Join(db.w.Close(), db.r.Close())
	})
	return err
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Ping checks that the database answers a query, for /readyz.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	if err := db.r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&n); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	return nil
}

// OnCommit registers fn to be called with every revision a group commit
// stored, after the commit and before any of its submitters is answered,
// so a submitter that has its answer knows fn has seen its revisions.
// fn runs on the writer goroutine, and every later commit waits for it: it
// should hand the revisions over to whoever acts on them (as the progress
// tracker's Add does) rather than act on them itself, and must not call
// Submit. Register it before the first Submit; a later call replaces it.
func (db *DB) OnCommit(fn func([]plan.Report)) {
	db.hookMu.Lock()
	db.onCommit = fn
	db.hookMu.Unlock()
}

func migrations() ([]string, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// migrate applies the embedded migrations above PRAGMA user_version, each
// in its own transaction, so a crash mid-way leaves a consistent version.
func (db *DB) migrate(ctx context.Context) error {
	names, err := migrations()
	if err != nil {
		return err
	}
	for i, name := range names {
		want := i + 1
		base := filepath.Base(name)
		n, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || n != want {
			return fmt.Errorf("migration %s: want number %04d", base, want)
		}
	}
	var have int
	if err := db.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return classify(err)
	}
	if have > len(names) {
		return fmt.Errorf("database schema version %d is newer than this targetwatch understands (%d): use a newer targetwatch", have, len(names))
	}
	for i := have; i < len(names); i++ {
		body, err := migrationFS.ReadFile(names[i])
		if err != nil {
			return err
		}
		if err := db.applyMigration(ctx, i+1, string(body)); err != nil {
			return fmt.Errorf("migration %s: %w", filepath.Base(names[i]), err)
		}
		db.log.Info("applied migration", "version", i+1, "file", filepath.Base(names[i]))
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, version int, body string) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	defer tx.Rollback()
	// Another process may have migrated while we waited for the lock.
	var have int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return classify(err)
	}
	if have >= version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return classify(err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		return classify(err)
	}
	return classify(tx.Commit())
}

// classify turns SQLite errors callers can act on into *plan.Error and
// wraps the rest.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return fmt.Errorf("database is busy (another process holds the write lock): %w", err)
		case sqlite3.ErrConstraint:
			return plan.Errorf(plan.KindConflict, "", "conflicting concurrent change, please retry")
		case sqlite3.ErrReadonly, sqlite3.ErrCantOpen, sqlite3.ErrPerm:
			return fmt.Errorf("database file is not writable: %w", err)
		case sqlite3.ErrFull:
			return fmt.Errorf("disk full: %w", err)
		}
	}
	return err
}
