package report

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// File is an export rendered in full, ready to be sent: the API and the
// status page both serve these, so a download is named, typed and sent in
// one place. It is rendered before anything is sent, so a failure can
// still be answered with an error status.
type File struct {
	Name        string // the file name offered to save it as
	ContentType string
	Body        []byte
}

// ReportFile renders the execution report of s, named after the day of
// its snapshot (report-2019-04-15.csv).
func ReportFile(s *plan.Snapshot, f Format, lang Lang) (File, error) {
	var b bytes.Buffer
	if err := Write(&b, s, f, lang); err != nil {
		return File{}, err
	}
	name := "report-" + s.AsOf.In(s.Plan.Location).Format("2006-01-02") + "." + string(f)
	return File{Name: name, ContentType: f.ContentType(), Body: b.Bytes()}, nil
}

// TemplateFile renders an agency's import template (see WriteTemplate),
// named after the agency and the month of the snapshot
// (template-water-2019-04.csv). An unknown agency is a plan.KindNotFound
// error.
func TemplateFile(s *plan.Snapshot, agency string, lang Lang) (File, error) {
	var b bytes.Buffer
	if err := WriteTemplate(&b, s, agency, lang); err != nil {
		return File{}, err
	}
	// The agency is a known id by now, a checked slug, safe in a header.
	name := "template-" + agency + "-" + s.AsOf.In(s.Plan.Location).Format("2006-01") + ".csv"
	return File{Name: name, ContentType: "text/csv; charset=utf-8", Body: b.Bytes()}, nil
}

// Serve sends the file with status 200. An attachment is offered to be
// saved under its name; otherwise a browser may show it. Exports show the
// current snapshot, so they are never cached.
func (f File) Serve(w http.ResponseWriter, attachment bool) {
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(f.Body)))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if attachment {
		h.Set("Content-Disposition", `attachment; filename="`+f.Name+`"`)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Body)
}
