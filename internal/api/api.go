// Package api is targetwatch's HTTP JSON API under /api/v1: bureaus submit
// monthly figures (one by PUT, or a batch of JSON or CSV by POST), and
// everyone with a token reads targets, their progress and their revision
// histories.
//
// Every request but the OpenAPI document needs "Authorization: Bearer
// TOKEN" (see store.Authenticate); a missing, unknown or revoked token is
// 401, from the request after the revocation on (submissions are let in from a
// token cache, store.AuthenticateCached, and checked again in the
// transaction that would store them). Roles:
// agency writes its own agency's targets and reads everything; supervisor
// reads everything; admin writes anything, including locked months.
//
//	GET  /api/v1/targets                       every target with its progress (TargetsJSON)
//	GET  /api/v1/targets/{id}                  one target (TargetJSON)
//	GET  /api/v1/targets/{id}/reports          every period, current value and revisions (ReportsJSON)
//	PUT  /api/v1/targets/{id}/reports/{period} one figure, {"value": 12.5, "note": "..."} (FigureAnswer)
//	POST /api/v1/reports                       a batch, JSON (BatchBody), CSV or XLSX (BatchAnswer)
//	GET  /api/v1/agencies/{id}/missing         due and unreported months per target (MissingJSON)
//	GET  /api/v1/agencies/{id}/template.csv    the agency's import template, ?lang=zh|en
//	GET  /api/v1/agencies/{id}/template.xlsx   the same as an Excel workbook, ?lang=zh|en
//	GET  /api/v1/report                        the execution report, ?format=csv|md|json|xlsx&lang=zh|en
//	GET  /api/v1/openapi.json                  the OpenAPI 3.1 document of all of these, without a token
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
// trailing "%". An Excel workbook (XLSX) is read like a CSV: the first
// sheet whose first non-blank row names the columns, in English or by
// the template's Chinese titles; its lines are the sheet's row numbers.
//
// JSON is read strictly: an unknown field, data after the value, or a key
// twice in one object (at any depth; keys match regardless of case, as they
// do to fill fields) is 400. Notes follow plan.CheckText (422): no control
// character but tab and newline, no bidirectional control.
//
// Errors are application/problem+json (RFC 9457), their status taken from
// the kind of the error in one table (kinds); an unknown path is 404, a
// known path with another method 405 with Allow. Every answer carries an
// X-Request-Id, which a problem repeats and every log line about the
// request carries; a 500 (a recovered panic too) shows only a generic
// detail, its cause goes to the log. Every answer is counted by route
// name. A figure is answered 2xx only after it is durably committed and
// the progress snapshot includes it.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/store"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v1"

// DefaultMaxBody is the request body limit (1 MiB).
const DefaultMaxBody = 1 << 20

// Progress is what the API needs of the progress engine. Its methods must
// be safe for concurrent use; Snapshot's result must not be modified.
type Progress interface {
	// Snapshot is the current progress of every target.
	Snapshot() *plan.Snapshot
	// Add hands newly committed revisions over for a later snapshot and
	// returns at once: it runs on the store's writer goroutine.
	Add(revs ...plan.Report)
	// Sync waits until the snapshot includes every revision added before
	// the call, or until ctx is done.
	Sync(ctx context.Context) error
}

// Config configures New.
//
// The plans come from the Progress snapshots, one per request, so that a
// reload of the targets files changes them for the next request and never
// in the middle of one.
type Config struct {
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
	// Reload, when set, is what POST ReloadPath runs for an admin token:
	// re-read the plans and swap them in, or keep the old ones and say why.
	Reload func(context.Context) error
}

// ReloadPath re-reads the targets files, as SIGHUP does (Prometheus's
// address for the same). Mount the API handler there too.
const ReloadPath = "/-/reload"

type server struct {
	reloadPlans func(context.Context) error
	store       *store.DB
	progress    Progress
	now         func() time.Time
	log         *slog.Logger
	lockAfter   time.Duration
	maxBody     int64
	m           *metrics
	routes      routeTable
}

