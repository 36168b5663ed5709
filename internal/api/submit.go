package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
	"github.com/targetwatch/targetwatch/internal/store"
)

// FigureBody is the body of PUT /targets/{id}/reports/{period}.
type FigureBody struct {
	Value json.RawMessage `json:"value"`
	Note  string          `json:"note"`
}

// BatchBody is the JSON body of POST /reports.
type BatchBody struct {
	Reports []BatchItem `json:"reports"`
}

// BatchItem is one figure of a JSON batch. Received, for an
// administrator only, is the figure's original date (YYYY-MM-DD or
// RFC 3339), stored as its received time; see parseReceived.
type BatchItem struct {
	Target   string          `json:"target"`
	Period   string          `json:"period"`
	Value    json.RawMessage `json:"value"`
	Note     string          `json:"note"`
	Received string          `json:"received,omitempty"`
}

// FigureAnswer is the answer to a stored (or checked) figure.
type FigureAnswer struct {
	Target    string    `json:"target"`
	Period    string    `json:"period"`
	Result    string    `json:"result"`
	Value     float64   `json:"value"`
	Note      string    `json:"note"`
	Revision  int       `json:"revision"`
	ETag      string    `json:"etag"`
	Agency    string    `json:"agency"`
	TokenName string    `json:"token_name"`
	Received  time.Time `json:"received"`
	DryRun    bool      `json:"dry_run,omitempty"`
	Warnings  []string  `json:"warnings"`
}

// BatchAnswer counts what a batch did.
type BatchAnswer struct {
	DryRun    bool          `json:"dry_run"`
	Created   int           `json:"created"`
	Unchanged int           `json:"unchanged"`
	Corrected int           `json:"corrected"`
	Skipped   int           `json:"skipped"`
	Warnings  []ProblemItem `json:"warnings"`
}

// etag is the entity tag of a period's current revision.
func etag(revision int) string { return `"` + strconv.Itoa(revision) + `"` }

// parseIfMatch reads If-Match: "*" or one strong entity tag made by etag.
func parseIfMatch(h string) (int, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, nil
	}
	if h == "*" {
		return store.AnyRevision, nil
	}
	if len(h) >= 3 && h[0] == '"' && h[len(h)-1] == '"' {
		if n, err := strconv.Atoi(h[1 : len(h)-1]); err == nil && n > 0 {
			return n, nil
		}
	}
	return 0, plan.Errorf(plan.KindMalformed, "If-Match", "want \"*\" or an ETag such as \"3\", got %q", h)
}

func parseDryRun(r *http.Request) (bool, error) {
	v := r.URL.Query().Get("dry_run")
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, plan.Errorf(plan.KindMalformed, "dry_run", "want true or false, got %q", v)
	}
	return b, nil
}

// readBody reads the whole body within the limit.
func (s *server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, plan.Errorf(plan.KindTooLarge, "", "the body is over %d bytes; split the batch", s.maxBody)
	}
	if err != nil {
		return nil, plan.Errorf(plan.KindMalformed, "", "reading the body: %v", err)
	}
	return b, nil
}

// mediaType returns the request's media type and charset parameter.
func mediaType(r *http.Request) (string, string, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return "", "", plan.Errorf(plan.KindUnsupported, "Content-Type", "missing; send application/json (or text/csv for a batch)")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", "", plan.Errorf(plan.KindUnsupported, "Content-Type", "cannot parse %q", ct)
	}
	return mt, strings.ToLower(params["charset"]), nil
}

// decodeStrict decodes exactly one JSON value with no unknown fields and
// no key twice in one object.
func decodeStrict(body []byte, v any) error {
	if !utf8.Valid(body) {
		return plan.Errorf(plan.KindMalformed, "", "the body is not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil || !syntaxError(err) {
		// The first value is complete JSON (a type error or an unknown
		// field is found after the decoder scanned all of it), so a
		// duplicate key is named even when another problem follows it.
		if steps, dup := duplicateKey(body[:dec.InputOffset()]); dup {
			_, batch := v.(*BatchBody)
			return duplicateKeyError(steps, batch)
		}
	}
	if err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return plan.Errorf(plan.KindMalformed, "", "unexpected data after the JSON object")
	}
	return nil
}

