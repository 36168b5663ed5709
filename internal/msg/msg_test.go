package msg

import (
	"testing"

	"github.com/targetwatch/targetwatch/internal/plan"
)

func TestFromAcceptLanguage(t *testing.T) {
	for _, c := range []struct {
		name, header string
		want         Lang
	}{
		{"no header is Chinese, the default", "", Chinese},
		{"zh-CN is Chinese", "zh-CN", Chinese},
		{"zh-TW is Chinese too", "zh-TW,zh;q=0.9", Chinese},
		{"en is English", "en", English},
		{"en-US first, with a weaker zh, is English", "en-US,en;q=0.9,zh;q=0.5", English},
		{"zh first, with a weaker en, is Chinese", "zh-CN,zh;q=0.9,en;q=0.8", Chinese},
		{"a language neither of ours is Chinese", "fr-FR", Chinese},
		{"French first, English second is English", "fr;q=1,en;q=0.5", English},
		{"a malformed header is Chinese", ";;;==", Chinese},
		{"a wildcard is Chinese", "*", Chinese},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := FromAcceptLanguage(c.header); got != c.want {
				t.Errorf("FromAcceptLanguage(%q) = %s, want %s", c.header, got, c.want)
			}
		})
	}
}

func TestFromLocale(t *testing.T) {
	for _, c := range []struct {
		name string
		vars map[string]string
		want Lang
	}{
		{"nothing set is Chinese", nil, Chinese},
		{"LANG=zh_CN.UTF-8 is Chinese", map[string]string{"LANG": "zh_CN.UTF-8"}, Chinese},
		{"LANG=en_US.UTF-8 is English", map[string]string{"LANG": "en_US.UTF-8"}, English},
		{"LANG=en is English", map[string]string{"LANG": "en"}, English},
		{"LANG=C names no language: Chinese", map[string]string{"LANG": "C"}, Chinese},
		{"LANG=POSIX names no language: Chinese", map[string]string{"LANG": "POSIX"}, Chinese},
		{"LANG=C.UTF-8 names no language: Chinese", map[string]string{"LANG": "C.UTF-8"}, Chinese},
		{"LC_ALL wins over LANG", map[string]string{"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, Chinese},
		{"LC_MESSAGES wins over LANG", map[string]string{"LC_MESSAGES": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, English},
		{"LC_ALL wins over LC_MESSAGES", map[string]string{"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "zh_CN"}, English},
		{"a language neither of ours is Chinese", map[string]string{"LANG": "fr_FR.UTF-8"}, Chinese},
		{"English-like but not English is Chinese", map[string]string{"LANG": "eo.UTF-8"}, Chinese},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := FromLocale(func(k string) string { return c.vars[k] }); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestSprintf(t *testing.T) {
	for _, c := range []struct {
		name   string
		lang   Lang
		format string
		args   []any
		want   string
	}{
		{"English is the id itself", English, "unknown target %q", []any{"water-2025"}, `unknown target "water-2025"`},
		{"Chinese comes from the catalog, the id unchanged", Chinese, "unknown target %q", []any{"water-2025"}, `没有指标 "water-2025"`},
		{"numbers keep their form: no grouping of 12345", Chinese, "the body is over %d bytes; split the batch", []any{12345}, "请求内容超过 12345 字节; 请分批报送"},
		{"an id the catalog lacks reads in English", Chinese, "no such message %d", []any{7}, "no such message 7"},
		{"an error argument is put into the language too", Chinese, "line %d: %s", []any{3, plan.Errorf(plan.KindInvalid, "value", "must not be negative (only a growth target's figure may be), got %s", "-1")}, "第 3 行: value: 不能为负数 (只有增长率指标可以为负), 实际为 -1"},
		{"a nested msg error is put into the language", Chinese, "--format: %v", []any{Errorf("want zh or en, got %q", "fr")}, `--format: 应为 zh 或 en, 实际为 "fr"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Sprintf(c.lang, c.format, c.args...); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestLocalize(t *testing.T) {
	e := plan.Errorf(plan.KindNotFound, "target", "unknown target %q", "x")
	if got, want := Localize(Chinese, e), `target: 没有指标 "x"`; got != want {
		t.Errorf("Chinese: got %q, want %q", got, want)
	}
	if got, want := Localize(English, e), `target: unknown target "x"`; got != want {
		t.Errorf("English: got %q, want %q", got, want)
	}
	// Logs stay English whatever the reader's language.
	if got, want := e.Error(), `target: unknown target "x"`; got != want {
		t.Errorf("Error(): got %q, want %q", got, want)
	}
	if got, want := Errorf("cannot reach %s: %v", "h:1", "refused").Error(), "cannot reach h:1: refused"; got != want {
		t.Errorf("msg.Error's Error(): got %q, want %q", got, want)
	}
}
