package extract

import (
	"strconv"
)

// chineseDigit maps Chinese digit characters (including the financial and
// colloquial forms plans use) to their value.
var chineseDigit = map[rune]int{
	'零': 0, '〇': 0, '○': 0,
	'一': 1, '二': 2, '两': 2, '三': 3, '四': 4,
	'五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
}

// smallUnit are the multipliers inside a section of four digits.
var smallUnit = map[rune]float64{'十': 10, '百': 100, '千': 1000}

// bigUnit are the multipliers between sections.
var bigUnit = map[rune]float64{'万': 1e4, '亿': 1e8}

func isChineseNumeral(r rune) bool {
	_, d := chineseDigit[r]
	_, s := smallUnit[r]
	_, b := bigUnit[r]
	return d || s || b || r == '点'
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// parseChinese reads a Chinese numeral such as 十二, 两千, 一百零五,
// 三万五千, 十三点五 or the positional 二〇一九. ok is false for strings that
// are not well-formed numerals (十三五, 二三) so that names built from
// numerals are not read as numbers.
func parseChinese(s []rune) (v float64, ok bool) {
	if len(s) == 0 {
		return 0, false
	}
	// Decimal point: integer part as usual, fraction positional.
	for i, r := range s {
		if r == '点' {
			iv, ok := parseChinese(s[:i])
			if !ok || i+1 >= len(s) {
				return 0, false
			}
			frac, scale := 0.0, 0.1
			for _, f := range s[i+1:] {
				d, isD := chineseDigit[f]
				if !isD {
					// 十三点五万: the multiplier applies to the whole.
					if m, isB := bigUnit[f]; isB && f == s[len(s)-1] {
						return (iv + frac) * m, true
					}
					return 0, false
				}
				frac += float64(d) * scale
				scale /= 10
			}
			return iv + frac, true
		}
	}
	// Positional form: only digits, at least two, e.g. 二〇一九 — or a
	// bare run like 二三 that is a list ("二三级"), not a number.
	allDigits := true
	for _, r := range s {
		if _, isD := chineseDigit[r]; !isD {
			allDigits = false
		}
	}
	if allDigits {
		if len(s) == 1 {
			return float64(chineseDigit[s[0]]), true
		}
		hasZero := false
		for _, r := range s {
			if chineseDigit[r] == 0 {
				hasZero = true
			}
		}
		if !hasZero {
			return 0, false
		}
		n := 0.0
		for _, r := range s {
			n = n*10 + float64(chineseDigit[r])
		}
		return n, true
	}

	total, section := 0.0, 0.0
	digit := -1      // pending digit, -1 when none
	lastSmall := 1e9 // the previous small unit, to reject 十百
	lastBig := 0.0   // the previous big unit, for 三万五
	zeroSeen := false
	for _, r := range s {
		if d, isD := chineseDigit[r]; isD {
			if digit >= 0 {
				// Two digits in a row are only valid as 零X (一百零五).
				if digit != 0 {
					return 0, false
				}
			}
			if d == 0 {
				zeroSeen = true
			}
			digit = d
			continue
		}
		if m, isS := smallUnit[r]; isS {
			if m >= lastSmall {
				return 0, false
			}
			if digit < 0 {
				// 十二 means 一十二; a bare 百 or 千 is not a numeral here
				// (百姓, 千方百计).
				if m != 10 || section != 0 {
					return 0, false
				}
				digit = 1
			}
			if digit == 0 {
				return 0, false
			}
			section += float64(digit) * m
			lastSmall = m
			digit = -1
			zeroSeen = false
			continue
		}
		if m, isB := bigUnit[r]; isB {
			if digit > 0 {
				section += float64(digit)
			}
			if section == 0 && total == 0 {
				return 0, false
			}
			if section == 0 {
				// 亿 after a completed 万 section: 一万亿.
				total *= m
			} else {
				total += section * m
			}
			section, digit, lastSmall, lastBig = 0, -1, 1e9, m
			zeroSeen = false
			continue
		}
		return 0, false
	}
	if digit > 0 {
		// A trailing digit after a unit with no 零 abbreviates the next
		// position: 三万五 = 35000, 两千五 = 2500.
		switch {
		case zeroSeen:
			section += float64(digit)
		case lastSmall < 1e9:
			section += float64(digit) * lastSmall / 10
		case lastBig > 0:
			section += float64(digit) * lastBig / 10
		default:
			section += float64(digit)
		}
	}
	return total + section, true
}

// parseArabic reads digits with an optional decimal part and ASCII
// thousands separators ("1,200").
func parseArabic(s string) (float64, bool) {
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != ',' {
			clean = append(clean, s[i])
		}
	}
	v, err := strconv.ParseFloat(string(clean), 64)
	return v, err == nil
}

// formatValue prints a goal without float noise: 135000, 13.5, 0.7.
func formatValue(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// roundValue drops the binary noise of decimal arithmetic (2.3亿 is
// 230000000, not 229999999.99999997): plans state at most a few
// significant digits.
func roundValue(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		return v
	}
	return r
}
