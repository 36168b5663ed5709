package api

import (
	"encoding/json"
	"testing"
)

// TestProblemLanguage sends the same bad requests with different
// Accept-Language headers: Chinese when absent, unknown or Chinese,
// English when English is asked for. Field names, ids, line numbers and
// figures stay as they are in both. The Chinese texts are written here by
// hand, not read from the catalog.
func TestProblemLanguage(t *testing.T) {
	h := newHarness(t)
	negative := request{method: "PUT", path: "/targets/river-clean/reports/2019-04", token: "water",
		contentType: "application/json", body: []byte(`{"value": -12345}`)}
	batch := request{method: "POST", path: "/reports", token: "water", contentType: "text/csv",
		body: []byte("target,period,value\nriver-clean,2019-04,-1\nno-such,2019-04,3\n")}
	anonymous := request{method: "GET", path: "/targets"}
	type item struct {
		line           int
		field, message string
	}
	for _, c := range []struct {
		name, acceptLanguage string
		r                    request
		status               int
		title, detail        string
		items                []item
	}{
		{"no Accept-Language: a negative figure in Chinese", "", negative, 422,
			"数据不符合要求", "value: 不能为负数 (只有增长率指标可以为负), 实际为 -12345", []item{{0, "value", "不能为负数 (只有增长率指标可以为负), 实际为 -12345"}}},
		{"zh-CN: the same in Chinese", "zh-CN,zh;q=0.9", negative, 422,
			"数据不符合要求", "value: 不能为负数 (只有增长率指标可以为负), 实际为 -12345", []item{{0, "value", "不能为负数 (只有增长率指标可以为负), 实际为 -12345"}}},
		{"a language we do not have: Chinese", "de-DE", negative, 422,
			"数据不符合要求", "value: 不能为负数 (只有增长率指标可以为负), 实际为 -12345", []item{{0, "value", "不能为负数 (只有增长率指标可以为负), 实际为 -12345"}}},
		{"en: the same in English", "en", negative, 422,
			"Invalid figure", "value: must not be negative (only a growth target's figure may be), got -12345", []item{{0, "value", "must not be negative (only a growth target's figure may be), got -12345"}}},
		{"a CSV batch with two bad rows in Chinese, each row once", "zh-CN", batch, 422,
			"数据不符合要求", "整批数据被拒收, 未保存任何数据; 以下列出每一行错误",
			[]item{{2, "value", "不能为负数 (只有增长率指标可以为负), 实际为 -1"}, {3, "target", `没有指标 "no-such"`}}},
		{"the same batch in English", "en-GB", batch, 422,
			"Invalid figure", "the batch was rejected and nothing was stored; every bad row is listed",
			[]item{{2, "value", "must not be negative (only a growth target's figure may be), got -1"}, {3, "target", `unknown target "no-such"`}}},
		{"no token, no Accept-Language: Chinese", "", anonymous, 401,
			"未提供有效令牌", "Authorization: 请以 'Authorization: Bearer TOKEN' 请求头发送令牌",
			[]item{{0, "Authorization", "请以 'Authorization: Bearer TOKEN' 请求头发送令牌"}}},
		{"no token, en", "en-US", anonymous, 401,
			"Unauthenticated", "Authorization: send the token as 'Authorization: Bearer TOKEN'",
			[]item{{0, "Authorization", "send the token as 'Authorization: Bearer TOKEN'"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.r
			r.header = map[string]string{"Accept-Language": c.acceptLanguage}
			res := h.mustRefuse(t, r, c.status, "", 0)
			var p Problem
			if err := json.Unmarshal(res.body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Title != c.title || p.Detail != c.detail {
				t.Errorf("got title %q detail %q, want %q and %q", p.Title, p.Detail, c.title, c.detail)
			}
			var got []item
			for _, e := range p.Errors {
				got = append(got, item{e.Line, e.Field, e.Message})
			}
			if len(got) != len(c.items) {
				t.Fatalf("got errors %+v, want %+v", got, c.items)
			}
			for i := range got {
				if got[i] != c.items[i] {
					t.Errorf("error %d: got %+v, want %+v", i, got[i], c.items[i])
				}
			}
			if v := res.header.Values("Vary"); !contains(v, "Accept-Language") {
				t.Errorf("got Vary %q, want Accept-Language among them: caches must keep the languages apart", v)
			}
		})
	}
}

func contains(vs []string, s string) bool {
	for _, v := range vs {
		if v == s {
			return true
		}
	}
	return false
}

// TestWarningLanguage: a stored but implausible figure is answered with a
// warning in the reader's language. river-clean sums to 120 over the 12
// months of 2019: a monthly share of 120/12 = 10, and 50 > 3×10 warns.
func TestWarningLanguage(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		name, acceptLanguage, period, want string
	}{
		{"Chinese by default", "", "2019-03", "50 超过目标月均份额的 3 倍 (目标 120 分 12 个月, 每月 10); 已保存, 请核对"},
		{"English when asked", "en", "2019-02", "50 is more than 3× the goal's monthly share (10 of 120 over 12 months); stored, please check"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := h.do(request{method: "PUT", path: "/targets/river-clean/reports/" + c.period, token: "water",
				contentType: "application/json", body: []byte(`{"value": 50}`), header: map[string]string{"Accept-Language": c.acceptLanguage}})
			var a FigureAnswer
			if err := json.Unmarshal(res.body, &a); err != nil || res.status != 201 {
				t.Fatalf("got %d %s, want 201", res.status, res.body)
			}
			if len(a.Warnings) != 1 || a.Warnings[0] != c.want {
				t.Errorf("got warnings %q, want [%q]", a.Warnings, c.want)
			}
		})
	}
}
