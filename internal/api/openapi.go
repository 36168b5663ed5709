package api

import (
	_ "embed"
	"net/http"
)

// openAPIDocument is the OpenAPI 3.1 description of every route under
// Prefix, written by hand: the one source of truth that the tests hold
// every route and every answer to.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIPath is where the document is served, without a token: clients
// are generated from it before anyone has one.
const OpenAPIPath = Prefix + "/openapi.json"

// OpenAPI returns a copy of the OpenAPI document.
func OpenAPI() []byte { return append([]byte(nil), openAPIDocument...) }

func (s *server) getOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(openAPIDocument)
}

// public reports whether r may be answered without a token.
func public(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.Path == OpenAPIPath
}
