package extract

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Candidate is a commitment the extractor proposes: a numeric target or a
// milestone, found in one clause of one item.
type Candidate struct {
	// ID is a draft target id derived from the item: "item-10-5b".
	ID   string
	Item string // item label, e.g. "10.2"
	Line int    // 1-based line of the item in the document

	// Text is the phrase that carries the commitment, cue words included:
	// "不少于329条段", "200名左右", "全覆盖", "建成开业", without the line
	// breaks of a wrapped sentence. An ignored entry names a candidate by
	// item and Text.
	Text string
	// Quote is the clause the phrase stands in, verbatim from the document.
	Quote string
	// Title is a draft name: what is counted or delivered.
	Title string

	Kind        plan.Kind
	Direction   plan.Direction
	Aggregation plan.Aggregation
	// Value is the normalised number: 13.5万 is 135000, 百分之七十 is 70,
	// full coverage is 100, zero growth 0, a milestone 1.
	Value       float64
	Unit        string // Chinese unit without multiplier: 平方米, 吨/日, %
	UnitEN      string
	Approximate bool
	// Due is a deadline the clause states within the plan's year
	// ("6月底前" → 2022-06-30), YYYY-MM-DD; "" means the plan's end.
	Due string

	pos int // rune offset of the phrase in its item, for a stable order
}

// Quantitative reports whether the candidate is a number the audit holds
// targets.yaml to: every kind except milestones.
func (c *Candidate) Quantitative() bool { return c.Kind == plan.Quantity }

// Extract returns the candidates of a decoded plan document, ordered by
// item and then by position in the item. The result depends only on text;
// Extract is safe for concurrent use.
func Extract(text string) []Candidate {
	var out []Candidate
	items := Split(text)
	year := planYear(items)
	for _, it := range items {
		out = append(out, extractItem(it, year)...)
	}
	order := map[string]int{}
	for i, c := range out {
		if _, ok := order[c.Item]; !ok {
			order[c.Item] = i
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Item != b.Item {
			if c := compareItems(a.Item, b.Item); c != 0 {
				return c < 0
			}
			return order[a.Item] < order[b.Item]
		}
		return a.pos < b.pos
	})
	assignIDs(out)
	return out
}

// assignIDs names candidates after their item ("item-10-5a",
// "item-10-5b"), so a document always yields the same ids, whichever of
// its candidates are printed.
func assignIDs(cands []Candidate) {
	perItem := map[string]int{}
	for _, c := range cands {
		perItem[c.Item]++
	}
	seen := map[string]int{}
	used := map[string]bool{}
	for i := range cands {
		c := &cands[i]
		id := "item-" + strings.ReplaceAll(c.Item, ".", "-")
		if perItem[c.Item] > 1 {
			id += suffix(seen[c.Item])
		}
		seen[c.Item]++
		for base, n := id, 2; used[id]; n++ {
			id = fmt.Sprintf("%s-%d", base, n)
		}
		used[id] = true
		c.ID = id
	}
}

// suffix numbers the candidates of one item a, b, … z, aa, ab, ….
func suffix(i int) string {
	if i < 26 {
		return string(rune('a' + i))
	}
	return suffix(i/26-1) + string(rune('a'+i%26))
}

// compareItems orders item labels numerically part by part, so that 2.10
// follows 2.9 and 10.1 follows 9.4.
func compareItems(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, oka := itemNumber(pa[i])
		nb, okb := itemNumber(pb[i])
		switch {
		case oka && okb && na != nb:
			if na < nb {
				return -1
			}
			return 1
		case !(oka && okb) && pa[i] != pb[i]:
			return strings.Compare(pa[i], pb[i])
		}
	}
	return len(pa) - len(pb)
}

