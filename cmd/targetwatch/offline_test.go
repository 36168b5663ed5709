package main

import (
	"errors"
	"testing"
	"time"
)

func TestAsOfClock(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		day       string
		wantFixed bool
		want      string // RFC 3339, when fixed
		wantErr   bool
	}{
		{"a day fixes the clock at noon in the plan's time zone", "2019-10-15", true, "2019-10-15T12:00:00+08:00", false},
		{"no day is the wall clock", "", false, "", false},
		{"a month 13 is a usage error", "2019-13-01", false, "", true},
		{"a day with a time is a usage error", "2019-10-15T08:00", false, "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			now, fixed, err := asOfClock(c.day, shanghai)
			if (err != nil) != c.wantErr {
				t.Fatalf("got error %v, want error %v", err, c.wantErr)
			}
			if err != nil {
				var ee *exitError
				if !errors.As(err, &ee) || ee.code != 2 {
					t.Errorf("got %v, want a usage error (exit 2)", err)
				}
				return
			}
			if fixed != c.wantFixed {
				t.Errorf("got fixed %v, want %v", fixed, c.wantFixed)
			}
			if !fixed {
				if d := time.Since(now()); d < 0 || d > time.Minute {
					t.Errorf("got %v, want the wall clock", now())
				}
				return
			}
			if got := now().Format(time.RFC3339); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}
