package plan

import (
	"math"
	"strconv"
)

// FormatNumber writes a figure for people: the status page, reports, the
// command line and messages all use it. It gives the shortest decimal of x
// at 15 significant digits, so binary noise (1.4000000000000001, the sum
// 0.1+0.2) is not shown while every decimal of up to 15 digits, which
// covers any figure up to MaxFigure with two decimals, reads exactly as
// typed. From 10⁻⁶ to below 10²¹ it uses no exponent; −0 is "0". NaN and
// the infinities, which evaluation never produces, read "NaN", "+Inf" and
// "-Inf", so that a message about a bad input names it.
func FormatNumber(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	// A decimal of at most 15 significant digits survives the round trip
	// through float64 (DBL_DIG), so parsing it back gives the double whose
	// shortest form is that decimal.
	r, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 15, 64), 64)
	if err != nil || math.IsInf(r, 0) {
		r = x // rounding up to 15 digits overflowed: x is near MaxFloat64
	}
	if r == 0 {
		return "0" // also for −0
	}
	if a := math.Abs(r); a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(r, 'f', -1, 64)
	}
	return strconv.FormatFloat(r, 'g', -1, 64)
}
