package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is one process the benchmark started. Every proc is registered with
// a procs so that it is stopped however the benchmark ends.
type proc struct {
	name    string
	cmd     *exec.Cmd
	started time.Time
	done    chan struct{}

	mu   sync.Mutex
	tail []string // last lines of stderr+stdout, for error messages
	// msgs holds when each distinct slog message (msg=...) was first
	// printed, relative to started: the phases of a start.
	msgs map[string]time.Duration
}

// procs stops every process it started; safe for concurrent use.
type procs struct {
	mu   sync.Mutex
	list []*proc
}

// start runs bin with args. Output goes to a small ring buffer and, when
// logPath is set, to that file.
func (ps *procs) start(name, logPath, bin string, args ...string) (*proc, error) {
	cmd := exec.Command(bin, args...)
	// If the benchmark itself dies without running its deferred cleanup,
	// the kernel still kills the servers it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	pr, pw := io.Pipe()
	var logFile *os.File
	if logPath != "" {
		f, err := os.Create(logPath)
		if err != nil {
			return nil, fmt.Errorf("start %s: %w", name, err)
		}
		logFile = f
	}
	cmd.Stdout = pw
	cmd.Stderr = pw
	p := &proc{name: name, cmd: cmd, done: make(chan struct{}), msgs: map[string]time.Duration{}}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		pw.Close()
		if logFile != nil {
			logFile.Close()
		}
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	ps.mu.Lock()
	ps.list = append(ps.list, p)
	ps.mu.Unlock()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if logFile != nil {
				fmt.Fprintln(logFile, line)
			}
			at := time.Since(p.started)
			msg := logMsg(line)
			p.mu.Lock()
			if _, seen := p.msgs[msg]; msg != "" && !seen {
				p.msgs[msg] = at
			}
			p.tail = append(p.tail, line)
			if len(p.tail) > 20 {
				p.tail = p.tail[1:]
			}
			p.mu.Unlock()
		}
		// Drain whatever a too-long line left behind so the child never
		// blocks writing its output.
		_, _ = io.Copy(io.Discard, pr)
		if logFile != nil {
			logFile.Close()
		}
	}()
	go func() {
		_ = cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	return p, nil
}

// logMsg returns the msg of a slog text line, or "".
func logMsg(line string) string {
	_, rest, ok := strings.Cut(line, " msg=")
	if !ok {
		return ""
	}
	if strings.HasPrefix(rest, `"`) {
		if q, err := strconv.QuotedPrefix(rest); err == nil {
			s, _ := strconv.Unquote(q)
			return s
		}
		return ""
	}
	msg, _, _ := strings.Cut(rest, " ")
	return msg
}

// msgAt returns when msg was first logged, relative to the start.
func (p *proc) msgAt(msg string) (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d, ok := p.msgs[msg]
	return d, ok
}

// pid is the process id.
func (p *proc) pid() int { return p.cmd.Process.Pid }

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// logTail returns the last lines the process printed.
func (p *proc) logTail() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.tail, "\n")
}

// stop sends SIGTERM, waits up to grace, then SIGKILLs. It reports whether
// the process ended on SIGTERM.
func (p *proc) stop(grace time.Duration) bool {
	if p.exited() {
		return true
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return true
	case <-time.After(grace):
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	return false
}

// interrupt sends SIGINT and waits up to grace for the process to end,
// then kills it.
func (p *proc) interrupt(grace time.Duration) {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// stopAll stops every process still running.
func (ps *procs) stopAll() {
	ps.mu.Lock()
	list := ps.list
	ps.list = nil
	ps.mu.Unlock()
	for _, p := range list {
		p.stop(10 * time.Second)
	}
}

// freePort asks the kernel for a free port on 127.0.0.1. Another program
// could take it before the server binds it; on this machine the window is
// small enough, and a failure shows as a clear start error.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls url every few milliseconds until it answers 200, the
// process exits, or timeout passes. It returns the time from the process's
// start to the first 200.
func waitReady(ctx context.Context, p *proc, url string, timeout time.Duration) (time.Duration, error) {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if p.exited() {
			return 0, fmt.Errorf("%s exited before it was ready:\n%s", p.name, p.logTail())
		}
		resp, err := client.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(p.started), nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0, fmt.Errorf("%s not ready at %s within %s:\n%s", p.name, url, timeout, p.logTail())
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// cpuTime is the user+system CPU time a process has used so far.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("read cpu time: %w", err)
	}
	// The command name (field 2) may hold spaces; fields after it are
	// plain numbers.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, errors.New("read cpu time: no command name")
	}
	f := strings.Fields(string(b[i+1:]))
	// utime and stime are fields 14 and 15; f[0] is field 3.
	if len(f) < 13 {
		return 0, errors.New("read cpu time: short stat")
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("read cpu time: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// selfCPU is the CPU time the benchmark itself has used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// memory is a process's resident memory in bytes: now and at its peak.
type memory struct {
	RSS, Peak int64
}

// readMemory reads VmRSS and VmHWM from /proc/PID/status.
func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return memory{}, fmt.Errorf("read memory: %w", err)
	}
	var m memory
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var dst *int64
		switch k {
		case "VmRSS":
			dst = &m.RSS
		case "VmHWM":
			dst = &m.Peak
		default:
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return memory{}, fmt.Errorf("read memory: unexpected %q", line)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return memory{}, fmt.Errorf("read memory: %w", err)
		}
		*dst = n << 10
	}
	if m.RSS == 0 {
		return memory{}, errors.New("read memory: no VmRSS")
	}
	return m, nil
}
