// Package api is targetwatch's HTTP JSON API under /api/v1: bureaus submit
// monthly figures (one by PUT, or a batch of JSON or CSV by POST), and
// everyone with a token reads targets, their progress and their revision
// histories.
//
// Every request needs "Authorization: Bearer TOKEN" (see
// store.Authenticate); a missing, unknown or revoked token is 401, from
// the request after the revocation on (submissions are let in from a
// token cache, store.AuthenticateCached, and checked again in the
// transaction that would store them). Roles:
// agency writes its own agency's targets and reads everything; supervisor
// reads everything; admin writes anything, including locked months.
//
//	GET  /api/v1/targets                       every target with its progress (TargetsJSON)
//	GET  /api/v1/targets/{id}                  one target (TargetJSON)
//	GET  /api/v1/targets/{id}/reports          every period, current value and revisions (ReportsJSON)
//	PUT  /api/v1/targets/{id}/reports/{period} one figure, {"value": 12.5, "note": "..."} (FigureAnswer)
//	POST /api/v1/reports                       a batch, JSON (BatchBody) or CSV (BatchAnswer)
//	GET  /api/v1/agencies/{id}/missing         due and unreported months per target (MissingJSON)
//	GET  /api/v1/agencies/{id}/template.csv    the agency's import template, ?lang=zh|en
//	GET  /api/v1/report                        the execution report, ?format=csv|md|json&lang=zh|en
//
// PUT answers 201 for a period's first figure, 200 for the same value again
// (nothing stored) or for a correction (a new revision, which needs a
// note). Answers carry the ETag of the period's current revision ("3");
// If-Match with it (or *) makes the PUT conditional, 412 when it no longer
// matches. ?dry_run=true checks without storing, on PUT and POST alike.
//
// A batch is all or nothing: if any figure is bad, nothing is stored and
// the 422 answer lists every bad one (its line: the CSV line, or the
// 1-based position in a JSON batch). CSV needs a header row naming target,
// period and value (note optional, other columns ignored); rows with a
// blank value are skipped and counted. Its encoding is the Content-Type
// charset parameter (utf-8, gb18030, gbk, gb2312) or, without one, UTF-8
// (with or without a byte order mark) when the bytes are valid UTF-8 and
// GB18030 otherwise, which is what Excel on a Chinese Windows saves.
// Values may carry thousands separators ("1,234") and, for percentages, a
// trailing "%".
//
// Errors are application/problem+json (RFC 9457), their status taken from
// the kind of the error in one table (kinds). A figure is answered 2xx only
// after it is durably committed and the progress snapshot includes it.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/store"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v1"

// DefaultMaxBody is the request body limit (1 MiB).
const DefaultMaxBody = 1 << 20

// Progress is what the API needs of the progress engine. Both methods must
// be safe for concurrent use; Snapshot's result must not be modified.
type Progress interface {
	// Snapshot is the current progress of every target.
	Snapshot() *plan.Snapshot
	// Apply takes newly committed revisions into the next snapshot before
	// it returns.
	Apply(revs ...plan.Report)
}

// Config configures New.
type Config struct {
	Plan     *plan.Plan
	Store    *store.DB
	Progress Progress
	// Now is the service clock (default time.Now): periods that have not
	// begun and locked periods are judged by it.
	Now    func() time.Time
	Logger *slog.Logger
	// Registerer receives the API's metrics; nil registers nothing.
	Registerer prometheus.Registerer
	// LockAfter is how long after its due date a month locks for agencies
	// (0: plan.DefaultLockAfter; negative: never).
	LockAfter time.Duration
	// MaxBody limits request bodies (0: DefaultMaxBody).
	MaxBody int64
}

type server struct {
	plan      *plan.Plan
	store     *store.DB
	progress  Progress
	now       func() time.Time
	log       *slog.Logger
	lockAfter time.Duration
	maxBody   int64
	m         *metrics
	targets   map[string]*plan.Target // plan.Target searches linearly; a province has 100,000
}