// syntaxError reports whether err stopped the decoder before the end of
// the first JSON value.
func syntaxError(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// duplicateKeyError names the repeated key; in a JSON batch it is
// located by the row (its 1-based position) like the batch's other
// problems, but it stays malformed (400): nothing of the body is trusted.
func duplicateKeyError(steps []jsonStep, batch bool) error {
	key := steps[len(steps)-1].key
	twice := "the key %q appears twice in one object (keys match regardless of case); send each once"
	if batch && len(steps) > 2 && steps[0].key == "reports" && steps[1].index >= 0 {
		e := plan.Errorf(plan.KindMalformed, jsonPath(steps[2:]), twice, key)
		return &requestErrors{kind: plan.KindMalformed, line: steps[1].index + 1, errs: multiError{e}}
	}
	return plan.Errorf(plan.KindMalformed, jsonPath(steps), twice, key)
}

func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return plan.Errorf(plan.KindMalformed, te.Field, "want a JSON %s, got %s", jsonKind(te.Type.Kind().String()), te.Value)
	case errors.As(err, &se):
		return plan.Errorf(plan.KindMalformed, "", "invalid JSON at byte %d: %v", se.Offset, err)
	case errors.Is(err, io.EOF):
		return plan.Errorf(plan.KindMalformed, "", "empty body; want a JSON object")
	}
	text := err.Error()
	if f, ok := strings.CutPrefix(text, `json: unknown field "`); ok {
		f = strings.TrimSuffix(f, `"`)
		return plan.Errorf(plan.KindMalformed, f, "unknown field")
	}
	return plan.Errorf(plan.KindMalformed, "", "invalid JSON: %s", strings.TrimPrefix(text, "json: "))
}

func jsonKind(k string) string {
	switch k {
	case "struct", "map":
		return "object"
	case "slice":
		return "array"
	}
	return k
}

// jsonValueRE is a JSON number: programs write JSON, so it stays strict
// (people's forms are plan.ReadFigure's).
var jsonValueRE = regexp.MustCompile(`^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$`)

// parseJSONValue reads the raw "value" of a JSON body: a JSON number.
func parseJSONValue(raw json.RawMessage) (float64, error) {
	s := strings.TrimSpace(string(raw))
	switch {
	case len(raw) == 0:
		return 0, plan.Errorf(plan.KindMalformed, "value", "required")
	case s == "null":
		return 0, plan.Errorf(plan.KindMalformed, "value", "required, got null")
	case !jsonValueRE.MatchString(s):
		return 0, plan.Errorf(plan.KindMalformed, "value", "want a JSON number, got %s", plan.Clip(s, 40))
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, plan.Errorf(plan.KindMalformed, "value", "must be a finite number, got %s", plan.Clip(s, 40))
	}
	return v, nil
}

// checkFigure runs every stateless check of one figure, collecting all
// problems, and returns the store submission.
func (s *server) checkFigure(who plan.Principal, now time.Time, targetID, period string, value func(*plan.Target) (float64, error), note string) (store.Submission, []*plan.Error) {
	var errs []*plan.Error
	add := func(err error) {
		if err == nil {
			return
		}
		var pe *plan.Error
		if errors.As(err, &pe) {
			errs = append(errs, pe)
		} else {
			errs = append(errs, plan.Errorf(plan.KindInvalid, "", "%v", err))
		}
	}
	t, p, ok := s.target(targetID)
	if !ok {
		return store.Submission{}, []*plan.Error{plan.Errorf(plan.KindNotFound, "target", "unknown target %q", plan.Clip(targetID, 60))}
	}
	if !who.CanWrite(t) {
		return store.Submission{}, []*plan.Error{forbidden(who, t)}
	}
	sub := store.Submission{Target: t.ID, Note: note}
	m, err := plan.ParsePeriod(period)
	if err != nil {
		add(plan.Errorf(plan.KindMalformed, "period", "want YYYY-MM, got %q", plan.Clip(period, 20)))
	} else {
		sub.Period = m
		add(p.CheckPeriod(m, now))
		sub.Locked = !who.CanWriteLocked() && p.IsLocked(m, now, s.lockAfter)
	}
	v, err := value(t)
	add(err)
	if err == nil {
		sub.Value = v
		add(plan.CheckValue(t, v))
	}
	add(plan.CheckNote(note))
	return sub, errs
}

