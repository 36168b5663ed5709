package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/targetwatch/targetwatch/internal/msg"
	"github.com/targetwatch/targetwatch/internal/report"
)

// messages holds every fixed text of the pages, Chinese first. Templates
// read them as {{$.T.key}}; a test checks that every key they use exists.
var messages = map[string][2]string{
	"other_lang":        {"English", "中文"},
	"other_lang_code":   {"en", "zh"},
	"html_lang":         {"zh-CN", "en"},
	"status_page":       {"执行情况", "Progress"},
	"as_of":             {"数据截至", "As of"},
	"overview":          {"总览", "Overview"},
	"targets":           {"项指标", "targets"},
	"plan":              {"计划", "Plan"},
	"agency":            {"责任部门", "Agency"},
	"status":            {"状态", "Status"},
	"all":               {"全部", "All"},
	"apply":             {"应用", "Apply"},
	"clear":             {"清除筛选", "Clear filters"},
	"overdue":           {"逾期未报", "Overdue reports"},
	"overdue_short":     {"缺报", "missing"},
	"overdue_summary":   {"各部门逾期未报情况", "Overdue reports by agency"},
	"targets_affected":  {"涉及指标", "Targets"},
	"months_missing":    {"缺报月数", "Months missing"},
	"oldest_missing":    {"最早缺报月份", "Oldest missing month"},
	"no_overdue":        {"各部门均已按时报送。", "Every agency has reported on time."},
	"no_match":          {"没有符合筛选条件的指标。", "No target matches the filters."},
	"goal":              {"年度目标", "Goal"},
	"actual":            {"实际完成", "Actual"},
	"expected":          {"序时进度", "Expected"},
	"projection":        {"预计全年", "Projection"},
	"gap":               {"与序时进度差距", "Gap to expected"},
	"gap_goal":          {"与目标差距", "Gap to the goal"},
	"points":            {"个百分点", "points"},
	"last_report":       {"最近报送", "Last report"},
	"never":             {"从未报送", "never reported"},
	"corrections":       {"更正次数", "Corrections"},
	"deadline":          {"完成时限", "Deadline"},
	"history":           {"逐月报送记录", "Monthly reports"},
	"period":            {"月份", "Month"},
	"revision":          {"版本", "Revision"},
	"value":             {"数值", "Value"},
	"note":              {"说明", "Note"},
	"who":               {"报送人", "Submitted by"},
	"when":              {"报送时间", "Received"},
	"current":           {"现行", "current"},
	"not_reported":      {"未报送", "not reported"},
	"not_due":           {"未到期", "not yet due"},
	"no_history":        {"尚无报送记录。", "Nothing reported yet."},
	"quote":             {"计划原文", "From the plan"},
	"item":              {"第%s项", "item %s"},
	"chart":             {"进度图", "Progress chart"},
	"chart_desc":        {"实际完成、序时进度、年度目标与预计全年的逐月对比", "Actual, expected, goal and projection by month"},
	"back":              {"返回总览", "Back to overview"},
	"bulletin":          {"督查通报", "Supervision bulletin"},
	"bulletin_day":      {"通报日期", "Bulletin day"},
	"bulletin_print":    {"用浏览器打印即可得到A4版式（或另存为PDF）。", "Print from the browser for an A4 copy (or save it as PDF)."},
	"bad_day":           {"日期应为YYYY-MM-DD格式，且不晚于今天。", "The day must be YYYY-MM-DD and not after today."},
	"period_ended":      {"计划期（%s 至 %s）已结束，各项状态均为最终结果。如需回放该年度，请以 targetwatch serve --as-of %s 运行。", "The plan period (%s to %s) has ended: every status is final. To replay the year, run targetwatch serve --as-of %s."},
	"period_not_begun":  {"计划期（%s 至 %s）尚未开始，目前没有应报数据。如需预览，请以 targetwatch serve --as-of %s 运行。", "The plan period (%s to %s) has not begun: nothing is due yet. To preview it, run targetwatch serve --as-of %s."},
	"assumed_note":      {"计划原文未写明责任部门, 此处所列部门为推定。", "The plan names no responsible agencies; the ones shown are assumed."},
	"signin":            {"登录", "Sign in"},
	"signin_title":      {"请登录查看执行情况", "Sign in to see progress"},
	"signin_help":       {"请输入督查或管理员令牌。", "Enter a supervisor or admin token."},
	"token":             {"令牌", "Token"},
	"signout":           {"退出", "Sign out"},
	"signin_bad":        {"令牌无效或已吊销。", "The token is unknown or revoked."},
	"signin_role":       {"该令牌无查看权限: 需要督查或管理员令牌。", "This token may not read the page: a supervisor or admin token is needed."},
	"not_found":         {"未找到该页面。", "Page not found."},
	"bad_request":       {"请求有误", "Bad request"},
	"error":             {"出错了", "Something went wrong"},
	"error_internal":    {"服务器内部错误, 请稍后再试。", "Internal error; please try again later."},
	"legend_actual":     {"实际完成", "Actual"},
	"legend_expected":   {"序时进度", "Expected"},
	"legend_goal":       {"年度目标", "Goal"},
	"legend_projection": {"预计", "Projection"},
	"milestone_done":    {"已完成", "done"},
	"milestone_open":    {"未完成", "not done"},
	"download_report":   {"下载执行情况报告", "Download the execution report"},
	"download_template": {"下载报送模板", "Download the report template"},
}

