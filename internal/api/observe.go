package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// RequestIDHeader carries the id of every answer. A 500 problem carries the
// same id, and so does every log line about the request, so what a user
// reports can be found in the log, where the internal error text is.
const RequestIDHeader = "X-Request-Id"

type requestIDKey struct{}

// requestID is the id observe gave the request ("" outside observe).
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// newRequestID is 64 random bits in hex. It is made here, never taken from
// the client, so it is safe in a log line and unique enough to find one.
func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand documents it)
	return hex.EncodeToString(b[:])
}

// recorder keeps what the request log and the metrics need.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	who    plan.Principal
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// observe is the outermost layer of the API: every answer, refusals before
// routing and recovered panics included, gets a request id, is counted
// under its route's name (a bounded label: never the raw path) and is
// logged in one line. It logs the token's id and label, never the
// Authorization header or the query string.
func (s *server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		w.Header().Set(RequestIDHeader, id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
		rec := &recorder{ResponseWriter: w}
		defer func() {
			p := recover()
			if p != nil && p != http.ErrAbortHandler {
				s.log.ErrorContext(r.Context(), "panic", "request_id", id, "method", r.Method, "path", r.URL.Path,
					"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if rec.status == 0 {
					// Nothing is out yet: drop what the handler set
					// for its own answer (an ETag, say).
					for k := range w.Header() {
						if k != RequestIDHeader {
							delete(w.Header(), k)
						}
					}
					writeProblem(rec, r, s.log, errors.New("recovered from a panic"))
					p = nil
				} else {
					// Part of an answer is out: abort the connection, so
					// the client cannot take it for the whole answer.
					p = http.ErrAbortHandler
				}
			}
			s.done(rec, r, start)
			if p != nil {
				panic(p)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// done counts and logs an answer.
func (s *server) done(rec *recorder, r *http.Request, start time.Time) {
	took := time.Since(start)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	name := s.routes.name(r)
	method := methodLabel(r.Method)
	s.m.requests.WithLabelValues(name, strconv.Itoa(rec.status), method).Inc()
	s.m.duration.WithLabelValues(name, method).Observe(took.Seconds())
	// A successful request is a debug line: in a month-end rush of
	// thousands of figures a second, an info line each costs a tenth of
	// the request and buries the lines that matter. The figures themselves
	// are on record in the database, with token and time.
	level := slog.LevelDebug
	switch {
	case rec.status >= 500:
		level = slog.LevelError
	case rec.status >= 400:
		level = slog.LevelInfo
	}
	s.log.LogAttrs(r.Context(), level, "request",
		slog.String("request_id", requestID(r.Context())),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("route", name),
		slog.Int("status", rec.status),
		slog.Int64("bytes", rec.bytes),
		slog.Duration("duration", took),
		slog.Int64("token_id", rec.who.TokenID),
		slog.String("token_name", rec.who.Name),
		slog.String("remote", r.RemoteAddr),
	)
}

// methodLabel keeps the method label bounded: any method the API does not
// know is "unknown", as client_golang's promhttp does.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost, http.MethodDelete,
		http.MethodPatch, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return strings.ToLower(m)
	}
	return "unknown"
}
