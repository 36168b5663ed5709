package main

import (
	"net/http"

	"github.com/targetwatch/targetwatch/internal/web"
)

// mountStatusPage serves the status page at "/". Its report downloads are
// the files the API's /api/v1/report serves, rendered by the same
// function; every /api/v1 route is the API's.
func mountStatusPage(mux *http.ServeMux, d *serveDeps, requireToken bool) error {
	h, err := web.New(web.Config{
		Snapshots:    d.Tracker,
		History:      d.Store,
		Figures:      d.Store,
		Now:          d.Now,
		Auth:         d.Store,
		RequireToken: requireToken,
		Logger:       d.Logger,
	})
	if err != nil {
		return err
	}
	mux.Handle("/", h)
	return nil
}