func forbidden(who plan.Principal, t *plan.Target) *plan.Error {
	if who.Role == plan.RoleSupervisor {
		return plan.Errorf(plan.KindForbidden, "", "a supervisor token reads but does not write")
	}
	return plan.Errorf(plan.KindForbidden, "target", "%s belongs to agency %q; this token writes for %q only", t.ID, t.Agency, who.Agency)
}

func (s *server) putReport(w http.ResponseWriter, r *http.Request) {
	who := principal(r)
	now := s.now()
	id, period := r.PathValue("id"), r.PathValue("period")
	t, p, ok := s.target(id)
	if !ok {
		s.reject(w, r, plan.Errorf(plan.KindNotFound, "id", "unknown target %q", plan.Clip(id, 60)))
		return
	}
	if _, err := plan.ParsePeriod(period); err != nil {
		s.reject(w, r, plan.Errorf(plan.KindMalformed, "period", "want YYYY-MM, got %q", plan.Clip(period, 20)))
		return
	}
	if !who.CanWrite(t) {
		s.reject(w, r, forbidden(who, t))
		return
	}
	if err := s.requireJSON(r); err != nil {
		s.reject(w, r, err)
		return
	}
	dry, err := parseDryRun(r)
	if err != nil {
		s.reject(w, r, err)
		return
	}
	ifMatch, err := parseIfMatch(r.Header.Get("If-Match"))
	if err != nil {
		s.reject(w, r, err)
		return
	}
	body, err := s.readBody(w, r)
	if err != nil {
		s.reject(w, r, err)
		return
	}
	var fb FigureBody
	if err := decodeStrict(body, &fb); err != nil {
		s.reject(w, r, err)
		return
	}
	sub, errs := s.checkFigure(who, now, id, period, func(*plan.Target) (float64, error) { return parseJSONValue(fb.Value) }, fb.Note)
	if len(errs) > 0 {
		s.reject(w, r, multiError(errs).asError())
		return
	}
	sub.IfMatch = ifMatch
	out, err := s.submit(r.Context(), who, []store.Submission{sub}, dry)
	if err != nil {
		var ps plan.Problems
		if errors.As(err, &ps) && len(ps) == 1 {
			err = ps[0].Err // a single figure has no lines
		}
		s.reject(w, r, err)
		return
	}
	o := out[0]
	ans := s.figureAnswer(o, p.Location)
	ans.DryRun = dry
	if warn := p.PlausibilityWarning(t, sub.Value); warn != nil && o.Result != store.Unchanged {
		ans.Warnings = append(ans.Warnings, message(requestLang(r), warn))
		if !dry {
			s.m.warnings.Inc()
		}
	}
	status := http.StatusOK
	if !dry {
		s.m.submissions.WithLabelValues(string(o.Result)).Inc()
		if o.Result == store.Created {
			status = http.StatusCreated
			w.Header().Set("Location", r.URL.Path)
		}
		w.Header().Set("ETag", ans.ETag)
	}
	s.writeJSON(w, r, status, ans)
}

// submit stores subs and waits until the progress snapshot includes them,
// so whoever gets the answer and then reads progress sees the figures.
// Even an unchanged figure waits: the commit that stored it may be one
// the snapshot does not show yet.
func (s *server) submit(ctx context.Context, who plan.Principal, subs []store.Submission, dry bool) ([]store.Outcome, error) {
	out, err := s.store.Submit(ctx, who, subs, store.SubmitOptions{DryRun: dry})
	if err != nil || dry {
		return out, err
	}
	if err := s.progress.Sync(ctx); err != nil {
		return nil, fmt.Errorf("wait for the progress snapshot: %w", err)
	}
	return out, nil
}

func (s *server) figureAnswer(o store.Outcome, loc *time.Location) FigureAnswer {
	rep := o.Report
	return FigureAnswer{
		Target: rep.Target, Period: rep.Period.String(), Result: string(o.Result),
		Value: rep.Value, Note: rep.Note, Revision: rep.Revision, ETag: etag(rep.Revision),
		Agency: rep.Agency, TokenName: rep.TokenName, Received: rep.Received.In(loc),
		Warnings: []string{},
	}
}

