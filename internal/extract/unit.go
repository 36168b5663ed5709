package extract

import (
	"sort"
	"strings"
)

// unitKind says what a unit measures, which decides whether it can carry a
// commitment on its own.
type unitKind int

const (
	countUnit         unitKind = iota // measure words and physical units
	percentUnit                       // %, ‰, 百分点
	durationUnit                      // 天, 工作日: only a limit makes it a target
	concentrationUnit                 // 微克/立方米: a level averaged over time
	ageUnit                           // 岁: a target only when raised to ("达到79.5岁")
	scoreUnit                         // 分: a score only with a cue ("达到90分", "90分以上")
)

// unitInfo describes one unit a target may be measured in.
type unitInfo struct {
	zh   string
	en   string
	kind unitKind
}

// units are the measure words and physical units plans count commitments
// in. Time units for dates (年, 月) and labels (号, 级, 类, 届) are
// deliberately absent: a number before them is never a quantity.
var units = []unitInfo{
	// Measure words.
	{"个", "items", countUnit},
	{"家", "enterprises", countUnit},
	{"名", "people", countUnit},
	{"人", "people", countUnit},
	{"人次", "person-times", countUnit},
	{"位", "people", countUnit},
	{"户", "households", countUnit},
	{"所", "institutions", countUnit},
	{"座", "facilities", countUnit},
	{"处", "sites", countUnit},
	{"项", "items", countUnit},
	{"条", "items", countUnit},
	{"条段", "river sections", countUnit},
	{"段", "sections", countUnit},
	{"套", "units", countUnit},
	{"辆", "vehicles", countUnit},
	{"台", "machines", countUnit},
	{"台套", "sets", countUnit},
	{"张", "items", countUnit},
	{"张床位", "beds", countUnit},
	{"床", "beds", countUnit},
	{"间", "rooms", countUnit},
	{"件", "cases", countUnit},
	{"起", "cases", countUnit},
	{"宗", "cases", countUnit},
	{"场", "events", countUnit},
	{"场次", "events", countUnit},
	{"次", "times", countUnit},
	{"批", "batches", countUnit},
	{"轮", "rounds", countUnit},
	{"期", "sessions", countUnit},
	{"栋", "buildings", countUnit},
	{"幢", "buildings", countUnit},
	{"棵", "trees", countUnit},
	{"株", "trees", countUnit},
	{"只", "items", countUnit},
	{"部", "units", countUnit},
	{"块", "pieces", countUnit},
	{"艘", "vessels", countUnit},
	{"架", "aircraft", countUnit},
	{"支", "teams", countUnit},
	{"个点位", "sites", countUnit},
	{"个车位", "parking spaces", countUnit},
	{"车位", "parking spaces", countUnit},
	{"泊位", "berths", countUnit},
	{"床位", "beds", countUnit},
	{"倍", "times", countUnit},
	// Length, area, volume, mass, energy, money.
	{"米", "m", countUnit},
	{"公里", "km", countUnit},
	{"千米", "km", countUnit},
	{"延米", "m", countUnit},
	{"平方米", "m²", countUnit},
	{"平米", "m²", countUnit},
	{"平方公里", "km²", countUnit},
	{"公顷", "ha", countUnit},
	{"亩", "mu", countUnit},
	{"立方米", "m³", countUnit},
	{"方", "m³", countUnit},
	{"吨", "t", countUnit},
	{"公斤", "kg", countUnit},
	{"千克", "kg", countUnit},
	{"千瓦", "kW", countUnit},
	{"兆瓦", "MW", countUnit},
	{"千瓦时", "kWh", countUnit},
	{"度", "kWh", countUnit},
	{"元", "yuan", countUnit},
	{"美元", "USD", countUnit},
	{"标准箱", "TEU", countUnit},
	{"微克/立方米", "µg/m³", concentrationUnit},
	{"毫克/升", "mg/L", concentrationUnit},
	// Shares.
	{"%", "%", percentUnit},
	{"％", "%", percentUnit},
	{"‰", "‰", percentUnit},
	{"个百分点", "percentage points", percentUnit},
	{"百分点", "percentage points", percentUnit},
	// Scores: "营商环境评价得分达到90分"; "十分重要" has no cue and is no score.
	{"分", "points", scoreUnit},
	// Ages: "人均预期寿命达到79.5岁" is a target, "3岁以下" a category.
	{"岁", "years of age", ageUnit},
	// Durations.
	{"个工作日", "working days", durationUnit},
	{"工作日", "working days", durationUnit},
	{"天", "days", durationUnit},
	{"日", "days", durationUnit},
	{"小时", "hours", durationUnit},
	{"分钟", "minutes", durationUnit},
	{"个月", "months", durationUnit},
}

// unitsLongestFirst lets matchUnit prefer 平方公里 over 平方米 over 米.
var unitsLongestFirst = func() []unitInfo {
	u := append([]unitInfo(nil), units...)
	sort.SliceStable(u, func(i, j int) bool {
		return len([]rune(u[i].zh)) > len([]rune(u[j].zh))
	})
	return u
}()

// matchUnit returns the unit at the start of s.
func matchUnit(s []rune) (unitInfo, bool) {
	str := string(s[:min(len(s), 8)])
	for _, u := range unitsLongestFirst {
		if strings.HasPrefix(str, u.zh) {
			return u, true
		}
	}
	return unitInfo{}, false
}

// startsUnit reports whether a unit whose name begins with a multiplier
// character (千米, 千瓦, 百分点) starts at s, so that 5千米 is five
// kilometres, not five thousand metres.
func startsUnit(s []rune) bool {
	u, ok := matchUnit(s)
	return ok && len([]rune(u.zh)) > 1
}

// startsAnyUnit reports whether a unit starts s.
func startsAnyUnit(s []rune) bool {
	_, ok := matchUnit(s)
	return ok
}

// unitEN returns the English name of a Chinese unit, or "" when unknown.
// Units with a multiplier prefix (万平方米) and daily rates (吨/日) are
// handled too.
func unitEN(zh string) string {
	if zh == "" {
		return ""
	}
	base, per := zh, ""
	if i := strings.Index(zh, "/"); i > 0 && !strings.Contains(zh, "立方米") {
		base, per = zh[:i], zh[i+1:]
	}
	prefix := ""
	for _, p := range []struct{ zh, en string }{{"万", "10k "}, {"亿", "100M "}} {
		if strings.HasPrefix(base, p.zh) && len(base) > len(p.zh) {
			prefix, base = p.en, strings.TrimPrefix(base, p.zh)
		}
	}
	for _, u := range units {
		if u.zh == base {
			en := prefix + u.en
			switch per {
			case "":
			case "日", "天":
				en += "/day"
			case "年":
				en += "/year"
			default:
				en += "/" + per
			}
			return en
		}
	}
	return ""
}

// unitScale is the multiplier a unit name carries (万平方米 → 10000), so
// that a target written as 13.5 万平方米 matches a candidate of 135000 平方米.
func unitScale(zh string) float64 {
	switch {
	case strings.HasPrefix(zh, "亿"):
		return 1e8
	case strings.HasPrefix(zh, "万"):
		return 1e4
	}
	return 1
}
