package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/targetwatch/targetwatch/internal/msg"
	"github.com/targetwatch/targetwatch/internal/report"
)

func init() {
	commands["import"] = command{summary: "send a CSV file or an Excel workbook of monthly figures (target,period,value,note) to a targetwatch server", run: runImport}
}

func runImport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("import", "--server URL [--token TOKEN] [--dry-run] FILE.csv|FILE.xlsx")
	server := fs.String("server", "", "the targetwatch `URL`, e.g. http://127.0.0.1:8080")
	token := fs.String("token", "", "API `TOKEN` (default $"+tokenEnv+")")
	dryRun := fs.Bool("dry-run", false, "check every row against the server without storing anything")
	if err := parseFlags(e, fs, interspersed(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("want one CSV or .xlsx file, got %d arguments", fs.NArg())
	}
	file := fs.Arg(0)
	c, err := newAPIClient(e, *server, *token)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return usageError("%v", err)
	}
	defer f.Close()
	path := "/api/v1/reports"
	if *dryRun {
		path += "?dry_run=true"
	}
	// No charset for CSV: the server tells UTF-8 (with or without BOM)
	// from the GB18030 that Excel on a Chinese Windows saves.
	ct := "text/csv"
	if isWorkbook(f, file) {
		ct = report.XLSXType
	}
	resp, err := c.do(ctx, http.MethodPost, path, ct, f)
	if err != nil {
		return err
	}
	var ans struct {
		DryRun    bool  `json:"dry_run"`
		Created   int   `json:"created"`
		Unchanged int   `json:"unchanged"`
		Corrected int   `json:"corrected"`
		Skipped   int   `json:"skipped"`
		Warnings  []any `json:"warnings"`
	}
	if err := json.Unmarshal(resp.body, &ans); err != nil {
		return msg.Errorf("unexpected answer from the server (HTTP %d): %v", resp.status, err)
	}
	l := e.language()
	parts := []string{
		msg.Sprintf(l, "created %d", ans.Created),
		msg.Sprintf(l, "unchanged %d", ans.Unchanged),
		msg.Sprintf(l, "corrected %d", ans.Corrected),
	}
	if ans.Skipped > 0 {
		parts = append(parts, msg.Sprintf(l, "skipped %d blank", ans.Skipped))
	}
	suffix := ""
	if *dryRun || ans.DryRun {
		suffix = msg.Sprintf(l, " (dry run: nothing stored)")
	}
	fmt.Fprintf(e.stdout, "%s: %s%s\n", file, strings.Join(parts, ", "), suffix)
	printWarnings(e, ans.Warnings)
	return nil
}

// isWorkbook tells an Excel workbook (FILE.xlsx, or any file that begins
// as a zip archive does) from CSV, and rewinds f.
func isWorkbook(f *os.File, name string) bool {
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	_, _ = f.Seek(0, io.SeekStart)
	return strings.EqualFold(filepath.Ext(name), ".xlsx") || bytes.Equal(head[:n], []byte("PK\x03\x04"))
}