func (s *server) requireJSON(r *http.Request) error {
	mt, cs, err := mediaType(r)
	if err != nil {
		return err
	}
	if mt != "application/json" {
		return plan.Errorf(plan.KindUnsupported, "Content-Type", "want application/json, got %s", mt)
	}
	if cs != "" && cs != "utf-8" && cs != "utf8" {
		return plan.Errorf(plan.KindUnsupported, "Content-Type", "JSON must be UTF-8, got charset %s", cs)
	}
	return nil
}

// batchRow is one figure of a batch before it is checked.
type batchRow struct {
	line   int
	target string
	period string
	// periodErr, set by the CSV import, replaces checkFigure's message
	// about period.
	periodErr *plan.Error
	value     func(*plan.Target) (float64, error)
	note      string
	received  string // the original date, or "" for the commit time
}

func (s *server) postReports(w http.ResponseWriter, r *http.Request) {
	who := principal(r)
	now := s.now()
	mt, charset, err := mediaType(r)
	if err != nil {
		s.reject(w, r, err)
		return
	}
	if mt != "application/json" && mt != "text/csv" && mt != report.XLSXType {
		s.reject(w, r, plan.Errorf(plan.KindUnsupported, "Content-Type", "want application/json, text/csv or %s, got %s", report.XLSXType, mt))
		return
	}
	dry, err := parseDryRun(r)
	if err != nil {
		s.reject(w, r, err)
		return
	}
	body, err := s.readBody(w, r)
	if err != nil {
		s.reject(w, r, err)
		return
	}
	var rows []batchRow
	skipped := 0
	switch mt {
	case "text/csv":
		rows, skipped, err = parseCSV(body, charset)
	case report.XLSXType:
		rows, skipped, err = parseXLSX(body, s.maxBody)
	default:
		if cs := charset; cs != "" && cs != "utf-8" && cs != "utf8" {
			err = plan.Errorf(plan.KindUnsupported, "Content-Type", "JSON must be UTF-8, got charset %s", cs)
		} else {
			rows, err = parseJSONBatch(body)
		}
	}
	if err != nil {
		s.reject(w, r, err)
		return
	}
	if who.Role == plan.RoleSupervisor {
		s.reject(w, r, supervisorBatch(rows))
		return
	}
	if len(rows) == 0 {
		s.reject(w, r, plan.Errorf(plan.KindInvalid, "reports", "the batch holds no figures"))
		return
	}
	subs := make([]store.Submission, 0, len(rows))
	var good []store.Submission // the rows without a problem so far
	var probs plan.Problems
	for _, row := range rows {
		sub, errs := s.checkFigure(who, now, row.target, row.period, row.value, row.note)
		if row.periodErr != nil {
			errs = withPeriodError(errs, row.periodErr)
		}
		if row.received != "" {
			at, err := s.checkReceived(who, sub.Period, row.received, now, s.location(row.target))
			if err != nil {
				errs = append(errs, err)
			}
			sub.Received = at
		}
		for _, e := range errs {
			probs = append(probs, plan.Problem{Line: row.line, Err: e})
		}
		sub.Line = row.line
		subs = append(subs, sub)
		if len(errs) == 0 {
			good = append(good, sub)
		}
	}
	if len(probs) > 0 {
		probs = s.withStoredProblems(r.Context(), who, good, probs)
		s.reject(w, r, probs)
		return
	}
	out, err := s.submit(r.Context(), who, subs, dry)
	if err != nil {
		s.reject(w, r, err)
		return
	}
	ans := BatchAnswer{DryRun: dry, Skipped: skipped, Warnings: []ProblemItem{}}
	for i, o := range out {
		switch o.Result {
		case store.Created:
			ans.Created++
		case store.Unchanged:
			ans.Unchanged++
		case store.Corrected:
			ans.Corrected++
		}
		if !dry {
			s.m.submissions.WithLabelValues(string(o.Result)).Inc()
		}
		if o.Result == store.Unchanged {
			continue
		}
		t, p, ok := s.target(subs[i].Target)
		if !ok {
			continue // removed by a reload since it was checked
		}
		if warn := p.PlausibilityWarning(t, subs[i].Value); warn != nil {
			ans.Warnings = append(ans.Warnings, ProblemItem{Line: subs[i].Line, Field: warn.Field, Message: message(requestLang(r), warn)})
			if !dry {
				s.m.warnings.Inc()
			}
		}
	}
	s.writeJSON(w, r, http.StatusOK, ans)
}

