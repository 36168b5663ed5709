package api

import (
	"net/http"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
)

// getReport serves the execution report of the current snapshot:
// ?format=csv|md|json|xlsx (csv by default), ?lang=zh|en (zh by default)
// and ?plan=ID (every plan by default). CSV, Markdown and XLSX are
// attachments; JSON is an answer like any other.
func (s *server) getReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var errs multiError
	f, err := report.ParseFormat(q.Get("format"))
	if err != nil {
		errs = append(errs, plan.Errorf(plan.KindInvalid, "format", "%v", err))
	}
	lang, lerr := queryLang(q.Get("lang"))
	if lerr != nil {
		errs = append(errs, lerr)
	}
	snap := s.progress.Snapshot()
	if q.Has("plan") {
		only, ok := snap.Only(q.Get("plan"))
		if !ok {
			errs = append(errs, plan.Errorf(plan.KindNotFound, "plan", "unknown plan %q", plan.Clip(q.Get("plan"), 60)))
		}
		snap = only
	}
	var asOf time.Time
	if f == report.BulletinFormat && snap != nil {
		var aerr *plan.Error
		if asOf, aerr = report.BulletinDay(q.Get("as_of"), s.now(), snap.Plan.Location); aerr != nil {
			errs = append(errs, aerr)
		}
	} else if q.Has("as_of") {
		errs = append(errs, plan.Errorf(plan.KindInvalid, "as_of", "as_of is only for format=bulletin"))
	}
	if err := errs.asError(); err != nil {
		writeProblem(w, r, s.log, err)
		return
	}
	if f == report.BulletinFormat {
		s.getBulletin(w, r, snap, asOf, lang)
		return
	}
	file, err := report.ReportFile(snap, f, lang)
	if err != nil {
		writeProblem(w, r, s.log, err)
		return
	}
	file.Serve(w, f != report.JSON)
}

// getBulletin serves the supervision bulletin as of asOf, from the
// figures stored (known-at evaluation at asOf and at the previous month's
// due day), as a Markdown attachment.
func (s *server) getBulletin(w http.ResponseWriter, r *http.Request, snap *plan.Snapshot, asOf time.Time, lang report.Lang) {
	b, err := report.BuildBulletin(r.Context(), snap, s.store, asOf, lang)
	if err != nil {
		writeProblem(w, r, s.log, err)
		return
	}
	file, err := report.BulletinFile(b, asOf, snap.Plan.Location)
	if err != nil {
		writeProblem(w, r, s.log, err)
		return
	}
	file.Serve(w, true)
}

// getTemplate serves the CSV an agency fills in Excel and imports: its
// targets and the months due (?lang=zh|en for the help columns).
func (s *server) getTemplate(w http.ResponseWriter, r *http.Request) {
	s.template(w, r, report.TemplateFile)
}

// getTemplateXLSX serves the same template as an Excel workbook.
func (s *server) getTemplateXLSX(w http.ResponseWriter, r *http.Request) {
	s.template(w, r, report.TemplateXLSXFile)
}

func (s *server) template(w http.ResponseWriter, r *http.Request, render func(*plan.Snapshot, string, report.Lang) (report.File, error)) {
	lang, lerr := queryLang(r.URL.Query().Get("lang"))
	if lerr != nil {
		writeProblem(w, r, s.log, lerr)
		return
	}
	id := r.PathValue("id")
	snap := s.progress.Snapshot()
	if _, ok := snap.Agency(id); !ok {
		writeProblem(w, r, s.log, plan.Errorf(plan.KindNotFound, "id", "unknown agency %q", plan.Clip(id, 60)))
		return
	}
	file, err := render(snap, id, lang)
	if err != nil {
		writeProblem(w, r, s.log, err)
		return
	}
	file.Serve(w, true)
}

// queryLang reads ?lang: zh (the default) or en.
func queryLang(v string) (report.Lang, *plan.Error) {
	switch v {
	case "", "zh":
		return report.Chinese, nil
	case "en":
		return report.English, nil
	}
	return "", plan.Errorf(plan.KindInvalid, "lang", "want zh or en, got %q", plan.Clip(v, 20))
}
