package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// TokenPrefix starts every secret, so secret scanners and people can tell
// a targetwatch token when they see one.
const TokenPrefix = "tw_"

// tokenBytes of randomness: 192 bits, well above the 128 required.
const tokenBytes = 24

// Token describes an issued token; the secret itself is never stored.
type Token struct {
	ID      int64
	Name    string
	Agency  string
	Role    plan.Role
	Created time.Time
	Revoked time.Time // zero while the token is valid
}

// IssueToken stores a new token and returns it with its secret, which
// exists nowhere else afterwards. Role agency needs an agency; the name
// follows plan.CheckText, since revision histories and exports show it.
func (db *DB) IssueToken(ctx context.Context, name, agency string, role plan.Role) (Token, string, error) {
	if !slices.Contains(plan.Roles, role) {
		return Token{}, "", plan.Errorf(plan.KindInvalid, "role", "unknown role %q (want agency, supervisor or admin)", role)
	}
	if role == plan.RoleAgency && agency == "" {
		return Token{}, "", plan.Errorf(plan.KindInvalid, "agency", "an agency token needs an agency")
	}
	if agency != "" && !plan.ValidID(agency) {
		return Token{}, "", plan.Errorf(plan.KindInvalid, "agency", "invalid agency id %q", agency)
	}
	if err := plan.CheckText("name", name); err != nil {
		return Token{}, "", err
	}
	raw := make([]byte, tokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return Token{}, "", fmt.Errorf("issue token: %w", err)
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	if name == "" {
		name = string(role)
		if agency != "" {
			name = agency + "-" + string(role)
		}
	}
	t := Token{Name: name, Agency: agency, Role: role, Created: db.now()}
	h := hashSecret(secret)
	res, err := db.w.ExecContext(ctx, `INSERT INTO tokens (name, agency, role, hash, created) VALUES (?, ?, ?, ?, ?)`,
		t.Name, t.Agency, string(t.Role), h[:], t.Created.UnixNano())
	if err != nil {
		return Token{}, "", fmt.Errorf("issue token: %w", classify(err))
	}
	if t.ID, err = res.LastInsertId(); err != nil {
		return Token{}, "", fmt.Errorf("issue token: %w", err)
	}
	return t, secret, nil
}

// Tokens lists every token, revoked ones included, by id.
func (db *DB) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, name, agency, role, created, revoked FROM tokens ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", classify(err))
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var role string
		var created int64
		var revoked sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Name, &t.Agency, &role, &created, &revoked); err != nil {
			return nil, fmt.Errorf("list tokens: %w", classify(err))
		}
		t.Role = plan.Role(role)
		t.Created = time.Unix(0, created)
		if revoked.Valid {
			t.Revoked = time.Unix(0, revoked.Int64)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tokens: %w", classify(err))
	}
	return out, nil
}

// RevokeToken makes a token unusable from the next request on. Revoking a
// revoked token is not an error; an unknown id is plan.KindNotFound.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, classify(err))
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked = coalesce(revoked, ?) WHERE id = ?`, db.now().UnixNano(), id)
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, classify(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	if n == 0 {
		return plan.Errorf(plan.KindNotFound, "id", "no token %d", id)
	}
	// This runs on the writer's own connection, whose commits data_version
	// does not report to the writer. Bumped while this transaction holds
	// that one connection, the generation is new for the writer's next
	// transaction; bumped again after the commit, it also drops what
	// AuthenticateCached looked up in between.
	db.tokenGen.Add(1)
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("revoke token %d: %w", id, classify(err))
	}
	db.tokenGen.Add(1)
	return nil
}

// errUnauthenticated says nothing about why, so a caller cannot probe
// which tokens exist or were revoked.
var errUnauthenticated = plan.Errorf(plan.KindUnauthenticated, "", "missing, unknown or revoked token")

// Authenticate returns the holder of a secret, or a *plan.Error of kind
// plan.KindUnauthenticated for an unknown or revoked one. Tokens are looked
// up by the SHA-256 of the secret, so lookup time reveals nothing useful
// about the secret; the hash is still compared in constant time.
func (db *DB) Authenticate(ctx context.Context, secret string) (plan.Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 200 {
		return plan.Principal{}, errUnauthenticated
	}
	return db.lookupToken(ctx, hashSecret(secret))
}

// AuthenticateCached is Authenticate for a request that goes on to Submit,
// answered from memory while no token can have changed. It may still
// accept a token that another process revoked moments ago, until the
// writer's next transaction notices; Submit checks the token again inside
// that transaction, so no figure is stored under it. Skipping the lookup
// saved 25–35 µs of the server's 230 µs of CPU per durable PUT with eight
// clients (twbench): every commit invalidates the readers' page caches, so
// under load each lookup reads its pages again.
func (db *DB) AuthenticateCached(ctx context.Context, secret string) (plan.Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 200 {
		return plan.Principal{}, errUnauthenticated
	}
	h := hashSecret(secret)
	gen := db.tokenGen.Load()
	if p, ok := db.tokens.get(h, gen); ok {
		return p, nil
	}
	p, err := db.lookupToken(ctx, h)
	if err != nil {
		return p, err
	}
	db.tokens.put(h, gen, p)
	return p, nil
}

// lookupToken reads the holder of a secret's hash from the database.
func (db *DB) lookupToken(ctx context.Context, h [32]byte) (plan.Principal, error) {
	var p plan.Principal
	var role string
	var stored []byte
	var revoked sql.NullInt64
	err := db.stAuth.QueryRowContext(ctx, h[:]).
		Scan(&p.TokenID, &p.Name, &p.Agency, &role, &stored, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return plan.Principal{}, errUnauthenticated
	}
	if err != nil {
		return plan.Principal{}, fmt.Errorf("authenticate: %w", classify(err))
	}
	if subtle.ConstantTimeCompare(stored, h[:]) != 1 || revoked.Valid {
		return plan.Principal{}, errUnauthenticated
	}
	p.Role = plan.Role(role)
	return p, nil
}

// tokenCache holds valid tokens as of one token generation. Unknown and
// revoked secrets are never cached, so guessing cannot fill it.
type tokenCache struct {
	mu     sync.Mutex
	gen    uint64
	byHash map[[32]byte]plan.Principal
}

// tokenCacheMax bounds the cache; a district has tens of tokens.
const tokenCacheMax = 4096

// get returns the holder of hash if it was valid in generation gen. A new
// generation empties the cache.
func (c *tokenCache) get(hash [32]byte, gen uint64) (plan.Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byHash == nil || gen != c.gen {
		c.byHash = map[[32]byte]plan.Principal{}
		c.gen = gen
		return plan.Principal{}, false
	}
	p, ok := c.byHash[hash]
	return p, ok
}

// put remembers a holder looked up in generation gen, unless the cache has
// moved on to another generation meanwhile.
func (c *tokenCache) put(hash [32]byte, gen uint64, p plan.Principal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byHash == nil || gen != c.gen {
		return
	}
	if len(c.byHash) >= tokenCacheMax {
		clear(c.byHash)
	}
	c.byHash[hash] = p
}

func hashSecret(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }
