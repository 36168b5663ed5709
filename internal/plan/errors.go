package plan

import (
	"errors"
	"fmt"
)

// ErrorKind classifies errors meant for callers; the API maps each kind to
// one HTTP status in a single table.
type ErrorKind int

// Error kinds.
const (
	KindInternal        ErrorKind = iota // a bug or an I/O failure: logged, not shown
	KindMalformed                        // syntactically wrong input (400)
	KindInvalid                          // well-formed but violates a rule (422)
	KindNotFound                         // 404
	KindForbidden                        // 403
	KindConflict                         // precondition or concurrent change (412/409)
	KindLocked                           // the period is locked (423)
	KindUnauthenticated                  // no or unknown token (401)
	KindTooLarge                         // request body over the limit (413)
	KindUnsupported                      // wrong content type (415)
)

// Error is an error with a kind and, where it applies, the offending field.
// Message is English (logs stay English); Format and Args keep the message
// unformatted so that an adapter can put it into the reader's language,
// with the English Format as the message's id in the catalog.
type Error struct {
	Kind    ErrorKind
	Field   string // JSON field, CSV column or query parameter; may be empty
	Message string
	Format  string // the English format Message was made from; "" if none
	Args    []any
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Message)
}

// Errorf builds an *Error. format must be a string literal: it is the
// message's id, and a test finds every one in the code to check that the
// catalog translates it.
func Errorf(kind ErrorKind, field, format string, args ...any) *Error {
	return &Error{Kind: kind, Field: field, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// KindOf returns the kind of the first *Error in err's chain, or
// KindInternal.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}