// itemNumber reads one part of an item label.
func itemNumber(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// clause is a stretch of an item between punctuation, with the quoted
// parts marked.
type clause struct {
	runes  []rune // as in the document
	norm   []rune // full-width digits and signs made ASCII
	quoted []bool // inside “”, "", 《》, 「」 and the like
	start  int    // offset in the item
	end    rune   // the punctuation that ends it, 0 at the end of the item
	hedge  int    // where 基本 hedges what follows it, -1 if nowhere
}

// quotePairs open and close quoted names and slogans.
var quotePairs = map[rune]rune{'“': '”', '《': '》', '「': '」', '『': '』', '〈': '〉', '‘': '’', '"': '"', '【': '】'}

// clauseEnds split an item into clauses; 、 does not, as it joins the
// members of one list ("生态廊道2500亩、公益林1000亩").
const clauseEnds = "，,；;。！!？?：:\n"

// clauses splits an item's text. A line break ends a clause unless it
// wraps a sentence (text copied from a PDF: "不少于\n329条段"); a heading's
// title line always ends one.
func clauses(text string, heading bool) []clause {
	rs := []rune(text)
	quoted := make([]bool, len(rs))
	// Mark quoted spans. An unclosed quote marks nothing: a stray mark must
	// not hide the rest of the item.
	for i := 0; i < len(rs); i++ {
		closer, ok := quotePairs[rs[i]]
		if !ok {
			continue
		}
		for j := i + 1; j < len(rs) && rs[j] != '\n'; j++ {
			if rs[j] == closer {
				for k := i; k <= j; k++ {
					quoted[k] = true
				}
				i = j
				break
			}
		}
	}
	var out []clause
	start := 0
	flush := func(end int, stop rune) {
		// Trim spaces so the quote is a clean verbatim fragment.
		s, e := start, end
		for s < e && unicode.IsSpace(rs[s]) {
			s++
		}
		for e > s && unicode.IsSpace(rs[e-1]) {
			e--
		}
		if s < e {
			c := clause{runes: rs[s:e], quoted: quoted[s:e], start: s, end: stop}
			c.norm = make([]rune, len(c.runes))
			for i, r := range c.runes {
				c.norm[i] = narrow(r)
			}
			c.hedge = basicHedge(c.norm)
			out = append(out, c)
		}
	}
	firstBreak := true
	for i, r := range rs {
		if r == ',' && thousands(rs, i) {
			continue
		}
		if r == '\n' {
			title := heading && firstBreak
			firstBreak = false
			if !title && wraps(rs, i) {
				continue
			}
		}
		if !quoted[i] && strings.ContainsRune(clauseEnds, r) {
			flush(i, r)
			start = i + 1
		}
	}
	flush(len(rs), 0)
	return out
}

// retrospective reports whether a clause looks back ("去年以来", "过去一年",
// "已建成"): work reports recount last year's figures next to this year's
// commitments.
func retrospective(cl clause) bool {
	n := cl.norm
	for _, w := range pastOpeners {
		if hasAt(n, 0, w) {
			return true
		}
	}
	for _, w := range pastMarkers {
		for i := range n {
			if hasAt(n, i, w) && !cl.quoted[i] {
				return true
			}
		}
	}
	return false
}

// wrapWidth is the shortest line taken to be wrapped: PDF text wraps at
// the page width, while a title line ("江北区2025年重点任务") is short.
const wrapWidth = 20

// wraps reports whether the line break at rs[i] falls inside a sentence:
// a full line ends in a character, not punctuation, and the next one goes
// on without the indent of a new paragraph.
func wraps(rs []rune, i int) bool {
	if i == 0 || i+1 >= len(rs) {
		return false
	}
	width := 0
	for k := i - 1; k >= 0 && rs[k] != '\n'; k-- {
		width++
	}
	if width < wrapWidth {
		return false
	}
	prev, next := narrow(rs[i-1]), narrow(rs[i+1])
	word := func(r rune) bool { return unicode.Is(unicode.Han, r) || isDigit(r) || r == '%' }
	return word(prev) && word(next)
}

// earlierYear reports whether a clause opens with a year before the
// plan's ("2024年，全区地区生产总值达到…" in a plan for 2025): an account of
// that year.
func earlierYear(cl clause, year int) bool {
	n := cl.norm
	if year == 0 || len(n) < 5 || n[4] != '年' {
		return false
	}
	y, err := strconv.Atoi(string(n[:4]))
	return err == nil && y < year
}

// thousands reports whether the comma at rs[i] separates thousands
// ("1,200户") rather than clauses.
func thousands(rs []rune, i int) bool {
	if i == 0 || i+3 >= len(rs) || !isDigit(rs[i-1]) {
		return false
	}
	for k := 1; k <= 3; k++ {
		if !isDigit(rs[i+k]) {
			return false
		}
	}
	return i+4 == len(rs) || !isDigit(rs[i+4])
}

// narrow maps full-width digits, letters and signs to ASCII, one rune for
// one, so offsets into the normalised clause are offsets into the original.
func narrow(r rune) rune {
	switch {
	case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ':
		return r - '０' + '0'
	case r == '％':
		return '%'
	case r == '．':
		return '.'
	case r == '＋':
		return '+'
	case r == '－':
		return '-'
	}
	return r
}

// sentenceEnds close a sentence: a daily rate stated in one clause
// ("日均干垃圾总量控制在1743吨以下") carries over to the following clauses
// of the same sentence that count in the same unit ("湿垃圾分类总量提高到
// 330吨").
const sentenceEnds = "。；;！!？?\n"

// accountEnds close a sentence that looks back.
const accountEnds = "。！!？?\n"

func extractItem(it Item, year int) []Candidate {
	var out []Candidate
	daily := map[string]bool{} // units stated as daily rates in this sentence
	past := false              // the sentence reports what was done, not what will be
	due := ""                  // a deadline stated earlier in the sentence ("6月底前，…")
	titleEnd := 0
	if it.heading {
		titleEnd = len([]rune(strings.SplitN(it.Text, "\n", 2)[0]))
	}
	for _, cl := range clauses(it.Text, it.heading) {
		past = past || retrospective(cl) || earlierYear(cl, year)
		if past {
			// An account runs to the full stop: "2024年，A；B。" is all 2024.
			if cl.end == 0 || strings.ContainsRune(accountEnds, cl.end) {
				past, due = false, ""
				clear(daily)
			}
			continue
		}
		if d := dueDate(string(cl.norm), year); d != "" {
			due = d
		}
		found := numbers(cl)
		for i := range found {
			c := &found[i]
			if base, ok := strings.CutSuffix(c.Unit, "/日"); ok {
				daily[base] = true
			} else if daily[c.Unit] && c.Aggregation != plan.Max {
				c.Unit += "/日"
				c.UnitEN += "/day"
				c.Aggregation = plan.Mean
			}
		}
		found = append(found, coverage(cl)...)
		if len(found) == 0 && cl.start >= titleEnd {
			// A chapter's title ("（三）办好民生实事") names a theme, not a
			// deliverable.
			found = milestones(cl)
		}
		quote := string(cl.runes)
		for _, c := range found {
			c.Item, c.Line = it.Label, it.Line
			c.Quote, c.Due = quote, due
			// An ignored entry names the phrase on one line.
			c.Text = strings.ReplaceAll(c.Text, "\n", "")
			c.pos += cl.start
			out = append(out, c)
		}
		if cl.end == 0 || strings.ContainsRune(sentenceEnds, cl.end) {
			due = ""
			clear(daily)
		}
	}
	return out
}

// hasAt reports whether word starts at rs[i].
func hasAt(rs []rune, i int, word string) bool {
	if i < 0 {
		return false
	}
	for _, r := range word {
		if i >= len(rs) || rs[i] != r {
			return false
		}
		i++
	}
	return true
}

// endsAt reports whether word ends just before rs[i].
func endsAt(rs []rune, i int, word string) bool {
	return hasAt(rs, i-utf8.RuneCountInString(word), word)
}

func isLatin(r rune) bool { return r < 128 && unicode.IsLetter(r) }

// number is one number found in a clause, before it is judged.
type number struct {
	start, end int // runes of the numerals, multiplier included
	value      float64
	chinese    bool   // written in Chinese numerals
	lone       bool   // a lone 一: an article, not a count
	share      string // "%" or "‰" when written 百分之…, 千分之… or 三分之一
	text       string // the numerals as written
}

// scanNumber reads the number starting at i, if any.
func scanNumber(cl clause, i int) (number, bool) {
	n := cl.norm
	if i >= len(n) {
		return number{}, false
	}
	for _, sh := range []struct{ word, unit string }{{"百分之", "%"}, {"千分之", "‰"}} {
		if hasAt(n, i, sh.word) {
			m, ok := scanNumber(cl, i+3)
			if !ok || m.share != "" {
				return number{}, false
			}
			m.start, m.share = i, sh.unit
			m.text = string(cl.runes[i:m.end])
			return m, true
		}
	}
	num, ok := scanPlain(cl, i)
	if !ok {
		return num, false
	}
	// 三分之一 is a share: one third, 33.3%.
	if hasAt(n, num.end, "分之") {
		if den, ok := scanPlain(cl, num.end+2); ok && num.value > 0 {
			num.value = den.value / num.value * 100
			num.end, num.share, num.lone = den.end, "%", false
			num.text = string(cl.runes[num.start:num.end])
		}
	}
	return num, true
}

// scanPlain reads a number in Arabic or Chinese numerals at i.
func scanPlain(cl clause, i int) (number, bool) {
	n := cl.norm
	if i >= len(n) {
		return number{}, false
	}
	switch {
	case isDigit(n[i]):
		if i > 0 && (isDigit(n[i-1]) || n[i-1] == '.') {
			return number{}, false
		}
		j := i
		for j < len(n) {
			switch {
			case isDigit(n[j]):
				j++
				continue
			case n[j] == '.' && j+1 < len(n) && isDigit(n[j+1]):
				j++
				continue
			case n[j] == ',' && j+3 < len(n) && isDigit(n[j+1]) && isDigit(n[j+2]) && isDigit(n[j+3]) && (j+4 == len(n) || !isDigit(n[j+4])):
				j++
				continue
			}
			break
		}
		v, ok := parseArabic(string(n[i:j]))
		if !ok {
			return number{}, false
		}
		// Multipliers after digits: 13.5万, 3千万, 2.5亿 — unless they
		// begin a unit (5千米, 3千瓦).
		for j < len(n) && !startsUnit(n[j:]) {
			m, isS := smallUnit[n[j]]
			if !isS {
				m, isS = bigUnit[n[j]]
			}
			if !isS {
				break
			}
			v *= m
			j++
		}
		return number{start: i, end: j, value: v, text: string(cl.runes[i:j])}, true
	case isChineseNumeral(n[i]) && n[i] != '点':
		if i > 0 && isChineseNumeral(n[i-1]) && n[i-1] != '点' {
			return number{}, false
		}
		j := i
		for j < len(n) && isChineseNumeral(n[j]) && !startsUnit(n[j:]) {
			j++
		}
		for j > i && n[j-1] == '点' {
			j--
		}
		v, ok := parseChinese(n[i:j])
		if !ok {
			return number{}, false
		}
		return number{start: i, end: j, value: v, chinese: true, lone: j == i+1 && n[i] == '一', text: string(cl.runes[i:j])}, true
	}
	return number{}, false
}

// numbers finds the numeric commitments of a clause.
func numbers(cl clause) []Candidate {
	n := cl.norm
	type phrase struct {
		c         Candidate
		from, end int // where its title may start; where it ends
	}
	var found []phrase
	prevEnd := 0 // end of the previous phrase: cues and titles stop there
	for i := 0; i < len(n); i++ {
		if cl.quoted[i] {
			continue
		}
		num, ok := scanNumber(cl, i)
		if !ok {
			continue
		}
		// A range "3-5条", "三至五个" commits to its lower bound.
		if num.end+1 < len(n) && strings.ContainsRune(rangeMarks, n[num.end]) {
			if hi, ok := scanNumber(cl, num.end+1); ok && hi.chinese == num.chinese {
				num.end, num.lone = hi.end, false
				num.text = string(cl.runes[num.start:num.end])
			}
		}
		c, end, titleEnd, ok := judge(cl, num, prevEnd)
		if end > i {
			i = end - 1
		}
		if !ok {
			continue
		}
		found = append(found, phrase{c, prevEnd, end})
		prevEnd = max(end, titleEnd)
	}
	var out []Candidate
	for k, f := range found {
		if k+1 < len(found) && qualifies(cl, f.end, found[k+1].c.pos) {
			// The qualifier belongs in the title of what it qualifies.
			next := &found[k+1]
			next.from = f.from
			next.c.Title = trimTitle(string(cl.runes[f.from:next.c.pos]))
			continue
		}
		out = append(out, f.c)
	}
	return out
}

// rangeMarks join the bounds of a range.
const rangeMarks = "-—–~～至到"

// qualifies reports whether the phrase ending at end describes the noun
// that the number at next counts, rather than being counted itself:
// "10亿元以上项目5个" (projects of over a billion, five of them), "公交站点
// 500米覆盖率达到100%". A list joiner between them ("1个国考断面和18个
// 市考断面") makes them two counts.
func qualifies(cl clause, end, next int) bool {
	if end >= next || !unicode.Is(unicode.Han, cl.norm[end]) {
		return false
	}
	for _, r := range cl.norm[end:next] {
		if strings.ContainsRune(nounStops, r) {
			return false
		}
	}
	return true
}

// judge decides whether a number is a commitment and reads its unit, cues
// and title. end is where scanning resumes; titleEnd is where the counted
// noun after the phrase ends, if the title took one.
func judge(cl clause, num number, prevEnd int) (c Candidate, end, titleEnd int, ok bool) {
	n := cl.norm
	i, j := num.start, num.end
	// A title may have run over a number it did not recognise as one.
	prevEnd = min(prevEnd, i)
	c = Candidate{Kind: plan.Quantity, Direction: plan.AtLeast, Value: roundValue(num.value), pos: i}

	// Codes and ordinals: S7, G60, 5G, 3+X, 第四次.
	if i > 0 && (isLatin(n[i-1]) || n[i-1] == '+' || n[i-1] == '第') {
		return c, j, 0, false
	}
	if j < len(n) && (isLatin(n[j]) || n[j] == '+') {
		return c, j, 0, false
	}
	if num.lone {
		return c, j, 0, false
	}

	// 2500余亩, 300多个.
	k := j
	for k < len(n) {
		if slices.Contains(approxInside, n[k]) {
			c.Approximate = true
			k++
			continue
		}
		break
	}
	var u unitInfo
	if num.share != "" {
		u = unitInfo{num.share, num.share, percentUnit}
	} else {
		u, ok = matchUnit(n[k:])
		if !ok {
			return c, k, 0, false
		}
		k += len([]rune(u.zh))
	}
	if num.chinese && u.zh == "期" {
		// 一期, 二期: phases of a project.
		return c, k, 0, false
	}
	if num.chinese && u.zh == "次" && k < len(n) && unicode.Is(unicode.Han, n[k]) && !startsCue(n[k:]) {
		// 二次开发, 一次办成: the numeral and 次 are part of a word.
		return c, k, 0, false
	}
	for _, p := range policyNouns {
		if hasAt(n, k, p) {
			return c, k, 0, false
		}
	}
	if (u.zh == "部" && hasAt(n, k, "门")) || (u.zh == "轮" && hasAt(n, k, "车")) {
		// 3部门 are departments, 两轮车 vehicles: words, not counts.
		return c, k, 0, false
	}
	c.Unit, c.UnitEN = u.zh, u.en
	if u.zh == "％" {
		c.Unit = "%"
	}

	// After the unit: 左右, 以上/以下/以内.
	afterDir := plan.Direction("")
	for {
		matched := false
		for _, w := range approxAfter {
			if hasAt(n, k, w) {
				c.Approximate, k, matched = true, k+len([]rune(w)), true
			}
		}
		for _, cu := range afterCues {
			if afterDir == "" && hasAt(n, k, cu.word) {
				afterDir, k, matched = cu.dir, k+len([]rune(cu.word)), true
				break
			}
		}
		if !matched {
			break
		}
	}

	// Before the number: the nearest cue, and hedges such as 约.
	beforeDir, cueStart := plan.Direction(""), i
	for end := i; end >= prevEnd && i-end <= maxCueGap && beforeDir == ""; end-- {
		best := ""
		for _, cu := range beforeCues {
			if cu.adjacent && end != i {
				continue
			}
			if endsAt(n, end, cu.word) && end-len([]rune(cu.word)) >= prevEnd && len(cu.word) > len(best) {
				best, beforeDir = cu.word, cu.dir
			}
		}
		if best != "" {
			cueStart = end - len([]rune(best))
			// 不低于 ends like 低于: the longer cue is the one meant.
			for _, cu := range beforeCues {
				if len(cu.word) > len(best) && endsAt(n, end, cu.word) {
					best, beforeDir, cueStart = cu.word, cu.dir, end-len([]rune(cu.word))
				}
			}
		}
	}
	for _, w := range approxBefore {
		if endsAt(n, i, w) && i-len([]rune(w)) >= prevEnd {
			c.Approximate = true
			if s := i - len([]rune(w)); s < cueStart {
				cueStart = s
			}
			break
		}
	}
	if cl.hedge >= 0 && cl.hedge < i {
		c.Approximate = true
	}

	switch {
	case afterDir != "":
		c.Direction = afterDir
	case beforeDir != "":
		c.Direction = beforeDir
	}
	if u.kind == scoreUnit && beforeDir == "" && afterDir == "" {
		// 十分重要: 分 without a cue is not a score.
		return c, k, 0, false
	}
	rank := i > 0 && n[i-1] == '前' && (u.zh == "名" || u.zh == "位")
	if rank {
		// 前3名, 前十位: a rank, where lower is better.
		c.Direction, c.Unit, c.UnitEN = plan.AtMost, "名", "rank"
		if cueStart == i {
			cueStart = i - 1
		}
	}
	if u.kind == ageUnit && (beforeDir == "" || afterDir != "") {
		// "3岁以下幼儿", "0-3岁婴幼儿" name an age group; only "达到79.5岁"
		// commits to an age.
		return c, k, 0, false
	}
	if u.kind == durationUnit && c.Direction != plan.AtMost {
		// A duration without a limit is a date or a span ("3月15日",
		// "用三年时间"), not a target.
		return c, k, 0, false
	}

	phraseStart := i
	if cueStart < i && i-cueStart <= maxCueGap {
		phraseStart = cueStart
	}
	c.Text = string(cl.runes[phraseStart:k])
	c.Title, titleEnd = title(cl, prevEnd, phraseStart, k)

	prefix := string(n[prevEnd:i])
	c.Aggregation = plan.Sum
	switch {
	case u.kind == percentUnit, u.kind == scoreUnit, rank:
		c.Aggregation = plan.Last
	case containsAny(prefix, dailyWords):
		c.Aggregation = plan.Mean
		c.Unit += "/日"
		c.UnitEN += "/day"
	case u.kind == durationUnit:
		c.Aggregation = plan.Max
	case u.kind == concentrationUnit:
		c.Aggregation = plan.Mean
	case u.kind == ageUnit:
		c.Aggregation = plan.Last
	case containsAny(prefix, levelWords):
		c.Aggregation = plan.Last
	}
	return c, k, titleEnd, true
}

// basicHedge returns where 基本 is first used as an adverb ("基本实现")
// in s, or -1.
func basicHedge(s []rune) int {
	for i := range s {
		if !hasAt(s, i, "基本") {
			continue
		}
		for _, v := range basicVerbs {
			if hasAt(s, i+2, v) {
				return i
			}
		}
	}
	return -1
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// title names what a phrase counts: the words before it in its clause
// without modal verbs, followed by the noun right after it when there is
// one ("7个集体经济平台公司标准厂房建设项目"). titleEnd is where that noun
// ends.
func title(cl clause, from, start, end int) (t string, titleEnd int) {
	t = trimTitle(string(cl.runes[from:start]))
	titleEnd = end
	if end < len(cl.runes) && unicode.Is(unicode.Han, cl.norm[end]) && !strings.ContainsRune(nounStops, cl.norm[end]) {
		for titleEnd < len(cl.runes) && !isDigit(cl.norm[titleEnd]) && !hasAt(cl.norm, titleEnd, "百分之") && !strings.ContainsRune(nounStops, cl.norm[titleEnd]) && !startsVerb(cl.norm[titleEnd:]) {
			titleEnd++
		}
		t += trimTitle(string(cl.runes[end:titleEnd]))
	}
	if t == "" {
		t = string(cl.runes)
	}
	return t, titleEnd
}

// nounStops end the noun after a number: list joiners.
const nounStops = "、和及与或"

// nounEndVerbs end the noun after a number: what is done to it is not its
// name ("18个市考断面全部实现水质稳定达标").
var nounEndVerbs = []string{"全部", "全面", "达到", "完成", "建成", "纳入", "通过"}

func startsVerb(s []rune) bool {
	for _, w := range nounEndVerbs {
		if hasAt(s, 0, w) {
			return true
		}
	}
	return false
}

// startsCue reports whether an after-cue or hedge starts s.
func startsCue(s []rune) bool {
	for _, cu := range afterCues {
		if hasAt(s, 0, cu.word) {
			return true
		}
	}
	for _, w := range approxAfter {
		if hasAt(s, 0, w) {
			return true
		}
	}
	return false
}

// trimTitle drops lead words, list joiners and leftover cue words from
// both ends of a title.
func trimTitle(s string) string {
	for {
		before := s
		s = strings.TrimFunc(s, func(r rune) bool {
			return unicode.IsSpace(r) || strings.ContainsRune("、和及与或的", r)
		})
		for _, w := range leadWords {
			s = strings.TrimPrefix(s, w)
		}
		// 一是…二是…: enumerations in prose.
		if rs := []rune(s); len(rs) > 2 && rs[1] == '是' {
			if _, ok := chineseDigit[rs[0]]; ok || rs[0] == '十' {
				s = string(rs[2:])
			}
		}
		if rest, ok := strings.CutPrefix(s, "基本"); ok {
			// 基本实现 hedges; 基本公共服务 is a name and stays.
			for _, v := range basicVerbs {
				if strings.HasPrefix(rest, v) {
					s = rest
				}
			}
		}
		for _, cu := range beforeCues {
			s = strings.TrimSuffix(s, cu.word)
		}
		for _, w := range approxBefore {
			s = strings.TrimSuffix(s, w)
		}
		for _, w := range trailWords {
			s = strings.TrimSuffix(s, w)
		}
		if s == before {
			return s
		}
	}
}

// coverage finds full-coverage and zero-growth commitments. Both are often
// quoted ("零增长"), so a quote that holds nothing but the cue counts.
func coverage(cl clause) []Candidate {
	var out []Candidate
	n := cl.norm
	for i := 0; i < len(n); i++ {
		for _, set := range []struct {
			words []string
			dir   plan.Direction
			value float64
		}{
			{zeroGrowth, plan.ZeroGrowth, 0},
			{zeroLevel, plan.AtMost, 0},
			{fullCoverage, plan.AtLeast, 100},
		} {
			for _, w := range set.words {
				if !hasAt(n, i, w) {
					continue
				}
				wl := len([]rune(w))
				if cl.quoted[i] && !quotedExactly(cl, i, i+wl) {
					continue
				}
				skip := false
				for _, nw := range notFullCoverage {
					if hasAt(n, i, nw) {
						skip = true
					}
				}
				if skip {
					continue
				}
				c := Candidate{
					Kind: plan.Quantity, Direction: set.dir, Value: set.value,
					Text: w, pos: i, Approximate: cl.hedge >= 0 && cl.hedge < i,
				}
				switch {
				case set.dir == plan.ZeroGrowth:
					c.Unit, c.UnitEN, c.Aggregation = Placeholder, Placeholder, plan.Sum
				case set.value == 0:
					c.Unit, c.UnitEN, c.Aggregation = Placeholder, Placeholder, plan.Last
				default:
					c.Unit, c.UnitEN, c.Aggregation = "%", "%", plan.Last
				}
				c.Title = trimTitle(strings.Replace(string(cl.runes), string(cl.runes[i:i+wl]), "", 1))
				c.Title = strings.NewReplacer("“”", "", "\"\"", "").Replace(c.Title)
				out = append(out, c)
				i += wl - 1
			}
		}
	}
	return out
}

// quotedExactly reports whether the quote around runes [s, e) holds
// nothing else.
func quotedExactly(cl clause, s, e int) bool {
	if s == 0 || e >= len(cl.runes) {
		return false
	}
	closer, ok := quotePairs[cl.runes[s-1]]
	return ok && cl.runes[e] == closer
}

// milestones finds deliverables in a clause that has no number.
func milestones(cl clause) []Candidate {
	n := cl.norm
	for i := 0; i < len(n); i++ {
		if cl.quoted[i] {
			continue
		}
		for _, mv := range milestoneVerbs {
			if !hasAt(n, i, mv.word) {
				continue
			}
			// Run on through joined verbs: 建成开业, 开业启用, 发布实施.
			end := i + len([]rune(mv.word))
			for again := true; again; {
				again = false
				for _, other := range milestoneVerbs {
					if hasAt(n, end, other.word) {
						end += len([]rune(other.word))
						again = true
					}
				}
			}
			verb := string(cl.runes[i:end])
			for _, w := range wishes {
				if endsAt(n, i, w) {
					// 早开工, 尽快投产: a hope, not a deliverable.
					return nil
				}
			}
			var object, title string
			after := trimTitle(strings.TrimPrefix(string(cl.runes[end:]), "实施"))
			if mv.transitive && after != "" {
				object = after
				title = verb + object
			} else {
				object = trimTitle(string(cl.runes[:i]))
				title = object + verb
			}
			if vagueMilestone(object) {
				return nil
			}
			return []Candidate{{
				Kind: plan.Milestone, Direction: plan.Complete, Aggregation: plan.Max,
				Value: 1, Unit: "项", UnitEN: "milestone", Text: verb, Title: title, pos: i,
			}}
		}
	}
	return nil
}

func vagueMilestone(object string) bool {
	if len([]rune(object)) < 2 || containsAny(object, vagueObjects) {
		return true
	}
	for _, w := range vagueStarts {
		if strings.HasPrefix(object, w) {
			return true
		}
	}
	return false
}
