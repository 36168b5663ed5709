-- Tokens: only the SHA-256 of each secret is stored.
CREATE TABLE tokens (
	id      INTEGER PRIMARY KEY,
	name    TEXT    NOT NULL,
	agency  TEXT    NOT NULL DEFAULT '',
	role    TEXT    NOT NULL CHECK (role IN ('agency', 'supervisor', 'admin')),
	hash    BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
	created INTEGER NOT NULL, -- unix nanoseconds
	revoked INTEGER           -- unix nanoseconds; NULL while valid
);

-- Revisions are append-only: a correction is a new row with the next
-- revision number, and the current figure of a period is its latest row.
CREATE TABLE revisions (
	id         INTEGER PRIMARY KEY,
	target     TEXT    NOT NULL,
	period     TEXT    NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
	revision   INTEGER NOT NULL CHECK (revision >= 1),
	value      REAL    NOT NULL,
	note       TEXT    NOT NULL DEFAULT '',
	agency     TEXT    NOT NULL DEFAULT '',
	token_id   INTEGER REFERENCES tokens (id),
	token_name TEXT    NOT NULL DEFAULT '',
	received   INTEGER NOT NULL, -- unix nanoseconds
	UNIQUE (target, period, revision)
);

CREATE TRIGGER revisions_append_only_update BEFORE UPDATE ON revisions
BEGIN
	SELECT RAISE(ABORT, 'revisions are append-only');
END;

CREATE TRIGGER revisions_append_only_delete BEFORE DELETE ON revisions
BEGIN
	SELECT RAISE(ABORT, 'revisions are append-only');
END;
