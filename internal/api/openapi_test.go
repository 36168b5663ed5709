package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The document, loaded once by kin-openapi for every test of the package.
var (
	specOnce   sync.Once
	specDoc    *openapi3.T
	specRouter routers.Router
	specErr    error
)

func init() {
	// The report's Markdown is text like any other.
	openapi3filter.RegisterBodyDecoder("text/markdown", openapi3filter.PlainBodyDecoder)
}

// loadSpec parses and validates openapi.json (its examples too) and
// builds a router over its paths, relative to Prefix.
func loadSpec(t testing.TB) (*openapi3.T, routers.Router) {
	t.Helper()
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		specDoc, specErr = loader.LoadFromData(openAPIDocument)
		if specErr != nil {
			return
		}
		if !specDoc.IsOpenAPI31OrLater() {
			specErr = fmt.Errorf("openapi %q, want 3.1", specDoc.OpenAPI)
			return
		}
		if specErr = specDoc.Validate(loader.Context, openapi3.EnableExamplesValidation()); specErr != nil {
			return
		}
		// Route on paths with Prefix cut off; the server URL is
		// relative, which the router cannot match a host against.
		routed := *specDoc
		routed.Servers = nil
		specRouter, specErr = gorillamux.NewRouter(&routed)
	})
	if specErr != nil {
		t.Fatalf("openapi.json: %v", specErr)
	}
	return specDoc, specRouter
}

// documented wraps the API handler so that every request a test sends
// and every answer it gets are checked against openapi.json: a request
// the document allows must not be refused for its form, one it does not
// allow must be answered 4xx, and every answer must be one the document
// lists for its operation (status, headers and body), or, for a path or
// method no operation has, a 404 or 405 problem.
func documented(t testing.TB, h http.Handler) http.Handler {
	loadSpec(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read request body: %v", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		if err := checkExchange(r, body, rec); err != nil {
			t.Errorf("%s %s answered %d, against openapi.json: %v", r.Method, r.URL.RequestURI(), rec.Code, err)
		}
	})
}

// checkExchange checks one request (with its body) and its answer
// against the document.
func checkExchange(r *http.Request, body []byte, rec *httptest.ResponseRecorder) error {
	doc, router := specDoc, specRouter
	ctx := context.Background()
	req := r.Clone(ctx)
	req.URL.Path = strings.TrimPrefix(r.URL.Path, Prefix)
	req.URL.RawPath = ""
	req.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := router.FindRoute(req)
	if err != nil {
		if rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed && rec.Code != http.StatusUnauthorized {
			return fmt.Errorf("no documented operation, yet not 401, 404 or 405: %v", err)
		}
		return problemSchemaHolds(doc, rec)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: bearerPresent}}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	if reqErr != nil && (rec.Code < 400 || rec.Code > 499) {
		return fmt.Errorf("the document does not allow the request (%v), yet it was answered %d", reqErr, rec.Code)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(rec.Body.Bytes())
	return openapi3filter.ValidateResponse(ctx, out)
}

// bearerPresent is the document's bearer scheme as a request validator
// sees it: a request without "Authorization: Bearer ..." does not meet it.
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	scheme, _, ok := strings.Cut(in.RequestValidationInput.Request.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return fmt.Errorf("no bearer token")
	}
	return nil
}

// problemSchemaHolds checks an answer given outside any operation against the
// Problem schema.
func problemSchemaHolds(doc *openapi3.T, rec *httptest.ResponseRecorder) error {
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		return fmt.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	var v any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		return err
	}
	return doc.Components.Schemas["Problem"].Value.VisitJSON(v, openapi3.EnableJSONSchema2020())
}

// The document lists exactly the routes the API's mux serves: a route
// added to the code without its documentation fails here, and so does a
// documented path that no longer exists.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	doc, _ := loadSpec(t)
	h := newHarness(t)
	// Every optional route on: a route served only with some Config
	// must be documented too.
	s, err := newServer(Config{Store: h.db, Progress: h.tracker, Reload: func(context.Context) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	s.mux()
	var served, listed []string
	for path, methods := range s.routes.methods {
		if !strings.HasPrefix(path, Prefix+"/") {
			// Operational endpoints (ReloadPath) are not the API the
			// document describes.
			continue
		}
		for _, m := range methods {
			served = append(served, m+" "+path)
		}
	}
	for path, item := range doc.Paths.Map() {
		for m := range item.Operations() {
			listed = append(listed, m+" "+Prefix+path)
		}
	}
	sort.Strings(served)
	sort.Strings(listed)
	for _, r := range served {
		if !slices.Contains(listed, r) {
			t.Errorf("%s is served but not in openapi.json", r)
		}
	}
	for _, r := range listed {
		if !slices.Contains(served, r) {
			t.Errorf("%s is in openapi.json but not served", r)
		}
	}
	if len(served) < 9 {
		t.Errorf("got %d routes from the mux, want at least the 9 of this writing: %v", len(served), served)
	}
}

// The document is served as it is in the repository, to anyone: no token
// is needed to generate a client.
func TestOpenAPIServedWithoutToken(t *testing.T) {
	h := newHarness(t)
	res := h.do(request{method: "GET", path: "/openapi.json"})
	if res.status != 200 || !bytes.Equal(res.body, openAPIDocument) {
		t.Fatalf("GET /openapi.json: got %d and %d bytes, want 200 and the %d bytes of openapi.json", res.status, len(res.body), len(openAPIDocument))
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type: got %q, want application/json", ct)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
	}
	if err := json.Unmarshal(res.body, &doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi: got %q (%v), want 3.1.0", doc.OpenAPI, err)
	}
	// Other methods on the path still need a token, then are 405.
	if res := h.do(request{method: "POST", path: "/openapi.json", contentType: "application/json", body: []byte("{}")}); res.status != 401 {
		t.Errorf("POST without a token: got %d, want 401", res.status)
	}
	if res := h.do(request{method: "DELETE", path: "/openapi.json", token: "water"}); res.status != 405 || res.header.Get("Allow") != "GET" {
		t.Errorf("DELETE: got %d Allow %q, want 405 Allow GET", res.status, res.header.Get("Allow"))
	}
}