// target finds a target by id in the current snapshot's plans, and the
// plan it belongs to.
func (s *server) target(id string) (*plan.Target, *plan.Plan, bool) {
	g, ok := s.progress.Snapshot().Target(id)
	if !ok {
		return nil, nil, false
	}
	return g.Target, g.Plan, true
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
// cfg.Progress as the store's commit hook: the writer hands each group
// commit's revisions over and goes on writing, and each submitter is
// answered once the snapshot includes what it stored (Sync).
func New(cfg Config) (http.Handler, error) {
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	return s.observe(s.authenticate(s.mux())), nil
}

// newServer checks cfg and builds the server, without routes.
func newServer(cfg Config) (*server, error) {
	if cfg.Store == nil || cfg.Progress == nil {
		return nil, errors.New("api: Store and Progress are required")
	}
	s := &server{
		reloadPlans: cfg.Reload,
		store:       cfg.Store,
		progress:    cfg.Progress,
		now:         cfg.Now,
		log:         cfg.Logger,
		lockAfter:   cfg.LockAfter,
		maxBody:     cfg.MaxBody,
		routes:      routeTable{paths: http.NewServeMux(), names: map[string]string{}, methods: map[string][]string{}},
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
		cfg.Progress.Add(revs...)
	})
	return s, nil
}

// mux routes every API request; what no route takes is 404 or 405.
func (s *server) mux() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern, name string, h http.HandlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.Handle(pattern, h)
		s.routes.add(method, path, name)
		// Pre-create the common series of each route.
		s.m.requests.WithLabelValues(name, "200", strings.ToLower(method))
	}
	route("GET "+Prefix+"/plans", "plans", s.listPlans)
	route("GET "+Prefix+"/targets", "targets", s.listTargets)
	route("GET "+Prefix+"/targets/{id}", "target", s.getTarget)
	route("GET "+Prefix+"/targets/{id}/reports", "target_reports", s.getReports)
	route("PUT "+Prefix+"/targets/{id}/reports/{period}", "put_report", s.putReport)
	route("POST "+Prefix+"/reports", "post_reports", s.postReports)
	route("GET "+Prefix+"/agencies/{id}/missing", "agency_missing", s.getMissing)
	route("GET "+Prefix+"/agencies/{id}/template.csv", "agency_template", s.getTemplate)
	route("GET "+Prefix+"/agencies/{id}/template.xlsx", "agency_template_xlsx", s.getTemplateXLSX)
	route("GET "+Prefix+"/report", "report", s.getReport)
	route("GET "+OpenAPIPath, "openapi", s.getOpenAPI)
	if s.reloadPlans != nil {
		route("POST "+ReloadPath, "reload", s.reload)
	}
	mux.HandleFunc(Prefix+"/", s.unrouted)
	return mux
}

// unknownRoute is the handler label of a request whose path is no route's.
const unknownRoute = "unknown"

// routeTable knows each route's path pattern, its name (the handler label
// of the request metrics) and its methods, so that an answer given before
// routing (401) or without a route (404, 405) is counted under a bounded
// name too.
type routeTable struct {
	paths   *http.ServeMux      // the path patterns alone, matching any method
	names   map[string]string   // path pattern -> name (the first route's, when several methods share a path)
	methods map[string][]string // path pattern -> methods
}

func (t *routeTable) add(method, path, name string) {
	if _, ok := t.names[path]; !ok {
		t.paths.Handle(path, http.NotFoundHandler()) // only the pattern is used
		t.names[path] = name
	}
	t.methods[path] = append(t.methods[path], method)
}

// match is the path pattern of r's route, whatever its method ("" if none).
func (t *routeTable) match(r *http.Request) string {
	_, pattern := t.paths.Handler(r)
	return pattern
}

// name is the handler label of r.
func (t *routeTable) name(r *http.Request) string {
	if n, ok := t.names[t.match(r)]; ok {
		return n
	}
	return unknownRoute
}

// unrouted answers what no route takes: 405 with Allow for a known path,
// 404 otherwise.
func (s *server) unrouted(w http.ResponseWriter, r *http.Request) {
	if allow := s.routes.methods[s.routes.match(r)]; len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeProblem(w, r, s.log, plan.Errorf(kindMethodNotAllowed, "", "%s %s: allowed %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
		return
	}
	writeProblem(w, r, s.log, plan.Errorf(plan.KindNotFound, "", "no such API endpoint: %s %s", r.Method, r.URL.Path))
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
		if public(r) {
			next.ServeHTTP(w, r)
			return
		}
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
func isWrite(r *http.Request) bool {
	return (r.Method == http.MethodPut || r.Method == http.MethodPost) && r.URL.Path != ReloadPath
}

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
