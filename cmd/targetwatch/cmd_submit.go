package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/targetwatch/targetwatch/internal/msg"
	"github.com/targetwatch/targetwatch/internal/plan"
)

func init() {
	commands["submit"] = command{summary: "send one monthly figure to a targetwatch server", run: runSubmit}
}

// TokenEnv holds the API token when --token is not given, so it stays out
// of shell history and process listings.
const tokenEnv = "TARGETWATCH_TOKEN"

func runSubmit(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("submit", "--server URL [--token TOKEN] [--note TEXT] TARGET PERIOD VALUE")
	server := fs.String("server", "", "the targetwatch `URL`, e.g. http://127.0.0.1:8080")
	token := fs.String("token", "", "API `TOKEN` (default $"+tokenEnv+")")
	note := fs.String("note", "", "the reason, required when the figure corrects an earlier one")
	if err := parseFlags(e, fs, interspersed(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 3 {
		return usageError("want TARGET PERIOD VALUE, got %d arguments", fs.NArg())
	}
	target, period, value := fs.Arg(0), fs.Arg(1), fs.Arg(2)
	if !plan.ValidID(target) {
		return usageError("target %q is not a target id", target)
	}
	m, err := plan.ReadPeriod(period)
	if err != nil {
		return usageError("%v", err)
	}
	period = m.String()
	percent := strings.ContainsAny(value, "%％")
	v, err := plan.ReadFigure(value, percent)
	if err != nil {
		return usageError("%v", err)
	}
	c, err := newAPIClient(e, *server, *token)
	if err != nil {
		return err
	}
	if percent {
		// Only the server knows whether the target is measured in %.
		if err := c.requirePercent(ctx, target, value); err != nil {
			return err
		}
	}
	body, err := json.Marshal(struct {
		Value float64 `json:"value"`
		Note  string  `json:"note"`
	}{v, *note})
	if err != nil {
		return err
	}
	resp, err := c.do(ctx, http.MethodPut, "/api/v1/targets/"+url.PathEscape(target)+"/reports/"+url.PathEscape(period), "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	l := e.language()
	what := msg.Sprintf(l, "stored")
	if resp.status == http.StatusOK {
		what = msg.Sprintf(l, "unchanged (same as the current figure)")
	}
	var ans struct {
		Result   string `json:"result"`
		Revision int    `json:"revision"`
		Warnings []any  `json:"warnings"`
	}
	_ = json.Unmarshal(resp.body, &ans)
	switch ans.Result {
	case "corrected":
		what = msg.Sprintf(l, "corrected")
	case "created":
		what = msg.Sprintf(l, "stored")
	}
	if ans.Revision > 0 {
		what += msg.Sprintf(l, " (revision %d)", ans.Revision)
	}
	fmt.Fprintf(e.stdout, "%s %s = %s: %s\n", target, period, plan.FormatNumber(v), what)
	printWarnings(e, ans.Warnings)
	return nil
}

// interspersed moves flags after positional arguments to the front, so
// `submit T P V --note x` works like `submit --note x T P V`.
func interspersed(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" || looksNumeric(a) {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		// parseFlags adds --lang, which takes a value, after this runs.
		if f := fs.Lookup(name); f != nil || name == "lang" {
			if f != nil && isBoolFlag(f) {
				continue
			}
			if i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		}
	}
	return append(flags, pos...)
}

func isBoolFlag(f *flag.Flag) bool {
	bf, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && bf.IsBoolFlag()
}

func looksNumeric(s string) bool {
	_, err := plan.ReadFigure(s, true)
	return err == nil
}

// requirePercent refuses a figure typed with a % for a target not measured
// in %, as plan.ReadFigure does where the target is known.
func (c *apiClient) requirePercent(ctx context.Context, target, value string) error {
	r, err := c.do(ctx, http.MethodGet, "/api/v1/targets/"+url.PathEscape(target), "", nil)
	if err != nil {
		return err
	}
	var t struct {
		Unit string `json:"unit"`
	}
	if err := json.Unmarshal(r.body, &t); err != nil {
		return fmt.Errorf("reading target %s: %w", target, err)
	}
	if t.Unit != "%" {
		_, err := plan.ReadFigure(value, false)
		return usageError("%v", err)
	}
	return nil
}

// flagGiven reports whether a flag was given on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// apiClient talks to a targetwatch server for the bureau commands.
type apiClient struct {
	base  *url.URL
	token string
	lang  msg.Lang // asked of the server, so its refusals read as ours do
	http  *http.Client
}

func newAPIClient(e *env, server, token string) (*apiClient, error) {
	if server == "" {
		return nil, usageError("--server is required")
	}
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageError("--server %q: want http://HOST:PORT or https://HOST", server)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	if token == "" {
		token = e.getenv(tokenEnv)
	}
	if strings.TrimSpace(token) == "" {
		return nil, usageError("set %s or --token (an administrator issues one with: targetwatch token issue --agency AGENCY --name NAME)", tokenEnv)
	}
	return &apiClient{base: u, token: strings.TrimSpace(token), lang: e.language(), http: &http.Client{Timeout: 60 * time.Second}}, nil
}

type apiResponse struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request. It returns an exit-3 error when the server cannot
// be reached or answers 5xx and an exit-1 error repeating the server's
// problem detail when it refuses.
func (c *apiClient) do(ctx context.Context, method, path, contentType string, body io.Reader) (*apiResponse, error) {
	u := c.base.String() + path
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, usageError("%v", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json, application/problem+json, */*")
	req.Header.Set("Accept-Language", string(c.lang))
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &exitError{code: exitUnavailable, err: msg.Errorf("cannot reach %s: %v", c.base.Host, err)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, &exitError{code: exitUnavailable, err: msg.Errorf("reading the answer of %s: %v", c.base.Host, err)}
	}
	r := &apiResponse{status: resp.StatusCode, header: resp.Header, body: b}
	if resp.StatusCode >= 400 {
		return r, problemError(r, c.lang)
	}
	return r, nil
}

// download copies a successful answer to w.
func (c *apiClient) download(ctx context.Context, path string, w io.Writer) error {
	r, err := c.do(ctx, http.MethodGet, path, "", nil)
	if err != nil {
		return err
	}
	_, err = w.Write(r.body)
	return err
}

// apiProblem is an RFC 9457 answer as the API writes it.
type apiProblem struct {
	Title  string           `json:"title"`
	Status int              `json:"status"`
	Detail string           `json:"detail"`
	Errors []map[string]any `json:"errors"`
}

// rejection is a refused request: the first line is the server's detail,
// each further line one of its listed errors.
type rejection struct {
	status int
	detail string
	lines  []string
}

func (r *rejection) Error() string {
	return strings.Join(append([]string{r.detail}, r.lines...), "\n")
}

func problemError(r *apiResponse, lang msg.Lang) error {
	rej := &rejection{status: r.status}
	mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	var p apiProblem
	if (mt == "application/problem+json" || mt == "application/json") && json.Unmarshal(r.body, &p) == nil && (p.Detail != "" || p.Title != "") {
		rej.detail = p.Detail
		if rej.detail == "" {
			rej.detail = p.Title
		}
		for _, e := range p.Errors {
			// A single error often ends the detail; say it once.
			if d := describeItem(lang, e); !strings.HasSuffix(p.Detail, d) {
				rej.lines = append(rej.lines, d)
			}
		}
	} else {
		// A short plain-text answer is worth showing; a proxy's HTML
		// error page is not.
		if mt == "text/plain" {
			rej.detail = strings.TrimSpace(string(r.body))
		}
		if len(rej.detail) > 200 || rej.detail == "" {
			rej.detail = http.StatusText(r.status)
		}
	}
	rej.detail = fmt.Sprintf("%s (HTTP %d)", rej.detail, r.status)
	if r.status >= 500 {
		// The server or a proxy before it failed: the request may well
		// succeed later.
		return &exitError{code: exitUnavailable, err: rej}
	}
	return &exitError{code: exitRefused, err: rej}
}

// printWarnings prints the warnings of a server's answer, one a line.
func printWarnings(e *env, ws []any) {
	for _, w := range ws {
		msg.Fprintf(e.stderr, e.language(), "warning: %s\n", describeItem(e.language(), w))
	}
}

// describeItem renders one listed error or warning: "line 3: value: must not
// be negative" or "note: ...".
func describeItem(lang msg.Lang, v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		if s, ok := v.(string); ok {
			return s
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	var where []string
	if l, ok := m["line"]; ok {
		where = append(where, msg.Sprintf(lang, "line %v", l))
	}
	for _, k := range []string{"target", "period", "field"} {
		if s, ok := m[k].(string); ok && s != "" {
			where = append(where, s)
		}
	}
	text, _ := m["message"].(string)
	if text == "" {
		text, _ = m["detail"].(string)
	}
	if len(where) == 0 {
		return text
	}
	return strings.Join(where, ": ") + ": " + text
}
