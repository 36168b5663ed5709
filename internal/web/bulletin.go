package web

import (
	"net/http"
	"time"

	"github.com/targetwatch/targetwatch/internal/report"
)

// bulletinData is what the bulletin page shows: the bulletin, worded by
// report like its Markdown, and the day it is as of, for the day picker.
type bulletinData struct {
	B    *report.Bulletin
	Day  string
	Plan string // ?plan=, kept by the day form
}

// bulletin serves the supervision bulletin as a printable A4 document:
// ?as_of=YYYY-MM-DD (default the service clock), in the page's language;
// ?plan= narrows it to one plan, otherwise every plan served is in it.
func (h *Handler) bulletin(w http.ResponseWriter, r *http.Request, v *view) {
	if h.cfg.Figures == nil {
		h.fail(w, r, http.StatusNotFound, "")
		return
	}
	snap := h.cfg.Snapshots.Snapshot()
	if r.URL.Query().Has("plan") {
		var ok bool
		if snap, ok = h.onePlan(w, r, v, snap); !ok {
			return
		}
	}
	loc := snap.Plan.Location
	if loc == nil {
		loc = time.UTC
	}
	asOf, perr := report.BulletinDay(r.URL.Query().Get("as_of"), h.cfg.Now(), loc)
	if perr != nil {
		h.fail(w, r, http.StatusBadRequest, v.T["bad_day"])
		return
	}
	b, err := report.BuildBulletin(r.Context(), snap, h.cfg.Figures, asOf, v.Lang)
	if err != nil {
		h.log.ErrorContext(r.Context(), "build bulletin", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "")
		return
	}
	v.Title = b.Title
	h.render(w, r, http.StatusOK, "bulletin", v, bulletinData{B: b, Day: asOf.In(loc).Format(time.DateOnly), Plan: v.plan})
}
