package extract

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
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
	// Text is the item's text without its number, lines joined by "\n".
	Text string
}

// headingStyle is one way of numbering a line; the first style the
// document uses is the top level, the next new one the level below.
type headingStyle struct {
	name string
	re   *regexp.Regexp
}

var headingStyles = []headingStyle{
	// 10.2 / 1.1.3: dotted numbers, the style of the seed plan. No trailing
	// punctuation is required ("1.1主动复制…").
	{"dotted", regexp.MustCompile(`^(\d{1,3}(?:[.．]\d{1,3})+)[.．、]?\s*`)},
	// 1. / 1、 / 1．
	{"arabic", regexp.MustCompile(`^(\d{1,3})[.．、]\s*`)},
	// 一、
	{"chinese", regexp.MustCompile(`^([一二三四五六七八九十]{1,3})、\s*`)},
	// （一） / (一)
	{"section", regexp.MustCompile(`^[（(]([一二三四五六七八九十]{1,3})[）)]\s*`)},
	// （1） / (1)
	{"paren", regexp.MustCompile(`^[（(](\d{1,3})[）)]\s*`)},
}

// heading matches a numbered line and returns its style, label and the
// length in bytes of the numbering to strip.
func heading(line string) (style, label string, n int, ok bool) {
	for _, h := range headingStyles {
		m := h.re.FindStringSubmatchIndex(line)
		if m == nil {
			continue
		}
		label := strings.ReplaceAll(line[m[2]:m[3]], "．", ".")
		style := h.name
		switch style {
		case "dotted":
			// Depth is part of the style: 1.1 and 1.1.1 are different levels.
			style += fmt.Sprint(strings.Count(label, "."))
		case "chinese", "section":
			// targets.yaml numbers items in Arabic digits: 二 → 2.
			v, ok := parseChinese([]rune(label))
			if !ok {
				continue
			}
			label = strconv.Itoa(int(v))
		}
		return style, label, m[1], true
	}
	return "", "", 0, false
}

// Split cuts a document into items. Text before the first numbered line is
// item "0". An item whose number repeats elsewhere (plain numbers that
// restart in each chapter) is labelled with as many enclosing numbers as
// make it unique: "2.3" for task 3 of chapter 二.
func Split(text string) []Item {
	type raw struct {
		path []string
		line int
		text []string
	}
	var (
		items  []raw
		levels = map[string]int{} // style → level, in order of first use
		stack  []string           // labels of the enclosing headings
	)
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimLeft(line, " \t\u3000")
		style, label, n, ok := heading(trimmed)
		if !ok {
			if strings.TrimSpace(line) == "" {
				continue
			}
			if len(items) == 0 {
				items = append(items, raw{path: []string{"0"}, line: i + 1})
			}
			last := &items[len(items)-1]
			last.text = append(last.text, line)
			continue
		}
		lvl, seen := levels[style]
		if !seen {
			lvl = len(levels)
			levels[style] = lvl
		}
		if lvl < len(stack) {
			stack = stack[:lvl]
		}
		for len(stack) < lvl {
			stack = append(stack, "")
		}
		stack = append(stack, label)
		path := make([]string, 0, len(stack))
		for _, l := range stack {
			if l != "" {
				path = append(path, l)
			}
		}
		items = append(items, raw{path: path, line: i + 1, text: []string{trimmed[n:]}})
	}

	// Shortest unique suffix of each path.
	count := map[string]int{}
	for _, it := range items {
		for k := 1; k <= len(it.path); k++ {
			count[strings.Join(it.path[len(it.path)-k:], ".")]++
		}
	}
	out := make([]Item, 0, len(items))
	for _, it := range items {
		label := strings.Join(it.path, ".")
		for k := 1; k <= len(it.path); k++ {
			s := strings.Join(it.path[len(it.path)-k:], ".")
			if count[s] == 1 {
				label = s
				break
			}
		}
		out = append(out, Item{Label: label, Line: it.line, Text: strings.Join(it.text, "\n")})
	}
	return out
}
