package web

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// bulletinHandler serves the demo year with the bulletin, the service
// clock at 15 October 2019, noon.
func (f *fixture) bulletinHandler(t *testing.T) *Handler {
	t.Helper()
	now := time.Date(2019, 10, 15, 12, 0, 0, 0, f.plan.Location)
	h, err := New(Config{Snapshots: fixedSnapshot{f.snap}, History: f.db, Figures: f.db, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestBulletinPage(t *testing.T) {
	f := newFixture(t)
	h := f.bulletinHandler(t)
	for _, tc := range []struct {
		name   string
		target string
		hdr    []string
		status int
		want   []string // parts of the body
	}{
		// The counts are report's, checked by hand there: 54 targets, 48
		// on schedule (48/54 = 88.9%), 6 behind.
		{"by default the bulletin is Chinese, as of the service clock", "/report/bulletin", nil, 200,
			[]string{`<html lang="zh-CN">`, "截至2019年10月15日", "量化指标任务共54项，达到序时进度48项、占比88.9%；未达到序时进度6项", `value="2019-10-15"`, `href="/static/bulletin.css"`}},
		{"lang=en is English and the day form keeps it", "/report/bulletin?lang=en", nil, 200,
			[]string{`<html lang="en">`, "Of 54 quantified targets, 48 are on schedule (88.9%)", `name="lang" value="en"`}},
		{"an English reader gets English", "/report/bulletin", []string{"Accept-Language", "en-GB,en"}, 200,
			[]string{"supervision bulletin"}},
		// As of 15 August: July (due 10 August) is the last month due,
		// compared with 10 July.
		{"as_of chooses the day", "/report/bulletin?as_of=2019-08-15", nil, 200,
			[]string{"截至2019年8月15日，数据期间2019年1月至7月；上期为2019年7月10日。", `value="2019-08-15"`}},
		{"a day after today is refused", "/report/bulletin?as_of=2019-10-16", nil, 400, []string{"不晚于今天"}},
		{"a malformed day is refused", "/report/bulletin?as_of=10/15/2019", nil, 400, []string{"YYYY-MM-DD"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, h, tc.target, tc.hdr...)
			if resp.StatusCode != tc.status {
				t.Errorf("got status %d, want %d", resp.StatusCode, tc.status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("got Content-Type %q, want HTML", ct)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("got no %q in\n%.2000s", w, body)
				}
			}
		})
	}

	// Without a figure source there is no bulletin, and no link to one.
	plain := f.handler(t, false)
	if resp, _ := get(t, plain, "/report/bulletin"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("without figures: got status %d, want 404", resp.StatusCode)
	}
	if _, body := get(t, plain, "/"); strings.Contains(body, "/report/bulletin") {
		t.Error("without figures the overview links a bulletin")
	}
	if _, body := get(t, h, "/"); !strings.Contains(body, `href="/report/bulletin"`) {
		t.Error("the overview does not link the bulletin")
	}
}