// withStoredProblems adds to a refused batch's problems those the store
// would find in its good rows (a correction without a note, a locked
// month), so one answer lists every bad row and the clerk fixes the file
// once. The store is asked for a dry run: nothing changes.
func (s *server) withStoredProblems(ctx context.Context, who plan.Principal, good []store.Submission, probs plan.Problems) plan.Problems {
	if len(good) == 0 {
		return probs
	}
	_, err := s.store.Submit(ctx, who, good, store.SubmitOptions{DryRun: true})
	var more plan.Problems
	if !errors.As(err, &more) {
		return probs // no more problems, or one the real submission will meet
	}
	probs = append(probs, more...)
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Line < probs[j].Line })
	return probs
}

// supervisorBatch is the refusal of a supervisor's batch: it names the
// rows that set received, so the answer says which field no reader may
// set, and is a plain refusal otherwise.
func supervisorBatch(rows []batchRow) error {
	var ps plan.Problems
	for _, row := range rows {
		if row.received != "" {
			ps = append(ps, plan.Problem{Line: row.line, Err: plan.Errorf(plan.KindForbidden, "received", "a supervisor token reads but does not write, and only an administrator may give a figure its original date")})
		}
	}
	if len(ps) > 0 {
		return ps
	}
	return plan.Errorf(plan.KindForbidden, "", "a supervisor token reads but does not write")
}

func parseJSONBatch(body []byte) ([]batchRow, error) {
	var b BatchBody
	if err := decodeStrict(body, &b); err != nil {
		return nil, err
	}
	rows := make([]batchRow, len(b.Reports))
	for i, it := range b.Reports {
		raw := it.Value
		rows[i] = batchRow{line: i + 1, target: it.Target, period: it.Period, note: it.Note, received: it.Received,
			value: func(*plan.Target) (float64, error) { return parseJSONValue(raw) }}
	}
	return rows, nil
}

// writeJSON answers with v as JSON. A value JSON cannot hold is an internal
// error, answered as a problem like any other.
func (s *server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeProblem(w, r, s.log, fmt.Errorf("encode answer: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// location is the time zone of the plan of a target, or of the first plan
// for a target no plan has.
func (s *server) location(targetID string) *time.Location {
	snap := s.progress.Snapshot()
	if g, ok := snap.Target(targetID); ok {
		return g.Plan.Location
	}
	return snap.Plan.Location
}

// checkReceived reads a batch row's original date: an administrator's
// only, YYYY-MM-DD (midnight in the plan's zone) or RFC 3339, not after
// now (the service clock) and not before month m began, since a figure
// cannot be known before its month started. m is zero when the row's
// period is itself wrong.
func (s *server) checkReceived(who plan.Principal, m plan.Period, cell string, now time.Time, loc *time.Location) (time.Time, *plan.Error) {
	if !who.CanBackdate() {
		return time.Time{}, plan.Errorf(plan.KindForbidden, "received", "only an administrator may give a figure its original date; leave received empty")
	}
	at, err := time.ParseInLocation("2006-01-02", cell, loc)
	if err != nil {
		at, err = time.Parse(time.RFC3339, cell)
	}
	if err != nil {
		return time.Time{}, plan.Errorf(plan.KindMalformed, "received", "want YYYY-MM-DD or RFC 3339, got %q", plan.Clip(cell, 40))
	}
	at = at.In(loc)
	switch {
	case at.After(now):
		return time.Time{}, plan.Errorf(plan.KindInvalid, "received", "%s is in the future (now %s)", cell, now.In(loc).Format(time.RFC3339))
	case !m.IsZero() && at.Before(m.Start(loc)):
		return time.Time{}, plan.Errorf(plan.KindInvalid, "received", "%s is before %s began", cell, m)
	}
	return at, nil
}
