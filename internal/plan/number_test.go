package plan

import (
	"math"
	"testing"
)

func TestFormatNumber(t *testing.T) {
	for _, c := range []struct {
		name string
		x    float64
		want string
	}{
		{"a whole number has no decimals", 42, "42"},
		{"float noise of 14 tenths is dropped", 1.4000000000000001, "1.4"}, // 14·0.1 at run time
		{"the sum 0.1+0.2 is 0.3", 0.30000000000000004, "0.3"},             // 0.1+0.2 at run time
		{"noise below a whole number is dropped", 0.9999999999999999, "1"},
		{"typed decimals are kept exactly", 0.125, "0.125"},
		{"two decimals at the bound are kept", 999999999999.99, "999999999999.99"},
		{"the bound has no exponent", MaxFigure, "1000000000000"},
		{"a third of a hundred shows 15 digits", 100.0 / 3, "33.3333333333333"},
		{"negative zero is zero", math.Copysign(0, -1), "0"},
		{"a negative figure keeps its sign", -2.5, "-2.5"},
		{"a tiny figure has no exponent", 0.000001, "0.000001"},
		{"the smallest subnormal keeps its exponent", 5e-324, "5e-324"},
		{"below a millionth an exponent is used", 1.5e-7, "1.5e-07"},
		{"beyond 1e21 an exponent is used", 1.7e308, "1.7e+308"},
		{"the largest float does not overflow when rounded", math.MaxFloat64, "1.7976931348623157e+308"},
		{"positive infinity is named", math.Inf(1), "+Inf"},
		{"NaN is named", math.NaN(), "NaN"},
	} {
		if got := FormatNumber(c.x); got != c.want {
			t.Errorf("%s: FormatNumber(%v): got %q, want %q", c.name, c.x, got, c.want)
		}
	}
}
