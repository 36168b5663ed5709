// Package web serves the built-in status page: an overview of every target
// sorted by urgency, and a page per target with its monthly history as an
// inline SVG chart, every revision of every figure and the quote from the
// plan. It is server-rendered HTML from html/template with assets embedded
// in the binary: no script, no external request, no front-end build step.
//
// Figures come from the progress snapshot only, so the page shows exactly
// what /metrics and the API show. The revision table reads the store's
// history, which holds who submitted what and when.
//
// Pages are Chinese by default and English with ?lang=en or an English
// Accept-Language. Reading is open unless Config.RequireToken is set; then a
// supervisor or admin token, given once in a sign-in form, is kept in a
// Secure (under TLS), HttpOnly, SameSite=Strict cookie.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Snapshots gives the current progress snapshot. It must be safe for
// concurrent use and never return nil once the handler serves.
type Snapshots interface {
	Snapshot() *plan.Snapshot
}

// History lists every revision of every period of one target, in period and
// revision order. It must be safe for concurrent use.
type History interface {
	History(ctx context.Context, targetID string) ([]plan.Report, error)
}

// Authenticator resolves a token secret to its holder. An unknown or revoked
// token returns an error of kind plan.KindUnauthenticated. It must be safe
// for concurrent use.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (plan.Principal, error)
}

// EvaluateFunc evaluates one target from its revisions as of a moment; the
// target page calls it at each month's due date to draw the history chart.
type EvaluateFunc func(p *plan.Plan, t *plan.Target, revs []plan.Report, now time.Time) plan.Progress

// Config configures the status page.
type Config struct {
	Snapshots Snapshots // required
	History   History   // required: the revision table of the target page
	// Evaluate draws the chart's lines from the revisions (default
	// plan.Evaluate, the engine behind every snapshot).
	Evaluate EvaluateFunc
	// RequireToken protects reading with a supervisor (or higher) token.
	// Figures, when set, serves the supervision bulletin at
	// /report/bulletin, evaluated from every stored figure.
	Figures report.Figures
	// Now is the service clock, the bulletin's default day (default
	// time.Now).
	Now          func() time.Time
	RequireToken bool
	Auth         Authenticator // required when RequireToken is set
	Logger       *slog.Logger  // nil discards
}

// Handler serves the status page. Mount it at "/": it answers /, /targets/ID,
// /report/FORMAT (the execution report to download), /report/bulletin (the
// printable supervision bulletin), /template/AGENCY and /template/AGENCY.xlsx
// (an agency's import template), /signin, /signout and
// /static/.
type Handler struct {
	cfg    Config
	log    *slog.Logger
	pages  *pages
	static http.Handler
	mux    *http.ServeMux
}

// CookieName holds the token when reading is protected.
const CookieName = "targetwatch_token"

// New validates cfg and builds the handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Snapshots == nil {
		return nil, errors.New("web: no snapshot source")
	}
	if cfg.History == nil {
		return nil, errors.New("web: no history source")
	}
	if cfg.RequireToken && cfg.Auth == nil {
		return nil, errors.New("web: reading requires a token but no authenticator is set")
	}
	if cfg.Evaluate == nil {
		cfg.Evaluate = plan.Evaluate
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pg, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	h := &Handler{cfg: cfg, log: log, pages: pg, static: http.StripPrefix("/static/", http.FileServerFS(sub))}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/", h.serveStatic)
	mux.HandleFunc("GET /favicon.ico", h.serveFavicon)
	mux.HandleFunc("GET /signin", h.signinForm)
	mux.HandleFunc("POST /signin", h.signin)
	mux.HandleFunc("POST /signout", h.signout)
	mux.Handle("GET /{$}", h.protect(h.overview))
	mux.Handle("GET /targets/{id}", h.protect(h.target))
	mux.Handle("GET /report/bulletin", h.protect(h.bulletin))
	mux.Handle("GET /report/{format}", h.protect(h.reportDownload))
	mux.Handle("GET /template/{agency}", h.protect(h.templateDownload))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, http.StatusNotFound, "")
	})
	h.mux = mux
	return h, nil
}

