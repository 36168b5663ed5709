// Command targetwatch tracks the numeric commitments of a government work
// plan: it validates targets.yaml, takes bureaus' monthly figures over HTTP,
// exports progress as Prometheus metrics and generates dashboards.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/targetwatch/targetwatch/internal/msg"
)

// command is one subcommand. run gets the arguments after the command name.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch of the outside world, so tests can run
// commands in-process.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// lang is the --lang given to the command; "" until then.
	lang msg.Lang
	// self runs this program as a child process (serve checks a plan in
	// one); nil when the program is not a standalone binary, as in tests
	// that call run directly.
	self func(ctx context.Context, args ...string) *exec.Cmd
}

// language is the language of every message printed to a clerk: the
// command's --lang, else the locale (LC_ALL, LC_MESSAGES, LANG), else
// Chinese. Write such messages with msg.Fprintf(w, e.language(), ...) and
// usageError, whose English formats are the catalog's ids.
func (e *env) language() msg.Lang {
	if e.lang != "" {
		return e.lang
	}
	return msg.FromLocale(e.getenv)
}

// langValue is the --lang flag every command has.
type langValue struct {
	e   *env
	set string
}

func (v *langValue) String() string { return v.set }

func (v *langValue) Set(s string) error {
	l, ok := msg.ParseLang(s)
	if !ok {
		return msg.Errorf("want zh or en, got %q", s)
	}
	v.e.lang, v.set = l, s
	return nil
}

// langFlag adds --lang to fs and returns the value given, "" when none.
// parseFlags adds it to commands that do not.
func langFlag(fs *flag.FlagSet, e *env, usage string) *string {
	v := &langValue{e: e}
	fs.Var(v, "lang", usage)
	return &v.set
}

// docLangFlag is --lang for a command that writes a document (report,
// template): the document is Chinese unless --lang says otherwise, whatever
// the locale, while messages follow language().
func docLangFlag(fs *flag.FlagSet, e *env, usage string) *string {
	v := &langValue{e: e, set: "zh"}
	fs.Var(v, "lang", usage)
	return &v.set
}

// commands is filled by the cmd_*.go files, one per subcommand.
var commands = map[string]command{}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if exe, err := os.Executable(); err == nil {
		e.self = func(ctx context.Context, args ...string) *exec.Cmd { return exec.CommandContext(ctx, exe, args...) }
	}
	code := run(ctx, e, os.Args[1:])
	stop()
	os.Exit(code)
}

// Exit statuses, so a script can tell what to do next: fix the data (1),
// fix the command line (2), or try again later (3).
const (
	exitRefused     = 1 // the server refused, or another failure
	exitUsage       = 2 // a bad command line or value, found before sending
	exitUnavailable = 3 // the server could not be reached or answered 5xx
)

// exitError carries a specific exit code; any other error exits 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks a bad command line: exit 2. format is a message id.
func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: msg.Errorf(format, args...)}
}

func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			if _, ok := commands[args[1]]; ok {
				return run(ctx, e, []string{args[1], "-h"})
			}
		}
		printUsage(e.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		msg.Fprintf(e.stderr, e.language(), "targetwatch: unknown command %q (see 'targetwatch help')\n", args[0])
		return 2
	}
	err := c.run(ctx, e, args[1:])
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	code := exitRefused
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		if ee == err {
			err = ee.err
		}
	}
	// One readable line; multi-line reports (check) print their own detail.
	fmt.Fprintf(e.stderr, "targetwatch %s: %s\n", args[0], strings.TrimSpace(msg.Localize(e.language(), err)))
	return code
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "targetwatch tracks the numeric commitments of a government work plan.")
	fmt.Fprintln(w, "\nUsage: targetwatch COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'targetwatch COMMAND -h' for the flags of a command.")
	fmt.Fprintln(w, "\nExit status: 0 success; 1 failure, told on stderr: for the commands that talk to a")
	fmt.Fprintln(w, "server (submit, import, template, report --server) the server refused, its reasons")
	fmt.Fprintln(w, "one per line; 2 a bad command line or value, found before anything was sent; 3 the")
	fmt.Fprintln(w, "server could not be reached or answered 5xx, worth retrying. backup: 1 failure,")
	fmt.Fprintln(w, "2 a bad command line, an existing --out included.")
}

// newFlagSet returns a flag set that reports errors instead of exiting.
// Parse errors become one line from run; usage is printed only for -h.
func newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name+" "+usage, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args; -h prints the usage to stderr, any other flag
// error becomes a usage error (exit 2).
func parseFlags(e *env, fs *flag.FlagSet, args []string) error {
	if fs.Lookup("lang") == nil {
		langFlag(fs, e, "`LANGUAGE` of the messages: zh or en (default from LC_ALL, LC_MESSAGES or LANG, else zh)")
	}
	err := fs.Parse(args)
	if err == nil {
		return nil
	}
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(e.stderr)
		fmt.Fprintf(e.stderr, "Usage: targetwatch %s\n\nFlags:\n", fs.Name())
		fs.PrintDefaults()
		return err
	}
	// The flag package's two common complaints, in the clerk's language.
	if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: "); ok {
		return usageError("unknown flag %s (see 'targetwatch %s -h')", name, strings.Fields(fs.Name())[0])
	}
	if name, ok := strings.CutPrefix(err.Error(), "flag needs an argument: "); ok {
		return usageError("flag %s needs a value", name)
	}
	return usageError("%v", err)
}
