package extract

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Decode returns the text of a plan document given in UTF-8 (with or
// without a byte order mark) or GB18030, the two encodings Chinese
// government sites publish in. Line endings become "\n".
func Decode(b []byte) (string, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		d, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		if err != nil {
			return "", fmt.Errorf("decode: neither UTF-8 nor GB18030: %w", err)
		}
		if !utf8.Valid(d) || bytes.ContainsRune(d, utf8.RuneError) {
			return "", errors.New("decode: neither UTF-8 nor GB18030")
		}
		b = d
	}
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n"), nil
}

// Item is one numbered part of a plan: a chapter (一、), a section (（一）)
// or a task (1. / 10.2), with the text that follows its number up to the
// next numbered line.
type Item struct {
	// Label is the item number as targets.yaml refers to it, in Arabic
	// digits: "10.2"; or a path such as "2.3" (二、… 3.) when plain numbers
	// restart in each chapter.
	Label string
	// Line is the 1-based line of the item's number in the document.
	Line int
	// Text is the item's text without its number: verbatim from the
	// document, from after the number to the end of the item's last
	// non-blank line, blank lines inside it included.
	Text string

	// heading marks a chapter or section (一、, （一）): its first line is
	// a title, not a task.
	heading bool
}

// headingStyle is one way of numbering a line. Chinese official documents
// nest them in a fixed order: 一、 then （一） then 1. then （1）; plans like
// the seed use 1. then 1.1.
type headingStyle struct {
	name  string
	level int
	re    *regexp.Regexp
}

var headingStyles = []headingStyle{
	// 10.2 / 1.1.3: dotted numbers, the style of the seed plan. No trailing
	// punctuation is required ("1.1主动复制…").
	{"dotted", 2, regexp.MustCompile(`^(\d{1,3}(?:[.．]\d{1,3})+)[.．、]?\s*`)},
	// 1. / 1、 / 1．
	{"arabic", 2, regexp.MustCompile(`^(\d{1,3})[.．、]\s*`)},
	// 一、
	{"chinese", 0, regexp.MustCompile(`^([一二三四五六七八九十]{1,3})、\s*`)},
	// （一） / (一)
	{"section", 1, regexp.MustCompile(`^[（(]([一二三四五六七八九十]{1,3})[）)]\s*`)},
	// （1） / (1)
	{"paren", 9, regexp.MustCompile(`^[（(](\d{1,3})[）)]\s*`)},
}

// heading matches a numbered line and returns its style, nesting level,
// label and the length in bytes of the numbering to strip.
func heading(line string) (style string, level int, label string, n int, ok bool) {
	for _, h := range headingStyles {
		m := h.re.FindStringSubmatchIndex(line)
		if m == nil {
			continue
		}
		label := strings.ReplaceAll(line[m[2]:m[3]], "．", ".")
		style, level := h.name, h.level
		switch style {
		case "dotted":
			if rest := []rune(line[m[3]:]); len(rest) > 0 && (strings.ContainsRune("月日号年万亿千百十", rest[0]) || startsAnyUnit(rest)) {
				// "1.6月底前", "1.5万平方米": item 1 followed by a number.
				continue
			}
			// 1.1 sits below 1., and 1.1.1 below 1.1.
			depth := strings.Count(label, ".")
			style += fmt.Sprint(depth)
			level += depth
		case "chinese", "section":
			// targets.yaml numbers items in Arabic digits: 二 → 2.
			v, ok := parseChinese([]rune(label))
			if !ok {
				continue
			}
			label = strconv.Itoa(int(v))
		}
		return style, level, label, m[1], true
	}
	return "", 0, "", 0, false
}