// ServeHTTP answers with the page, under a strict content security policy.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	// No script and no inline style anywhere, so the policy can be strict;
	// the SVG charts are markup, which the policy does not restrict.
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Add("Vary", "Accept-Language, Cookie")
	rememberLang(w, r)
	h.mux.ServeHTTP(w, r)
}

func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	h.static.ServeHTTP(w, r)
}

func (h *Handler) serveFavicon(w http.ResponseWriter, r *http.Request) {
	b, err := assets.ReadFile("static/favicon.svg")
	if err != nil {
		h.fail(w, r, http.StatusNotFound, "")
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(b)
}

// protect lets a request through when reading is open, or when its cookie
// holds a token of a supervisor or admin; otherwise it sends the reader to
// the sign-in form and back afterwards.
func (h *Handler) protect(next func(http.ResponseWriter, *http.Request, *view)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := h.newView(r)
		if h.cfg.RequireToken {
			c, err := r.Cookie(CookieName)
			ok := false
			if err == nil && c.Value != "" {
				p, err := h.cfg.Auth.Authenticate(r.Context(), c.Value)
				switch {
				case err == nil && canRead(p):
					ok = true
				case err != nil && plan.KindOf(err) != plan.KindUnauthenticated:
					h.log.ErrorContext(r.Context(), "authenticate", "err", err)
					h.fail(w, r, http.StatusInternalServerError, "")
					return
				}
			}
			if !ok {
				w.Header().Set("Cache-Control", "no-store")
				http.Redirect(w, r, v.Link("/signin", "next", r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			v.SignedIn = true
		}
		w.Header().Set("Cache-Control", "no-store")
		next(w, r, v)
	})
}

// canRead: the page shows every agency's figures, which is what a
// supervisor sees; an agency token is for writing its own.
func canRead(p plan.Principal) bool {
	return p.Role == plan.RoleSupervisor || p.Role == plan.RoleAdmin
}

func (h *Handler) signinForm(w http.ResponseWriter, r *http.Request) {
	v := h.newView(r)
	h.renderSignin(w, r, v, http.StatusOK, "")
}

func (h *Handler) renderSignin(w http.ResponseWriter, r *http.Request, v *view, code int, msg string) {
	v.Title = v.T["signin"]
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, code, "signin", v, signinData{Next: safeNext(r.FormValue("next")), Error: msg})
}

type signinData struct {
	Next  string
	Error string
}

// safeNext keeps the post-sign-in redirect on this site.
func safeNext(s string) string {
	if s == "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, `/\`) {
		return "/"
	}
	return s
}

func (h *Handler) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	v := h.newView(r)
	if !h.cfg.RequireToken {
		http.Redirect(w, r, safeNext(r.FormValue("next")), http.StatusSeeOther)
		return
	}
	secret := strings.TrimSpace(r.PostFormValue("token"))
	p, err := h.cfg.Auth.Authenticate(r.Context(), secret)
	switch {
	case err != nil && plan.KindOf(err) == plan.KindUnauthenticated:
		h.renderSignin(w, r, v, http.StatusUnauthorized, v.T["signin_bad"])
		return
	case err != nil:
		h.log.ErrorContext(r.Context(), "authenticate", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "")
		return
	case !canRead(p):
		h.renderSignin(w, r, v, http.StatusForbidden, v.T["signin_role"])
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: secret, Path: "/",
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
		MaxAge: int((12 * time.Hour).Seconds()),
	})
	h.log.InfoContext(r.Context(), "signed in", "token_id", p.TokenID, "name", p.Name)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (h *Handler) signout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
	v := h.newView(r)
	http.Redirect(w, r, v.Link("/signin"), http.StatusSeeOther)
}

// fail renders an error page; internal details stay in the log.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, code int, detail string) {
	v := h.newView(r)
	msg := detail
	switch {
	case code == http.StatusNotFound && msg == "":
		msg = v.T["not_found"]
	case code >= 500:
		msg = v.T["error_internal"]
	}
	v.Title = v.T["error"]
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, code, "error", v, errorData{Code: code, Message: msg})
}

type errorData struct {
	Code    int
	Message string
}