func texts(lang report.Lang) map[string]string {
	i := 0
	if lang == report.English {
		i = 1
	}
	m := make(map[string]string, len(messages))
	for k, v := range messages {
		m[k] = v[i]
	}
	return m
}

var textsByLang = map[report.Lang]map[string]string{
	report.Chinese: texts(report.Chinese),
	report.English: texts(report.English),
}

// LangCookie remembers the language a reader chose with ?lang=, so that
// pages reached without it (a bookmark, a typed address) keep it.
const LangCookie = "targetwatch_lang"

// requestLang picks the page language: an explicit ?lang= wins, then the
// language cookie, then the browser's Accept-Language, then Chinese, the
// plan's own language.
func requestLang(r *http.Request) (lang report.Lang, explicit bool) {
	if q := r.URL.Query().Get("lang"); q != "" {
		return report.ParseLang(q), true
	}
	if c, err := r.Cookie(LangCookie); err == nil {
		if l, ok := msg.ParseLang(c.Value); ok {
			return report.Lang(l), false
		}
	}
	return report.Lang(msg.FromAcceptLanguage(r.Header.Get("Accept-Language"))), false
}

// rememberLang sets the language cookie when the request chose zh or en
// with ?lang=.
func rememberLang(w http.ResponseWriter, r *http.Request) {
	l, ok := msg.ParseLang(r.URL.Query().Get("lang"))
	if !ok {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: LangCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 60 * 60,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
}

// ago says how long before now t was, coarsely: pages are read at a glance.
func ago(now, t time.Time, lang report.Lang) string {
	en := lang == report.English
	d := now.Sub(t)
	switch {
	case d < 0:
		return pick(en, "刚刚", "just now")
	case d < time.Hour:
		n := int(d.Minutes())
		if n < 1 {
			return pick(en, "刚刚", "just now")
		}
		return fmt.Sprintf(pick(en, "%d分钟前", "%d min ago"), n)
	case d < 24*time.Hour:
		return fmt.Sprintf(pick(en, "%d小时前", "%d h ago"), int(d.Hours()))
	case d < 60*24*time.Hour:
		n := int(d.Hours() / 24)
		if en && n == 1 {
			return "1 day ago"
		}
		return fmt.Sprintf(pick(en, "%d天前", "%d days ago"), n)
	}
	return fmt.Sprintf(pick(en, "%d个月前", "%d months ago"), int(d.Hours()/24/30))
}

func pick(en bool, zh, e string) string {
	if en {
		return e
	}
	return zh
}
