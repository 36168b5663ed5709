package main

import (
	"flag"
	"net/http"

	"github.com/targetwatch/targetwatch/internal/web"
)

// The status page at "/". Its report downloads are the files the API's
// /api/v1/report serves, rendered by the same function.
func init() {
	var requireToken *bool
	serveExtensions = append(serveExtensions, serveExtension{
		flags: func(fs *flag.FlagSet) {
			requireToken = fs.Bool("require-token", false, "require a supervisor or admin token (given once in a sign-in form) to read the status page")
		},
		mount: func(mux *http.ServeMux, d *serveDeps) error {
			h, err := web.New(web.Config{
				Snapshots:    d.Tracker,
				History:      d.Store,
				Auth:         d.Store,
				RequireToken: *requireToken,
				Logger:       d.Logger,
			})
			if err != nil {
				return err
			}
			mux.Handle("/", h)
			return nil
		},
	})
}