// target finds a plan target by id.
func (s *server) target(id string) (*plan.Target, bool) {
	t, ok := s.targets[id]
	return t, ok
}

type metrics struct {
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	submissions *prometheus.CounterVec
	rejected    *prometheus.CounterVec
	warnings    prometheus.Counter
	commits     prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: plan.MetricHTTPRequests,
			Help: "API requests by handler, method and status code.",
		}, []string{"handler", "code", "method"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    plan.MetricHTTPRequestDuration,
			Help:    "API request latency by handler and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"handler", "method"}),
		submissions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: plan.MetricSubmissions,
			Help: "Figures accepted, by result: created (first figure of a period), unchanged (same value resent), corrected (new revision).",
		}, []string{plan.LabelResult}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: plan.MetricSubmissionsRejected,
			Help: "Submission requests (single or batch) rejected, by reason.",
		}, []string{plan.LabelReason}),
		warnings: prometheus.NewCounter(prometheus.CounterOpts{
			Name: plan.MetricPlausibilityWarnings,
			Help: "Figures stored with a plausibility warning (far outside what the target makes likely).",
		}),
		commits: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    plan.MetricCommitFigures,
			Help:    "Figures per database commit: concurrent submissions share one commit (and one fsync).",
			Buckets: prometheus.ExponentialBuckets(1, 2, 14),
		}),
	}
	// Every series exists from the start, so rate() sees the first event.
	for _, r := range []store.Result{store.Created, store.Unchanged, store.Corrected} {
		m.submissions.WithLabelValues(string(r))
	}
	for _, k := range kinds {
		if k.reason != "unauthenticated" {
			m.rejected.WithLabelValues(k.reason)
		}
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.requests, m.duration, m.submissions, m.rejected, m.warnings, m.commits} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// New returns the API handler, to be mounted at Prefix+"/". It registers
// cfg.Progress as the store's commit hook, so each group commit updates
// the snapshot once, before any of its submitters is answered.
func New(cfg Config) (http.Handler, error) {
	if cfg.Plan == nil || cfg.Store == nil || cfg.Progress == nil {
		return nil, errors.New("api: Plan, Store and Progress are required")
	}
	s := &server{
		plan:      cfg.Plan,
		store:     cfg.Store,
		progress:  cfg.Progress,
		now:       cfg.Now,
		log:       cfg.Logger,
		lockAfter: cfg.LockAfter,
		maxBody:   cfg.MaxBody,
	}
	s.targets = make(map[string]*plan.Target, len(cfg.Plan.Targets))
	for i := range cfg.Plan.Targets {
		s.targets[cfg.Plan.Targets[i].ID] = &cfg.Plan.Targets[i]
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.lockAfter == 0 {
		s.lockAfter = plan.DefaultLockAfter
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBody
	}
	var err error
	if s.m, err = newMetrics(cfg.Registerer); err != nil {
		return nil, err
	}
	cfg.Store.OnCommit(func(revs []plan.Report) {
		s.m.commits.Observe(float64(len(revs)))
		cfg.Progress.Apply(revs...)
	})

	mux := http.NewServeMux()
	known := http.NewServeMux() // the routes alone, to tell 405 from 404
	route := func(pattern, name string, h http.HandlerFunc) {
		method, _, _ := strings.Cut(pattern, " ")
		var handler http.Handler = h
		handler = promhttp.InstrumentHandlerCounter(s.m.requests.MustCurryWith(prometheus.Labels{"handler": name}), handler)
		handler = promhttp.InstrumentHandlerDuration(s.m.duration.MustCurryWith(prometheus.Labels{"handler": name}), handler)
		// Pre-create the common series of each route.
		s.m.requests.WithLabelValues(name, "200", strings.ToLower(method))
		mux.Handle(pattern, handler)
		known.Handle(pattern, h)
	}
	route("GET "+Prefix+"/targets", "targets", s.listTargets)
	route("GET "+Prefix+"/targets/{id}", "target", s.getTarget)
	route("GET "+Prefix+"/targets/{id}/reports", "target_reports", s.getReports)
	route("PUT "+Prefix+"/targets/{id}/reports/{period}", "put_report", s.putReport)
	route("POST "+Prefix+"/reports", "post_reports", s.postReports)
	route("GET "+Prefix+"/agencies/{id}/missing", "agency_missing", s.getMissing)
	route("GET "+Prefix+"/agencies/{id}/template.csv", "agency_template", s.getTemplate)
	route("GET "+Prefix+"/report", "report", s.getReport)
	mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPost} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := known.Handler(probe); pattern != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeProblem(w, r, s.log, &plan.Error{Kind: kindMethodNotAllowed, Message: fmt.Sprintf("%s %s: allowed %s", r.Method, r.URL.Path, strings.Join(allow, ", "))})
			return
		}
		writeProblem(w, r, s.log, plan.Errorf(plan.KindNotFound, "", "no such API endpoint: %s %s", r.Method, r.URL.Path))
	})
	return s.logRequests(s.authenticate(mux)), nil
}

