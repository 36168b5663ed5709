// Package msg puts the messages a clerk can meet into the clerk's language.
//
// A message's id is its English fmt format, written as a string literal where
// the message is made: plan.Errorf(kind, field, "unknown target %q", id),
// msg.Errorf("--server is required"), msg.Fprintf(w, lang, "wrote %s\n",
// path) or msg.Key("Not found") for a text kept in a table. English is the
// id itself; the Chinese text of every id is in catalog.go, and a test
// finds every literal in the code and fails when the catalog lacks one or
// holds one no code uses. Logs stay English: plan.Error.Message and
// Error() are never translated.
//
// Arguments are formatted by fmt, not by x/text's printer, so numbers, ids
// and field names read exactly as they were typed (no "1,234" for 1234).
package msg

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message/catalog"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Lang is the language of a message: Chinese (the default) or English.
type Lang string

// Languages.
const (
	Chinese Lang = "zh"
	English Lang = "en"
)

// ParseLang reads an explicit choice (a --lang flag, ?lang=, a cookie):
// "zh" or "en"; ok is false for anything else.
func ParseLang(s string) (l Lang, ok bool) {
	switch s {
	case "zh":
		return Chinese, true
	case "en":
		return English, true
	}
	return Chinese, false
}

var matcher = language.NewMatcher([]language.Tag{language.Chinese, language.English})

// FromAcceptLanguage picks the language of an HTTP answer: English when the
// header's best match is English, Chinese when it is absent, unparsable or
// names neither.
func FromAcceptLanguage(header string) Lang {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return Chinese
	}
	_, i, conf := matcher.Match(tags...)
	if i == 1 && conf != language.No {
		return English
	}
	return Chinese
}

// FromLocale picks the CLI's language from the environment as POSIX does:
// the first of LC_ALL, LC_MESSAGES and LANG that is set decides; "en..."
// (en_US.UTF-8, en_GB, en) is English, anything else, "C" and "POSIX"
// included, is Chinese, the default.
func FromLocale(getenv func(string) string) Lang {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(k)
		if v == "" {
			continue
		}
		if v == "en" || strings.HasPrefix(v, "en_") || strings.HasPrefix(v, "en.") || strings.HasPrefix(v, "en-") {
			return English
		}
		return Chinese
	}
	return Chinese
}

// cat holds every translation; English needs none, its id is its text.
var cat = func() *catalog.Builder {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for id, text := range chinese {
		if err := b.SetString(language.Chinese, id, text); err != nil {
			panic(fmt.Sprintf("msg: catalog entry %q: %v", id, err))
		}
	}
	return b
}()

// format is a catalog renderer that keeps the selected text as a format,
// so that fmt, not x/text, formats the arguments.
type format struct{ s string }

func (f *format) Render(s string)       { f.s += s }
func (f *format) Arg(i int) interface{} { return nil }

// translate returns the format of id in lang, or id when the catalog has
// no translation.
func translate(l Lang, id string) string {
	if l == English {
		return id
	}
	f := &format{}
	if err := cat.Context(language.Chinese, f).Execute(id); err != nil {
		return id
	}
	return f.s
}

// Sprintf formats the message whose id is the English format in lang. An
// argument that is itself a message (an error of this package or a
// *plan.Error) is put into lang first.
func Sprintf(l Lang, format string, args ...any) string {
	loc := make([]any, len(args))
	for i, a := range args {
		loc[i] = a
		if err, ok := a.(error); ok && localizable(err) {
			loc[i] = Localize(l, err)
		}
	}
	return fmt.Sprintf(translate(l, format), loc...)
}

// Fprintf writes the message in lang to w.
func Fprintf(w io.Writer, l Lang, format string, args ...any) (int, error) {
	return io.WriteString(w, Sprintf(l, format, args...))
}

// Key marks a literal kept in a table (a problem title, say) as a message
// id, so that the catalog test finds it; it returns s unchanged.
func Key(s string) string { return s }

// Error is an error whose text can be put into the reader's language. Its
// Error() is English, for logs.
type Error struct {
	Format string
	Args   []any
}

// Errorf builds an *Error; format must be a string literal (it is the id).
func Errorf(format string, args ...any) *Error {
	return &Error{Format: format, Args: args}
}

func (e *Error) Error() string { return Sprintf(English, e.Format, e.Args...) }

func localizable(err error) bool {
	switch e := err.(type) {
	case *Error:
		return true
	case *plan.Error:
		return e.Format != ""
	}
	return false
}

// Localize returns the text of err in lang: a *plan.Error as "field:
// message" with the field name as it is, an *Error translated, and any
// other error as its (English) Error().
func Localize(l Lang, err error) string {
	switch e := err.(type) {
	case *Error:
		return Sprintf(l, e.Format, e.Args...)
	case *plan.Error:
		if e.Format == "" {
			return e.Error()
		}
		m := Sprintf(l, e.Format, e.Args...)
		if e.Field == "" {
			return m
		}
		return e.Field + ": " + m
	}
	return err.Error()
}
