package testenv

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestLogBufferTail(t *testing.T) {
	for _, c := range []struct {
		name, written string
		n             int
		want          string
	}{
		{"output shorter than n is kept whole", "abc", 5, "abc"},
		{"output longer than n keeps its end, marked as cut", "0123456789", 4, "...6789"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b LogBuffer
			b.Write([]byte(c.written))
			if got := b.Tail(c.n); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestFreeAddrCanBeListenedOn(t *testing.T) {
	addr := FreeAddr(t)
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("got %q, want 127.0.0.1:PORT", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s: got %v, want a free port", addr, err)
	}
	l.Close()
}

// The cleanup of StartProcess must stop the program with the test, so no
// Prometheus outlives the test that started it.
func TestStartProcessStopsTheProgramWithTheTest(t *testing.T) {
	sh := LookPath(t, "sh")
	var p *Program
	t.Run("started", func(t *testing.T) {
		p = StartProcess(t, "sh", sh, "-c", "echo started; exec sleep 60")
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(p.Log.String(), "started") {
			if time.Now().After(deadline) {
				t.Fatalf("got output %q, want started", p.Log.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
	select {
	case <-p.done:
	default:
		t.Fatal("the program still runs after its test ended")
	}
	if st := p.Cmd.ProcessState; st == nil || st.Exited() {
		t.Errorf("got state %v, want ended by SIGTERM", st)
	}
}

func TestWaitReadyFailsWhenTheProgramExits(t *testing.T) {
	sh := LookPath(t, "sh")
	addr := FreeAddr(t) // nothing will ever listen there
	ft := &fakeT{TB: t}
	p := StartProcess(t, "sh", sh, "-c", "echo bye; exit 3")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.WaitReady(ctx, ft, "http://"+addr+"/-/ready")
	}()
	<-done
	if !strings.Contains(ft.msg, "sh exited before") || !strings.Contains(ft.msg, "bye") {
		t.Errorf("got failure %q, want one saying sh exited, with its output", ft.msg)
	}
	if ctx.Err() != nil {
		t.Error("WaitReady waited for the deadline, want it to stop when the program exits")
	}
}

// fakeT records a Fatalf and ends the goroutine as testing.T would.
type fakeT struct {
	testing.TB
	msg string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestSkipShortRespectsRequirement(t *testing.T) {
	for _, c := range []struct {
		name    string
		short   bool
		require string
		want    bool
	}{
		{"a full run never skips", false, "", false},
		{"-short skips when end-to-end tests are not required", true, "", true},
		{"-short does not skip when they are required", true, "1", false},
		{"a required full run does not skip", false, "1", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := skipShort(c.short, c.require); got != c.want {
				t.Errorf("skipShort(%v, %q) = %v, want %v", c.short, c.require, got, c.want)
			}
		})
	}
}