// view is what every page template gets besides its own data.
type view struct {
	Lang     report.Lang
	T        map[string]string
	Title    string
	PlanName string
	AsOf     string
	OtherURL string // the same page in the other language
	SignedIn bool
	Protect  bool
	Data     any

	explicit bool
	path     string
	query    url.Values
	// plan is the plan the page shows when several are served: every
	// link keeps it, so the reader stays in the plan they chose.
	plan string
}

func (h *Handler) newView(r *http.Request) *view {
	lang, explicit := requestLang(r)
	v := &view{Lang: lang, T: textsByLang[lang], explicit: explicit, path: r.URL.Path, query: r.URL.Query(), Protect: h.cfg.RequireToken}
	q := r.URL.Query()
	q.Set("lang", v.T["other_lang_code"])
	v.OtherURL = r.URL.Path + "?" + q.Encode()
	return v
}

// Explicit reports whether the language was chosen with ?lang, which links
// and forms keep.
func (v *view) Explicit() bool { return v.explicit }

// Link builds a same-site URL that keeps an explicitly chosen language.
func (v *view) Link(path string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if v.explicit {
		q.Set("lang", string(v.Lang))
	}
	if v.plan != "" && !q.Has("plan") {
		q.Set("plan", v.plan)
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, code int, name string, v *view, data any) {
	v.Data = data
	var b strings.Builder
	if err := h.pages.execute(&b, name, v); err != nil {
		h.log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, b.String())
}

// onePlan narrows s to the plan of ?plan= (the first plan without it)
// when several plans are served, and remembers it in v; an unknown plan
// is answered 400 and ok is false.
func (h *Handler) onePlan(w http.ResponseWriter, r *http.Request, v *view, s *plan.Snapshot) (only *plan.Snapshot, ok bool) {
	if len(s.Plans) < 2 {
		return s, true
	}
	id := r.URL.Query().Get("plan")
	if id == "" {
		id = s.Plan.ID
	}
	if only, ok = s.Only(id); !ok {
		h.fail(w, r, http.StatusBadRequest, fmt.Sprintf("%s: %q", v.T["plan"], id))
		return nil, false
	}
	v.plan = id
	return only, true
}

// reportDownload serves the execution report to a reader of the page, in
// the page's language, as a file to save: the file the API's
// /api/v1/report answers with (?plan= narrows it to one plan).
func (h *Handler) reportDownload(w http.ResponseWriter, r *http.Request, v *view) {
	var ok bool
	f, err := report.ParseFormat(r.PathValue("format"))
	if err != nil || r.PathValue("format") == "" {
		h.fail(w, r, http.StatusNotFound, "")
		return
	}
	s := h.cfg.Snapshots.Snapshot()
	if r.URL.Query().Has("plan") {
		if s, ok = h.onePlan(w, r, v, s); !ok {
			return
		}
	}
	file, err := report.ReportFile(s, f, v.Lang)
	h.download(w, r, file, err)
}

// templateDownload serves an agency's import template, in the page's
// language: the file the API's /api/v1/agencies/{id}/template.csv answers
// with, or template.xlsx for /template/AGENCY.xlsx (an agency id is a
// slug, without dots). ?plan= narrows it to the plan selected on the
// overview, so an agency shared by several plans gets the rows of the plan
// it looks at.
func (h *Handler) templateDownload(w http.ResponseWriter, r *http.Request, v *view) {
	s := h.cfg.Snapshots.Snapshot()
	if r.URL.Query().Has("plan") {
		var ok bool
		if s, ok = h.onePlan(w, r, v, s); !ok {
			return
		}
	}
	render := report.TemplateFile
	agency := r.PathValue("agency")
	if a, ok := strings.CutSuffix(agency, ".xlsx"); ok {
		agency, render = a, report.TemplateXLSXFile
	}
	file, err := render(s, agency, v.Lang)
	h.download(w, r, file, err)
}

// download sends a rendered file to save, or the error page.
func (h *Handler) download(w http.ResponseWriter, r *http.Request, file report.File, err error) {
	switch {
	case plan.KindOf(err) == plan.KindNotFound:
		h.fail(w, r, http.StatusNotFound, "")
	case err != nil:
		h.log.ErrorContext(r.Context(), "render download", "path", r.URL.Path, "err", err)
		h.fail(w, r, http.StatusInternalServerError, "")
	default:
		file.Serve(w, true)
	}
}
