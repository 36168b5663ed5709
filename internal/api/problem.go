package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// kindInfo is how one error kind reaches an HTTP client.
type kindInfo struct {
	status int
	reason string // problem type suffix and the rejected-submissions label
	title  string
}

// kindMethodNotAllowed is local to the API: no domain error is about
// HTTP methods.
const kindMethodNotAllowed plan.ErrorKind = 1000

// kinds is the one table from error kind to HTTP status.
var kinds = map[plan.ErrorKind]kindInfo{
	plan.KindMalformed:       {http.StatusBadRequest, "malformed", "Malformed request"},
	plan.KindInvalid:         {http.StatusUnprocessableEntity, "invalid", "Invalid figure"},
	plan.KindNotFound:        {http.StatusNotFound, "not_found", "Not found"},
	plan.KindForbidden:       {http.StatusForbidden, "forbidden", "Forbidden"},
	plan.KindConflict:        {http.StatusPreconditionFailed, "conflict", "Precondition failed"},
	plan.KindLocked:          {http.StatusLocked, "locked", "Period locked"},
	plan.KindUnauthenticated: {http.StatusUnauthorized, "unauthenticated", "Unauthenticated"},
	plan.KindTooLarge:        {http.StatusRequestEntityTooLarge, "too_large", "Request body too large"},
	plan.KindUnsupported:     {http.StatusUnsupportedMediaType, "unsupported", "Unsupported media type"},
	plan.KindInternal:        {http.StatusInternalServerError, "internal", "Internal error"},
	kindMethodNotAllowed:     {http.StatusMethodNotAllowed, "method_not_allowed", "Method not allowed"},
}

func infoOf(k plan.ErrorKind) kindInfo {
	if i, ok := kinds[k]; ok {
		return i
	}
	return kinds[plan.KindInternal]
}

// ProblemTypeBase prefixes the problem type URI of each error kind.
const ProblemTypeBase = "urn:targetwatch:problem:"

// Problem is an RFC 9457 problem details body. RequestID is the answer's
// X-Request-Id, which the log lines about the request carry too: for a
// 500, whose detail is generic, it is how the cause is found in the log.
type Problem struct {
	Type      string        `json:"type"`
	Title     string        `json:"title"`
	Status    int           `json:"status"`
	Detail    string        `json:"detail"`
	Errors    []ProblemItem `json:"errors"`
	RequestID string        `json:"request_id,omitempty"`
}

// ProblemItem locates one problem: a field (JSON field, CSV column, header
// or path parameter) and, in a batch, the line (CSV line, or the 1-based
// position in a JSON batch).
type ProblemItem struct {
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// errorKind is the kind an error answers with.
func errorKind(err error) plan.ErrorKind {
	var re *requestErrors
	if errors.As(err, &re) {
		return re.kind
	}
	var ps plan.Problems
	if errors.As(err, &ps) {
		return ps.Kind()
	}
	return plan.KindOf(err)
}

// problemOf turns an error into the problem sent to the client; internal
// errors are replaced by a generic message.
func problemOf(err error) Problem {
	kind := errorKind(err)
	info := infoOf(kind)
	p := Problem{Type: ProblemTypeBase + info.reason, Title: info.title, Status: info.status, Errors: []ProblemItem{}}
	var ps plan.Problems
	var pe *plan.Error
	var re *requestErrors
	switch {
	case errors.As(err, &re):
		p.Detail = re.Error()
		for _, e := range re.errs {
			p.Errors = append(p.Errors, ProblemItem{Line: re.line, Field: e.Field, Message: e.Message})
		}
	case errors.As(err, &ps):
		p.Detail = "the batch was rejected and nothing was stored; every bad row is listed"
		if len(ps) == 1 {
			p.Detail = "the batch was rejected and nothing was stored: line " + itoa(ps[0].Line) + ": " + ps[0].Err.Error()
		}
		for _, q := range ps {
			p.Errors = append(p.Errors, ProblemItem{Line: q.Line, Field: q.Err.Field, Message: q.Err.Message})
		}
	case kind == plan.KindInternal:
		p.Detail = "the request could not be completed; it has been logged"
	case errors.As(err, &pe):
		p.Detail = pe.Error()
		p.Errors = append(p.Errors, ProblemItem{Field: pe.Field, Message: pe.Message})
	default:
		p.Detail = err.Error()
	}
	return p
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// writeProblem answers with err as application/problem+json. The text of
// an internal error goes to the log only, under the request's id.
func writeProblem(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := problemOf(err)
	p.RequestID = requestID(r.Context())
	switch {
	case p.Status != http.StatusInternalServerError:
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; a figure it sent may still be committed.
		log.InfoContext(r.Context(), "client gone before the answer", "request_id", p.RequestID, "method", r.Method, "path", r.URL.Path)
	default:
		log.ErrorContext(r.Context(), "internal error", "request_id", p.RequestID, "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if p.Status == http.StatusUnauthorized {
		v := `Bearer realm="targetwatch"`
		if r.Header.Get("Authorization") != "" {
			v += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", v)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// multiError joins several located problems of one request (not a batch):
// the status is that of the most basic one, malformed before invalid.
type multiError []*plan.Error

func (m multiError) Error() string {
	s := ""
	for i, e := range m {
		if i > 0 {
			s += "; "
		}
		s += e.Error()
	}
	return s
}

// asError returns nil, the single error, or a *plan.Error standing for
// all of them with each kept as a problem item.
func (m multiError) asError() error {
	switch len(m) {
	case 0:
		return nil
	case 1:
		return m[0]
	}
	kind := m[0].Kind
	for _, e := range m {
		if e.Kind == plan.KindMalformed {
			kind = plan.KindMalformed
		}
	}
	return &requestErrors{kind: kind, errs: m}
}

type requestErrors struct {
	kind plan.ErrorKind
	errs multiError
	line int // the batch row they are all about, or 0
}

func (e *requestErrors) Error() string {
	if e.line > 0 {
		return "line " + itoa(e.line) + ": " + e.errs.Error()
	}
	return e.errs.Error()
}