// Split cuts a document into items. Text before the first numbered line is
// item "0". An item whose number repeats among the items of its style
// (plain numbers that restart in each chapter) is labelled with as many
// enclosing numbers as make it unique: "2.3" for task 3 of chapter 二.
func Split(text string) []Item {
	type raw struct {
		style string
		path  []string
		line  int
		text  []string
	}
	var (
		items   []raw
		stack   []string                         // labels of the enclosing headings, by level
		blank   []string                         // blank lines since the last line of text
		levelOf = map[string]int{"preamble": -1} // style → nesting level
	)
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimLeft(line, " \t\u3000")
		style, lvl, label, n, ok := heading(trimmed)
		if !ok {
			if strings.TrimSpace(line) == "" {
				blank = append(blank, line)
				continue
			}
			if len(items) == 0 {
				items = append(items, raw{style: "preamble", path: []string{"0"}, line: i + 1})
				blank = nil
			}
			last := &items[len(items)-1]
			// Blank lines inside an item stay, so that the item's text,
			// and every clause quoted from it, is verbatim in the document.
			last.text = append(last.text, blank...)
			last.text = append(last.text, line)
			blank = nil
			continue
		}
		blank = nil
		if lvl < len(stack) {
			stack = stack[:lvl]
		}
		for len(stack) < lvl {
			stack = append(stack, "")
		}
		stack = append(stack, label)
		var path []string
		for _, l := range stack {
			if l == "" {
				continue
			}
			// A dotted label names its parents: 1.1 under 1 is 1.1, not 1.1.1.
			if n := len(path); n > 0 && strings.HasPrefix(l, path[n-1]+".") {
				path = path[:n-1]
			}
			path = append(path, l)
		}
		levelOf[style] = lvl
		items = append(items, raw{style: style, path: path, line: i + 1, text: []string{trimmed[n:]}})
	}

	// Every item of a style is labelled with the same number of enclosing
	// numbers: the fewest that tell all of them apart. Where plain numbers
	// restart in each chapter, every task reads "chapter.task" ("2.5"),
	// not only the ones that happen to repeat.
	depth := map[string]int{}
	for _, it := range items {
		depth[it.style] = 1
	}
	label := func(it raw, k int) string {
		k = min(k, len(it.path))
		return strings.Join(it.path[len(it.path)-k:], ".")
	}
	for style := range depth {
		for k := 1; ; k++ {
			seen, unique, longest := map[string]bool{}, true, 0
			for _, it := range items {
				if it.style != style {
					continue
				}
				longest = max(longest, len(it.path))
				l := label(it, k)
				unique = unique && !seen[l]
				seen[l] = true
			}
			if unique || k >= longest {
				depth[style] = k
				break
			}
		}
	}

	// Labels of different styles must not meet either: a chapter 一 whose
	// introduction states targets would be item 1 like task 1. The
	// shallower style yields: it takes more enclosing numbers if it has
	// any, or else ".0", the introduction before the chapter's first task
	// ("1.0").
	intro := map[string]bool{}
	final := func(it raw) string {
		l := label(it, depth[it.style])
		if intro[it.style] {
			l += ".0"
		}
		return l
	}
	styles := make([]string, 0, len(depth))
	for st := range depth {
		styles = append(styles, st)
	}
	sort.Slice(styles, func(i, j int) bool {
		if levelOf[styles[i]] != levelOf[styles[j]] {
			return levelOf[styles[i]] < levelOf[styles[j]]
		}
		return styles[i] < styles[j]
	})
	for _, st := range styles {
		for {
			others := map[string]bool{}
			longest := 0
			for _, it := range items {
				if it.style != st {
					others[final(it)] = true
				} else {
					longest = max(longest, len(it.path))
				}
			}
			collide := false
			for _, it := range items {
				if it.style == st && others[final(it)] {
					collide = true
				}
			}
			if !collide || intro[st] {
				break
			}
			if depth[st] < longest {
				depth[st]++
			} else {
				intro[st] = true
			}
		}
	}
	out := make([]Item, 0, len(items))
	for _, it := range items {
		out = append(out, Item{Label: final(it), Line: it.line, Text: strings.Join(it.text, "\n"), heading: it.style == "chinese" || it.style == "section"})
	}
	return out
}