type ctxKey struct{}

// caller is what authenticate learnt about a request's token.
type caller struct {
	who plan.Principal
	// secret is kept when who came from the token cache, so a refusal can
	// check the token again (see reject).
	secret string
}

// principal is the authenticated caller; authenticate guarantees one.
func principal(r *http.Request) plan.Principal {
	c, _ := r.Context().Value(ctxKey{}).(caller)
	return c.who
}

// authenticate resolves the bearer token before routing, so an unknown
// path does not tell an anonymous caller what exists.
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, secret, ok := strings.Cut(h, " ")
		if h == "" || !ok || !strings.EqualFold(scheme, "Bearer") {
			s.reject(w, r, plan.Errorf(plan.KindUnauthenticated, "Authorization", "send the token as 'Authorization: Bearer TOKEN'"))
			return
		}
		secret = strings.TrimSpace(secret)
		var c caller
		var err error
		if isWrite(r) {
			// Submit checks the token again in its transaction, so a
			// submission may be let in from the cache.
			c.who, err = s.store.AuthenticateCached(r.Context(), secret)
			c.secret = secret
		} else {
			c.who, err = s.store.Authenticate(r.Context(), secret)
		}
		if err != nil {
			s.reject(w, r, err)
			return
		}
		if rec, ok := w.(*recorder); ok {
			rec.who = c.who
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, c)))
	})
}

// isWrite reports whether a request submits figures.
func isWrite(r *http.Request) bool { return r.Method == http.MethodPut || r.Method == http.MethodPost }

// reject answers a request with an error, counting rejected submissions.
// A caller let in from the token cache is checked against the database
// before it is told anything else: a token revoked moments ago gets 401,
// as it would without the cache, not an answer about its request.
func (s *server) reject(w http.ResponseWriter, r *http.Request, err error) {
	if c, ok := r.Context().Value(ctxKey{}).(caller); ok && c.secret != "" && plan.KindOf(err) != plan.KindUnauthenticated {
		if _, aerr := s.store.Authenticate(r.Context(), c.secret); plan.KindOf(aerr) == plan.KindUnauthenticated {
			err = aerr
		}
	}
	if isWrite(r) {
		s.m.rejected.WithLabelValues(infoOf(errorKind(err)).reason).Inc()
	}
	writeProblem(w, r, s.log, err)
}

// recorder keeps what the request log needs.
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

// logRequests writes one line per request. It logs the token's id and
// label, never the Authorization header or the query string.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		// A successful request is a debug line: in a month-end rush of
		// thousands of figures a second, an info line each costs a tenth
		// of the request and buries the lines that matter. The figures
		// themselves are on record in the database, with token and time.
		level := slog.LevelDebug
		switch {
		case rec.status >= 500:
			level = slog.LevelError
		case rec.status >= 400:
			level = slog.LevelInfo
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", time.Since(start)),
			slog.Int64("token_id", rec.who.TokenID),
			slog.String("token_name", rec.who.Name),
			slog.String("remote", r.RemoteAddr),
		)
	})
}
