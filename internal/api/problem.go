package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/targetwatch/targetwatch/internal/msg"
	"github.com/targetwatch/targetwatch/internal/plan"
)

// kindInfo is how one error kind reaches an HTTP client.
type kindInfo struct {
	status int
	reason string // problem type suffix and the rejected-submissions label
	title  string // a message id: English, put into the reader's language
}

// kindMethodNotAllowed is local to the API: no domain error is about
// HTTP methods.
const kindMethodNotAllowed plan.ErrorKind = 1000

// kinds is the one table from error kind to HTTP status.
var kinds = map[plan.ErrorKind]kindInfo{
	plan.KindMalformed:       {http.StatusBadRequest, "malformed", msg.Key("Malformed request")},
	plan.KindInvalid:         {http.StatusUnprocessableEntity, "invalid", msg.Key("Invalid figure")},
	plan.KindNotFound:        {http.StatusNotFound, "not_found", msg.Key("Not found")},
	plan.KindForbidden:       {http.StatusForbidden, "forbidden", msg.Key("Forbidden")},
	plan.KindConflict:        {http.StatusPreconditionFailed, "conflict", msg.Key("Precondition failed")},
	plan.KindLocked:          {http.StatusLocked, "locked", msg.Key("Period locked")},
	plan.KindUnauthenticated: {http.StatusUnauthorized, "unauthenticated", msg.Key("Unauthenticated")},
	plan.KindTooLarge:        {http.StatusRequestEntityTooLarge, "too_large", msg.Key("Request body too large")},
	plan.KindUnsupported:     {http.StatusUnsupportedMediaType, "unsupported", msg.Key("Unsupported media type")},
	plan.KindInternal:        {http.StatusInternalServerError, "internal", msg.Key("Internal error")},
	kindMethodNotAllowed:     {http.StatusMethodNotAllowed, "method_not_allowed", msg.Key("Method not allowed")},
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

// problemOf turns an error into the problem sent to the client, in lang;
// internal errors are replaced by a generic message.
func problemOf(err error, lang msg.Lang) Problem {
	kind := errorKind(err)
	info := infoOf(kind)
	p := Problem{Type: ProblemTypeBase + info.reason, Title: msg.Sprintf(lang, info.title), Status: info.status, Errors: []ProblemItem{}}
	var ps plan.Problems
	var pe *plan.Error
	var re *requestErrors
	switch {
	case errors.As(err, &re):
		p.Detail = re.text(lang)
		for _, e := range re.errs {
			p.Errors = append(p.Errors, ProblemItem{Line: re.line, Field: e.Field, Message: message(lang, e)})
		}
	case errors.As(err, &ps):
		p.Detail = msg.Sprintf(lang, "the batch was rejected and nothing was stored; every bad row is listed")
		if len(ps) == 1 {
			p.Detail = msg.Sprintf(lang, "the batch was rejected and nothing was stored: line %d: %s", ps[0].Line, msg.Localize(lang, ps[0].Err))
		}
		for _, q := range ps {
			p.Errors = append(p.Errors, ProblemItem{Line: q.Line, Field: q.Err.Field, Message: message(lang, q.Err)})
		}
	case kind == plan.KindInternal:
		p.Detail = msg.Sprintf(lang, "the request could not be completed; it has been logged")
	case errors.As(err, &pe):
		p.Detail = msg.Localize(lang, pe)
		p.Errors = append(p.Errors, ProblemItem{Field: pe.Field, Message: message(lang, pe)})
	default:
		p.Detail = err.Error()
	}
	return p
}

// requestLang is the language of the answer to r.
func requestLang(r *http.Request) msg.Lang {
	return msg.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// message is an error's message in lang, without its field.
func message(lang msg.Lang, e *plan.Error) string {
	if e.Format == "" {
		return e.Message
	}
	return msg.Sprintf(lang, e.Format, e.Args...)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// writeProblem answers with err as application/problem+json. The text of
// an internal error goes to the log only, under the request's id.
func writeProblem(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := problemOf(err, requestLang(r))
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
	w.Header().Add("Vary", "Accept-Language")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// multiError joins several located problems of one request (not a batch):
// the status is that of the most basic one, malformed before invalid.
type multiError []*plan.Error

func (m multiError) Error() string { return m.text(msg.English) }

func (m multiError) text(lang msg.Lang) string {
	s := ""
	for i, e := range m {
		if i > 0 {
			s += "; "
		}
		s += msg.Localize(lang, e)
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

func (e *requestErrors) Error() string { return e.text(msg.English) }

func (e *requestErrors) text(lang msg.Lang) string {
	if e.line > 0 {
		return msg.Sprintf(lang, "line %d: %s", e.line, e.errs.text(lang))
	}
	return e.errs.text(lang)
}
