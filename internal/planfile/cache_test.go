package planfile

import (
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// fill sets every field reachable from v to a value that differs from its
// zero value and from its neighbours, so a field the cache forgets to write
// comes back zero and fails the comparison.
func fill(t *testing.T, v reflect.Value, loc *time.Location, n *int) {
	t.Helper()
	*n++
	switch v.Type() {
	case reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Date(2019, time.Month(*n%12+1), *n%28+1, 0, 0, 0, 0, loc)))
		return
	case reflect.TypeFor[*time.Location]():
		v.Set(reflect.ValueOf(loc))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("值" + strings.Repeat("x", *n))
	case reflect.Int:
		v.SetInt(int64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.25)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range v.Len() {
			fill(t, v.Index(i), loc, n)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				t.Fatalf("%s.%s is unexported: the cache cannot see it", v.Type(), v.Type().Field(i).Name)
			}
			fill(t, v.Field(i), loc, n)
		}
	default:
		t.Fatalf("fill: no rule for %s (%s): teach the cache and this test about it", v.Type(), v.Kind())
	}
}

// Every field of the plan model survives the cache, so adding a field to
// plan.Plan without teaching the cache fails here rather than silently
// dropping it on a restart.
func TestCacheCodecEveryField(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	var want plan.Plan
	n := 0
	fill(t, reflect.ValueOf(&want).Elem(), loc, &n)
	want.Timezone = loc.String()

	var w writer
	if err := w.plan(&want); err != nil {
		t.Fatal(err)
	}
	got, err := decodePlan(&reader{s: string(w.b)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, &want) {
		t.Errorf("decoded plan differs:\n got %+v\nwant %+v", got, &want)
	}

	// nil and empty slices stay apart, and zero times stay zero.
	want.Agencies, want.Ignored, want.Targets[0].Trajectory, want.Targets[1].Due = nil, []plan.Ignored{}, []plan.Point{}, time.Time{}
	w = writer{}
	if err := w.plan(&want); err != nil {
		t.Fatal(err)
	}
	if got, err = decodePlan(&reader{s: string(w.b)}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, &want) {
		t.Errorf("nil/empty/zero: decoded plan differs:\n got %+v\nwant %+v", got, &want)
	}

	// Every truncation is an error, never a panic or a shorter plan,
	// even one the checksum did not catch.
	for i := range len(w.b) {
		if _, err := decodePlan(&reader{s: string(w.b[:i])}); err == nil {
			t.Fatalf("decoding %d of %d bytes: no error", i, len(w.b))
		}
	}
}

// cacheDir copies the repository's targets.yaml and its source document
// into a temporary directory, where the tests may change them.
func cacheDir(t *testing.T) (targets, cache string) {
	t.Helper()
	dir := t.TempDir()
	for _, rel := range []string{"targets.yaml", "seeds/000_6318302602e1007d.txt"} {
		data, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "targets.yaml"), filepath.Join(dir, "data", "targetwatch.db.plancache")
}

func loadCached(t *testing.T, targets, cache string) (*plan.Plan, CacheInfo) {
	t.Helper()
	p, info, err := LoadCached(targets, cache)
	if err != nil {
		t.Fatalf("LoadCached: %v", err)
	}
	if info.WriteErr != nil {
		t.Fatalf("LoadCached: writing the cache: %v", info.WriteErr)
	}
	return p, info
}

// editFile replaces old with new in file, once.
func editFile(t *testing.T, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", file, old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadCached(t *testing.T) {
	targets, cache := cacheDir(t)
	if err := os.MkdirAll(filepath.Dir(cache), 0o755); err != nil {
		t.Fatal(err)
	}
	want, err := Load(targets)
	if err != nil {
		t.Fatal(err)
	}

	if p, info, err := ReadCached(targets, cache); err != nil || p != nil || info.Hit || info.Miss != "no cache file yet" {
		t.Fatalf("ReadCached without a cache: got %v %+v %v, want a miss", p != nil, info, err)
	}
	if _, err := os.Stat(cache); !os.IsNotExist(err) {
		t.Fatalf("ReadCached wrote a cache file (%v)", err)
	}
	p, info := loadCached(t, targets, cache)
	if info.Hit || info.Miss != "no cache file yet" {
		t.Fatalf("first load: got %+v, want a miss for want of a cache file", info)
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatal("first load: plan differs from Load's")
	}
	if p, info, err := ReadCached(targets, cache); err != nil || !info.Hit || !reflect.DeepEqual(p, want) {
		t.Fatalf("ReadCached after LoadCached: got %+v %v, want a hit with Load's plan", info, err)
	}
	p, info = loadCached(t, targets, cache)
	if !info.Hit {
		t.Fatalf("second load: got %+v, want a hit", info)
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatal("cached plan differs from Load's")
	}
	if p.Targets[0].Due.Location() != p.Location || p.Start.Location() != p.Location {
		t.Error("cached times are not in the plan's location")
	}

	// A change to either file is seen, and the cache follows it.
	editFile(t, targets, "title: 上海市嘉定区", "title: 修订 上海市嘉定区")
	p, info = loadCached(t, targets, cache)
	if info.Hit || info.Miss != "the targets file changed" || !strings.HasPrefix(p.Title, "修订 ") {
		t.Fatalf("after editing targets.yaml: got %+v, title %q", info, p.Title)
	}
	if _, info = loadCached(t, targets, cache); !info.Hit {
		t.Fatalf("after rewriting: got %+v, want a hit", info)
	}
	source := filepath.Join(filepath.Dir(targets), "seeds", "000_6318302602e1007d.txt")
	f, err := os.OpenFile(source, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\n附：补充说明。\n")
	f.Close()
	if _, info = loadCached(t, targets, cache); info.Hit || info.Miss != "the source document changed" {
		t.Fatalf("after editing the source: got %+v", info)
	}

	// A damaged cache is noticed and replaced.
	data, err := os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, miss string
		data       []byte
	}{
		{"a flipped byte in the body", "damaged (checksum mismatch)", flip(data, len(data)-100)},
		{"a flipped byte in the key", "damaged (checksum mismatch)", flip(data, len(cacheMagic)+40)},
		{"a flipped byte in the checksum", "damaged (checksum mismatch)", flip(data, len(data)-1)},
		{"cut short", "damaged (checksum mismatch)", data[:len(data)/2]},
		{"another format", "not a cache file of this version", append([]byte("targetwatch plan cache 0\n"), data[len(cacheMagic):]...)},
		{"empty", "not a cache file of this version", nil},
		// What the checksum cannot catch: a file written wrong.
		{"a header cut short, checksum right", "truncated header", resum(data[:len(cacheMagic)+10])},
		{"a plan cut short, checksum right", "damaged: unexpected end of data", resum(data[:len(data)-sha256.Size-1])},
		{"a plan with bytes after it, checksum right", "damaged: 1 bytes after the plan", resum(append(slices.Clone(data[:len(data)-sha256.Size]), 0))},
	} {
		if err := os.WriteFile(cache, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, info = loadCached(t, targets, cache); info.Hit || info.Miss != c.miss {
			t.Errorf("%s: got %+v, want miss %q", c.name, info, c.miss)
		}
		if _, info = loadCached(t, targets, cache); !info.Hit {
			t.Errorf("%s: not repaired: %+v", c.name, info)
		}
	}
}

// resum appends the right checksum to the content of a cache file.
func resum(data []byte) []byte {
	sum := sha256.Sum256(data)
	return append(slices.Clone(data), sum[:]...)
}

func flip(data []byte, i int) []byte {
	out := append([]byte(nil), data...)
	out[i] ^= 0x01
	return out
}

// A cached plan never hides a problem: an invalid targets file is reported
// exactly as Load reports it, and the cache is left alone.
func TestLoadCachedReportsProblems(t *testing.T) {
	targets, cache := cacheDir(t)
	os.MkdirAll(filepath.Dir(cache), 0o755)
	loadCached(t, targets, cache)
	before, err := os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	editFile(t, targets, "timezone: Asia/Shanghai", "timezone: Asia/Shanghia")
	_, _, err = LoadCached(targets, cache)
	_, want := Load(targets)
	var probs Errors
	if !errors.As(err, &probs) || want == nil || err.Error() != want.Error() {
		t.Fatalf("got %v, want Load's %v", err, want)
	}
	after, _ := os.ReadFile(cache)
	if string(after) != string(before) {
		t.Error("a failed load rewrote the cache")
	}
}

// A cache that cannot be written costs speed, not the plan.
func TestLoadCachedUnwritable(t *testing.T) {
	targets, _ := cacheDir(t)
	cache := filepath.Join(t.TempDir(), "no-such-dir", "plancache")
	p, info, err := LoadCached(targets, cache)
	if err != nil || p == nil {
		t.Fatalf("got %v", err)
	}
	if info.Hit || info.WriteErr == nil {
		t.Fatalf("got %+v, want a miss with a write error", info)
	}
}
