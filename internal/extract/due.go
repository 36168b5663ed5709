package extract

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// yearPattern finds the plan's year in its title: "东湖区2022年重点工作安排".
var yearPattern = regexp.MustCompile(`(?:19|20)[0-9]{2}年`)

// planYear is the year of the first "YYYY年" before the first numbered
// item, or 0: a plan without a dated title (like the seed) gets no due
// dates, and every target falls due at the plan's end.
func planYear(items []Item) int {
	if len(items) == 0 || items[0].Label != "0" {
		return 0
	}
	m := yearPattern.FindString(items[0].Text)
	if m == "" {
		return 0
	}
	y, _ := strconv.Atoi(m[:4])
	return y
}

// monthPattern is a deadline in a month: "6月底前", "12月前", "2022年9月底之前".
var monthPattern = regexp.MustCompile(`(?:((?:19|20)[0-9]{2})年)?([0-9]{1,2}|十[一二]?|[一二三四五六七八九])月(?:底|末|份)?(?:之前|以前|前)`)

// quarterPattern is a quarter: "一季度", "第三季度末前".
var quarterPattern = regexp.MustCompile(`第?([一二三四1-4])季度`)

// halfPattern is the first half of the year: "上半年", "年中".
var halfPattern = regexp.MustCompile(`上半年|年中`)

// dueDate reads a deadline inside the plan year from a clause, as
// YYYY-MM-DD, the last day of the month it names; "" when the clause names
// none or the year is unknown. 年内 and 年底前 are the plan's end, the
// default, and give nothing.
func dueDate(clause string, year int) string {
	if year == 0 || !strings.ContainsAny(clause, "月季半中") {
		return ""
	}
	month := 0
	if m := monthPattern.FindStringSubmatch(clause); m != nil {
		if m[1] != "" {
			year, _ = strconv.Atoi(m[1])
		}
		month = monthNumber(m[2])
	} else if m := quarterPattern.FindStringSubmatch(clause); m != nil {
		month = monthNumber(m[1]) * 3
	} else if halfPattern.MatchString(clause) {
		month = 6
	}
	if year == 0 || month < 1 || month > 12 {
		return ""
	}
	last := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC)
	return fmt.Sprintf("%04d-%02d-%02d", year, month, last.Day())
}

// monthNumber reads 1..12 in Arabic or Chinese digits.
func monthNumber(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	v, ok := parseChinese([]rune(s))
	if !ok {
		return 0
	}
	return int(v)
}
