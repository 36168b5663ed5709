package planfile

import (
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// source is the plan document the quotes come from, split into its
// numbered items so a quote can be checked against the item it claims.
type source struct {
	text  string
	items map[string]string // item number → its text, heading line included
	order []string          // item numbers in document order
}

// headingPattern finds an item heading: a number of at most three digits
// per level ("4.6", "10.2", "1.") right before the item's text. The digit
// limit keeps years ("2019年") and hotlines ("12345市民热线") out.
var headingPattern = regexp.MustCompile(`^\s*([0-9]{1,3}(?:\.[0-9]{1,3})*)(?:[.、．\s]|\p{Han})`)

// sectionPattern finds a chapter heading such as "二、推动经济实现高质量发展",
// which ends the item before it.
var sectionPattern = regexp.MustCompile(`^\s*[一二三四五六七八九十]+、`)

// newSource reads a plan document in UTF-8 or, failing that, GB18030, the
// two encodings Chinese government documents come in.
func newSource(data []byte) (*source, error) {
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || !utf8.Valid(dec) {
			return nil, errors.New("neither UTF-8 nor GB18030 text")
		}
		data = dec
	}
	s := &source{text: strings.TrimPrefix(string(data), "\ufeff"), items: map[string]string{}}
	cur := ""
	for line := range strings.Lines(s.text) {
		if m := headingPattern.FindStringSubmatch(line); m != nil {
			cur = m[1]
			if _, dup := s.items[cur]; !dup {
				s.order = append(s.order, cur)
			}
		} else if sectionPattern.MatchString(line) {
			cur = ""
		}
		if cur != "" {
			s.items[cur] += line
		}
	}
	return s, nil
}

// itemOf returns the first item whose text contains quote, or "".
func (s *source) itemOf(quote string) string {
	for _, it := range s.order {
		if strings.Contains(s.items[it], quote) {
			return it
		}
	}
	return ""
}
