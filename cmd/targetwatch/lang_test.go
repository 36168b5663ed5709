package main

import (
	"strings"
	"testing"
)

// TestMessageLanguage runs the same mistakes, one found before sending and
// one refused by the server, under different locales and --lang: Chinese
// by default and for zh_CN, English for en_US and --lang en. The Chinese
// texts are written here by hand.
func TestMessageLanguage(t *testing.T) {
	db, url := demoServer(t)
	clerk := issueToken(t, db, "--agency", "water-affairs")
	zh := map[string]string{tokenEnv: clerk, "LANG": "zh_CN.UTF-8"}
	en := map[string]string{tokenEnv: clerk, "LANG": "en_US.UTF-8"}
	none := map[string]string{tokenEnv: clerk}
	cLocale := map[string]string{tokenEnv: clerk, "LC_ALL": "C", "LANG": "en_US.UTF-8"}
	refused := []string{"submit", "--server", url, "no-such-target", "2019-10", "3"}
	noServer := []string{"submit", "sewer-pipes-built", "2019-10", "3"}
	for _, c := range []struct {
		name string
		vars map[string]string
		args []string
		code int
		want string
	}{
		{"LANG=zh_CN.UTF-8: the server's refusal in Chinese", zh, refused, 1,
			`targetwatch submit: id: 没有指标 "no-such-target" (HTTP 404)`},
		{"LANG=en_US.UTF-8: the same in English", en, refused, 1,
			`targetwatch submit: id: unknown target "no-such-target" (HTTP 404)`},
		{"--lang en wins over LANG=zh_CN.UTF-8", zh, append([]string{"submit", "--lang", "en"}, refused[1:]...), 1,
			`targetwatch submit: id: unknown target "no-such-target" (HTTP 404)`},
		{"--lang zh wins over LANG=en_US.UTF-8", en, append([]string{"submit", "--lang", "zh"}, refused[1:]...), 1,
			`targetwatch submit: id: 没有指标 "no-such-target" (HTTP 404)`},
		{"no locale at all: Chinese", none, refused, 1,
			`targetwatch submit: id: 没有指标 "no-such-target" (HTTP 404)`},
		{"LC_ALL=C names no language and wins over LANG: Chinese", cLocale, refused, 1,
			`targetwatch submit: id: 没有指标 "no-such-target" (HTTP 404)`},
		{"LANG=zh_CN.UTF-8: a usage error in Chinese", zh, noServer, 2,
			"targetwatch submit: 缺少 --server"},
		{"LANG=en_US.UTF-8: the usage error in English", en, noServer, 2,
			"targetwatch submit: --server is required"},
		{"--lang en: the usage error in English", zh, append([]string{"submit", "--lang", "en"}, noServer[1:]...), 2,
			"targetwatch submit: --server is required"},
		{"an unknown flag in Chinese", zh, []string{"submit", "--sever", url}, 2,
			"targetwatch submit: 没有参数 -sever (见 'targetwatch submit -h')"},
		{"an unknown flag in English", en, []string{"submit", "--sever", url}, 2,
			"targetwatch submit: unknown flag -sever (see 'targetwatch submit -h')"},
		{"a flag without its value in Chinese", zh, []string{"submit", "--server"}, 2,
			"targetwatch submit: 参数 -server 需要一个值"},
		{"an unknown command in Chinese", zh, []string{"sumbit"}, 2,
			`targetwatch: 没有命令 "sumbit" (见 'targetwatch help')`},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := cliEnv(t, c.vars, c.args...)
			if code != c.code || strings.TrimSpace(stderr) != c.want {
				t.Errorf("got exit %d and\n%s\nwant exit %d and\n%s", code, stderr, c.code, c.want)
			}
		})
	}
	// What a clerk reads when the figure is stored: Chinese by default.
	code, stdout, _ := cliEnv(t, none, "submit", "--server", url, "sewer-pipes-built", "2019-10", "1.50")
	if want := "sewer-pipes-built 2019-10 = 1.5: 已保存 (第 1 版)\n"; code != 0 || stdout != want {
		t.Errorf("stored, Chinese: got exit %d and %q, want 0 and %q", code, stdout, want)
	}
	code, stdout, _ = cliEnv(t, en, "submit", "--server", url, "sewer-pipes-built", "2019-10", "1.5")
	if want := "sewer-pipes-built 2019-10 = 1.5: unchanged (same as the current figure) (revision 1)\n"; code != 0 || stdout != want {
		t.Errorf("unchanged, English: got exit %d and %q, want 0 and %q", code, stdout, want)
	}
}
