package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
)

// ReportHandler serves GET /api/v1/report?format=csv|md|json&lang=zh|en: the
// execution report of the current snapshot. Like the rest of the API it
// needs a bearer token of any role when an authenticator is configured.
func (h *Handler) ReportHandler() http.Handler {
	return h.bearer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f, err := report.ParseFormat(q.Get("format"))
		if err != nil {
			writeProblem(w, plan.Errorf(plan.KindInvalid, "format", "%v", err))
			return
		}
		lang := report.Chinese
		if l := q.Get("lang"); l != "" {
			if l != "zh" && l != "en" {
				writeProblem(w, plan.Errorf(plan.KindInvalid, "lang", "want zh or en, got %q", l))
				return
			}
			lang = report.ParseLang(l)
		}
		s := h.cfg.Snapshots.Snapshot()
		var b bytes.Buffer
		if err := report.Write(&b, s, f, lang); err != nil {
			h.log.ErrorContext(r.Context(), "render report", "err", err)
			writeProblem(w, err)
			return
		}
		w.Header().Set("Content-Type", f.ContentType())
		w.Header().Set("Cache-Control", "no-store")
		if f != report.JSON {
			w.Header().Set("Content-Disposition", `attachment; filename="report-`+s.AsOf.In(s.Plan.Location).Format("2006-01-02")+"."+string(f)+`"`)
		}
		_, _ = w.Write(b.Bytes())
	}))
}

// reportDownload serves the execution report to a reader of the page, in
// the page's language, as a file to save.
func (h *Handler) reportDownload(w http.ResponseWriter, r *http.Request, v *view) {
	f, err := report.ParseFormat(r.PathValue("format"))
	if err != nil || r.PathValue("format") == "" {
		h.fail(w, r, http.StatusNotFound, "")
		return
	}
	s := h.cfg.Snapshots.Snapshot()
	var b bytes.Buffer
	if err := report.Write(&b, s, f, v.Lang); err != nil {
		h.log.ErrorContext(r.Context(), "render report", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "")
		return
	}
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="report-`+s.AsOf.In(s.Plan.Location).Format("2006-01-02")+"."+string(f)+`"`)
	_, _ = w.Write(b.Bytes())
}

// TemplateHandler serves GET /api/v1/agencies/{id}/template.csv: the CSV an
// agency fills in Excel and imports, listing its targets and the months
// due. It needs a bearer token of any role when an authenticator is
// configured.
func (h *Handler) TemplateHandler() http.Handler {
	return h.bearer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		lang := report.Chinese
		if r.URL.Query().Get("lang") == "en" {
			lang = report.English
		}
		s := h.cfg.Snapshots.Snapshot()
		var b bytes.Buffer
		if err := report.WriteTemplate(&b, s, id, lang); err != nil {
			writeProblem(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		// The id is a checked slug by now, safe in a header.
		w.Header().Set("Content-Disposition", `attachment; filename="template-`+id+"-"+s.AsOf.In(s.Plan.Location).Format("2006-01")+`.csv"`)
		_, _ = w.Write(b.Bytes())
	}))
}

// bearer requires a valid token of any role, the API's rule for reading.
func (h *Handler) bearer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.cfg.Auth == nil {
			next.ServeHTTP(w, r)
			return
		}
		hd := r.Header.Get("Authorization")
		scheme, secret, ok := strings.Cut(hd, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			writeProblem(w, plan.Errorf(plan.KindUnauthenticated, "Authorization", "send the token as 'Authorization: Bearer TOKEN'"))
			return
		}
		if _, err := h.cfg.Auth.Authenticate(r.Context(), strings.TrimSpace(secret)); err != nil {
			if plan.KindOf(err) == plan.KindInternal {
				h.log.ErrorContext(r.Context(), "authenticate", "err", err)
			}
			writeProblem(w, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// problem is the API's RFC 9457 error body.
type problem struct {
	Type   string        `json:"type"`
	Title  string        `json:"title"`
	Status int           `json:"status"`
	Detail string        `json:"detail"`
	Errors []problemItem `json:"errors"`
}

type problemItem struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

var kindStatus = map[plan.ErrorKind]int{
	plan.KindMalformed:       http.StatusBadRequest,
	plan.KindInvalid:         http.StatusUnprocessableEntity,
	plan.KindNotFound:        http.StatusNotFound,
	plan.KindForbidden:       http.StatusForbidden,
	plan.KindUnauthenticated: http.StatusUnauthorized,
}

func writeProblem(w http.ResponseWriter, err error) {
	kind := plan.KindOf(err)
	code, ok := kindStatus[kind]
	if !ok {
		code = http.StatusInternalServerError
	}
	p := problem{Type: "about:blank", Title: http.StatusText(code), Status: code, Errors: []problemItem{}}
	var pe *plan.Error
	if code == http.StatusInternalServerError {
		p.Detail = "the request could not be completed; it has been logged"
	} else if errors.As(err, &pe) {
		p.Detail = pe.Error()
		p.Errors = append(p.Errors, problemItem{Field: pe.Field, Message: pe.Message})
	} else {
		p.Detail = err.Error()
	}
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="targetwatch"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(p)
}
