package planfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// A plan cache file remembers a validated plan in a compact binary form,
// so a restart does not parse and check a province-sized targets.yaml
// again: 100,000 targets take seconds to parse and milliseconds to decode.
//
// The cache is never the source of truth. It is used only when the
// program, the targets file and the source document are byte for byte the
// ones it was written from (SHA-256 of each, and of its own body); on any
// difference, or anything unreadable, the targets file is parsed and
// checked as usual and the cache rewritten. Deleting it is always safe.

// cacheMagic starts every cache file; the digit is the layout version.
const cacheMagic = "targetwatch plan cache 2\n"

// CacheInfo says how LoadCached used its cache file.
type CacheInfo struct {
	// Hit is set when the plan came from the cache file.
	Hit bool
	// Miss says why the cache was not used ("" on a hit).
	Miss string
	// WriteErr is why the cache could not be written after a miss; the
	// plan itself is fine.
	WriteErr error
}

// LoadCached is Load with a cache in cacheFile (see above). Problems in the
// targets file are reported exactly as Load reports them.
func LoadCached(path, cacheFile string) (*plan.Plan, CacheInfo, error) {
	p, info, err := ReadCached(path, cacheFile)
	if err != nil || info.Hit {
		return p, info, err
	}
	return parseAndCache(path, cacheFile, info)
}

// ReadCached returns the plan from cacheFile when the cache is good for
// the targets file at path, and otherwise only says why not (a nil plan,
// CacheInfo.Miss set): it never parses the targets file. A targets file
// that cannot be read is an error.
func ReadCached(path, cacheFile string) (*plan.Plan, CacheInfo, error) {
	var info CacheInfo
	targets, err := fileSum(path)
	if err != nil {
		return nil, info, fmt.Errorf("read targets: %w", err)
	}
	prog, err := programSum()
	if err != nil {
		info.Miss = "cannot identify the program: " + err.Error()
		return nil, info, nil
	}
	p, miss := readCache(cacheFile, cacheKey{program: prog, targets: targets}, sourcePathFor(path))
	if miss != "" {
		info.Miss = miss
		return nil, info, nil
	}
	info.Hit = true
	return p, info, nil
}

// parseAndCache is LoadCached after a miss: Load, then the cache written.
func parseAndCache(path, cacheFile string, info CacheInfo) (*plan.Plan, CacheInfo, error) {
	sourcePath := sourcePathFor(path)
	prog, progErr := programSum()

	// The key is taken from the very bytes parsed, in case the files
	// change while we read them.
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, info, fmt.Errorf("read targets: %w", err)
	}
	key := cacheKey{program: prog, targets: sha256.Sum256(data)}
	p, err := Parse(path, data, func(rel string) ([]byte, error) {
		b, err := os.ReadFile(sourcePath(rel))
		if err == nil {
			key.sourceRel, key.source = rel, sha256.Sum256(b)
		}
		return b, err
	})
	if err != nil {
		return nil, info, err
	}
	data, err = encodeCache(key, p)
	if err != nil {
		info.WriteErr = err
		return p, info, nil
	}
	if progErr == nil {
		info.WriteErr = writeCache(cacheFile, data)
	}
	// Hand out the plan as a cache hit would: its strings in one block
	// instead of scattered among the parser's garbage, which at 100,000
	// targets keeps 60 MB more resident long after the parse.
	r := &reader{s: string(data[len(cacheMagic) : len(data)-sha256.Size])}
	r.header()
	if compact, err := decodePlan(r); err == nil {
		p = compact
	}
	return p, info, nil
}

// sourcePathFor resolves the source document named in the targets file at
// path, as Load does.
func sourcePathFor(path string) func(rel string) string {
	dir := filepath.Dir(path)
	return func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
}

// cacheKey is what a cache file must match to be used.
type cacheKey struct {
	program, targets [32]byte
	sourceRel        string // as written in targets.yaml; "" when not read
	source           [32]byte
}

// fileSum is the SHA-256 of a file, read in small pieces: a province's
// targets file is 30 MB, and holding it only to hash it would cost more
// than the hashing.
func fileSum(path string) (sum [32]byte, err error) {
	f, err := os.Open(path)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, err
	}
	h.Sum(sum[:0])
	return sum, nil
}

// programSum identifies the running program by the SHA-256 of its
// executable, so a new build (whose rules or plan model may differ) never
// reads a plan an older one cached. Computed once.
var programSum = sync.OnceValues(func() ([32]byte, error) {
	exe, err := os.Executable()
	if err != nil {
		return [32]byte{}, err
	}
	return fileSum(exe)
})

// A cache file is the header (magic, the key, the source's path), the
// encoded plan, and the SHA-256 of everything before it.

// readCache returns the cached plan, or why it cannot be used.
func readCache(file string, key cacheKey, sourcePath func(rel string) string) (*plan.Plan, string) {
	data, miss := readChecked(file)
	if miss != "" {
		return nil, miss
	}
	r := &reader{s: data}
	got := r.header()
	if r.err != nil {
		return nil, "truncated header"
	}
	switch {
	case got.program != key.program:
		return nil, "the program changed"
	case got.targets != key.targets:
		return nil, "the targets file changed"
	}
	if got.sourceRel != "" {
		if sum, err := fileSum(sourcePath(got.sourceRel)); err != nil || sum != got.source {
			return nil, "the source document changed"
		}
	}
	p, err := decodePlan(r)
	if err != nil {
		return nil, "damaged: " + err.Error()
	}
	if err := p.Validate(); err != nil {
		return nil, "damaged: " + err.Error()
	}
	return p, ""
}

// readChecked reads a cache file into one string, checking its magic and
// checksum. The string is built as the file is read rather than copied
// from a byte slice: decoded plan strings are substrings of it, and a
// second 20 MB copy costs more than the decoding (fresh pages and a GC
// that waits for the copy).
func readChecked(file string) (string, string) {
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return "", "no cache file yet"
	} else if err != nil {
		return "", "unreadable: " + err.Error()
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", "unreadable: " + err.Error()
	}
	size := st.Size() - sha256.Size
	if size < int64(len(cacheMagic)) {
		return "", "not a cache file of this version"
	}
	var sb strings.Builder
	sb.Grow(int(size))
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(&sb, h), io.LimitReader(f, size)); err != nil {
		return "", "unreadable: " + err.Error()
	}
	data, ok := strings.CutPrefix(sb.String(), cacheMagic)
	if !ok {
		return "", "not a cache file of this version"
	}
	var want [sha256.Size]byte
	if _, err := io.ReadFull(f, want[:]); err != nil || !bytes.Equal(h.Sum(nil), want[:]) {
		return "", "damaged (checksum mismatch)"
	}
	return data, ""
}

// encodeCache is the content of a cache file holding p under key.
func encodeCache(key cacheKey, p *plan.Plan) ([]byte, error) {
	var w writer
	w.b = append(w.b, cacheMagic...)
	w.b = append(w.b, key.program[:]...)
	w.b = append(w.b, key.targets[:]...)
	w.str(key.sourceRel)
	w.b = append(w.b, key.source[:]...)
	if err := w.plan(p); err != nil {
		return nil, fmt.Errorf("plan cache: %w", err)
	}
	sum := sha256.Sum256(w.b)
	return append(w.b, sum[:]...), nil
}

// header reads the key a cache file was written under.
func (r *reader) header() cacheKey {
	var k cacheKey
	k.program, k.targets = r.sum(), r.sum()
	k.sourceRel, k.source = r.str(), r.sum()
	return k
}

// writeCache writes a cache file's content, atomically: a reader sees the
// old file or the new one, never half of one.
func writeCache(file string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".*.tmp")
	if err != nil {
		return fmt.Errorf("plan cache: %w", err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("plan cache: %w", err)
	}
	return nil
}

// writer appends the cache encoding: unsigned varints for lengths and
// small numbers, varints for seconds, raw little-endian bits for floats.
type writer struct{ b []byte }

func (w *writer) uint(v uint64)   { w.b = binary.AppendUvarint(w.b, v) }
func (w *writer) int(v int64)     { w.b = binary.AppendVarint(w.b, v) }
func (w *writer) float(f float64) { w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(f)) }
func (w *writer) str(s string)    { w.uint(uint64(len(s))); w.b = append(w.b, s...) }

func (w *writer) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

// count writes a slice length so that nil and empty slices stay apart.
func (w *writer) count(n int, isNil bool) {
	if isNil {
		w.uint(0)
	} else {
		w.uint(uint64(n) + 1)
	}
}

// Time tags: the plan's times are all in its location or zero.
const (
	timeZero = iota
	timeInPlan
	timeUTC
)

func (w *writer) time(t time.Time, loc *time.Location) error {
	switch {
	case t == (time.Time{}):
		w.uint(timeZero)
		return nil
	case t.Location() == loc:
		w.uint(timeInPlan)
	case t.Location() == time.UTC:
		w.uint(timeUTC)
	default:
		return fmt.Errorf("time %v is in neither the plan's location nor UTC", t)
	}
	w.int(t.Unix())
	w.uint(uint64(t.Nanosecond()))
	return nil
}

func (w *writer) plan(p *plan.Plan) error {
	w.str(p.ID)
	w.str(p.Title)
	w.str(p.TitleEN)
	w.str(p.Source)
	w.str(p.Timezone)
	if p.Location == nil || p.Location.String() != p.Timezone {
		return fmt.Errorf("location %v is not the time zone %q", p.Location, p.Timezone)
	}
	if err := w.time(p.Start, p.Location); err != nil {
		return err
	}
	if err := w.time(p.End, p.Location); err != nil {
		return err
	}
	w.str(p.Frequency)
	w.int(int64(p.DueDay))
	w.float(p.Thresholds.AtRisk)
	w.float(p.Thresholds.OffTrack)
	w.float(p.Thresholds.CapWarning)
	w.float(p.Thresholds.GrowthPoints)

	w.count(len(p.Agencies), p.Agencies == nil)
	for _, a := range p.Agencies {
		w.str(a.ID)
		w.str(a.Name)
		w.str(a.NameEN)
		w.bool(a.Assumed)
	}
	w.count(len(p.Targets), p.Targets == nil)
	for i := range p.Targets {
		t := &p.Targets[i]
		w.str(t.ID)
		w.str(t.Item)
		w.str(t.Title)
		w.str(t.TitleEN)
		w.str(t.Quote)
		w.str(t.Agency)
		w.count(len(t.CoAgencies), t.CoAgencies == nil)
		for _, a := range t.CoAgencies {
			w.str(a)
		}
		w.str(string(t.Kind))
		w.str(string(t.Direction))
		w.str(string(t.Aggregation))
		w.float(t.Goal)
		w.str(t.Unit)
		w.str(t.UnitEN)
		w.bool(t.Approximate)
		if err := w.time(t.Due, p.Location); err != nil {
			return fmt.Errorf("target %s: %w", t.ID, err)
		}
		w.float(t.Baseline)
		w.bool(t.HasBaseline)
		w.count(len(t.Trajectory), t.Trajectory == nil)
		for _, pt := range t.Trajectory {
			w.int(int64(pt.Period.Year))
			w.int(int64(pt.Period.Month))
			w.float(pt.Value)
		}
	}
	w.count(len(p.Ignored), p.Ignored == nil)
	for _, g := range p.Ignored {
		w.str(g.Item)
		w.str(g.Text)
		w.str(g.Reason)
	}
	return nil
}

// reader decodes what writer wrote. Strings are substrings of s, so a plan
// of 100,000 targets decodes without an allocation per string. The first
// error sticks; later reads return zero values.
type reader struct {
	s   string
	off int
	err error
}

var errShort = errors.New("unexpected end of data")

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *reader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		if r.off >= len(r.s) {
			r.fail(errShort)
			return 0
		}
		c := r.s[r.off]
		r.off++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	r.fail(errors.New("varint overflows"))
	return 0
}

func (r *reader) int() int64 {
	u := r.uint()
	return int64(u>>1) ^ -int64(u&1)
}

func (r *reader) float() float64 {
	if r.err != nil || len(r.s)-r.off < 8 {
		r.fail(errShort)
		return 0
	}
	v := binary.LittleEndian.Uint64([]byte(r.s[r.off : r.off+8]))
	r.off += 8
	return math.Float64frombits(v)
}

func (r *reader) str() string {
	n := r.uint()
	if r.err != nil || n > uint64(len(r.s)-r.off) {
		r.fail(errShort)
		return ""
	}
	s := r.s[r.off : r.off+int(n)]
	r.off += int(n)
	return s
}

func (r *reader) sum() (s [32]byte) {
	if r.err != nil || len(r.s)-r.off < len(s) {
		r.fail(errShort)
		return s
	}
	copy(s[:], r.s[r.off:])
	r.off += len(s)
	return s
}

func (r *reader) bool() bool {
	switch r.uint() {
	case 0:
		return false
	case 1:
		return true
	}
	r.fail(errors.New("bad boolean"))
	return false
}

// count reads a slice length written by writer.count: -1 for nil. A
// count larger than the bytes left is refused before anything is
// allocated for it.
func (r *reader) count() int {
	n := r.uint()
	if n == 0 {
		return -1
	}
	if n-1 > uint64(len(r.s)-r.off) {
		r.fail(errors.New("count exceeds data"))
		return -1
	}
	return int(n - 1)
}

func (r *reader) time(loc *time.Location) time.Time {
	tag := r.uint()
	if tag == timeZero {
		return time.Time{}
	}
	t := time.Unix(r.int(), int64(r.uint()))
	switch tag {
	case timeInPlan:
		return t.In(loc)
	case timeUTC:
		return t.UTC()
	}
	r.fail(errors.New("bad time tag"))
	return time.Time{}
}

func decodePlan(r *reader) (*plan.Plan, error) {
	p := &plan.Plan{
		ID:       r.str(),
		Title:    r.str(),
		TitleEN:  r.str(),
		Source:   r.str(),
		Timezone: r.str(),
	}
	if r.err != nil {
		return nil, r.err
	}
	loc, err := time.LoadLocation(p.Timezone)
	if err != nil {
		return nil, err
	}
	p.Location = loc
	p.Start = r.time(loc)
	p.End = r.time(loc)
	p.Frequency = r.str()
	p.DueDay = int(r.int())
	p.Thresholds.AtRisk = r.float()
	p.Thresholds.OffTrack = r.float()
	p.Thresholds.CapWarning = r.float()
	p.Thresholds.GrowthPoints = r.float()

	if n := r.count(); n >= 0 {
		p.Agencies = make([]plan.Agency, n)
		for i := range p.Agencies {
			p.Agencies[i] = plan.Agency{ID: r.str(), Name: r.str(), NameEN: r.str(), Assumed: r.bool()}
		}
	}
	if n := r.count(); n >= 0 {
		p.Targets = make([]plan.Target, n)
		for i := range p.Targets {
			t := &p.Targets[i]
			t.ID = r.str()
			t.Item = r.str()
			t.Title = r.str()
			t.TitleEN = r.str()
			t.Quote = r.str()
			t.Agency = r.str()
			if n := r.count(); n >= 0 {
				t.CoAgencies = make([]string, n)
				for j := range t.CoAgencies {
					t.CoAgencies[j] = r.str()
				}
			}
			t.Kind = plan.Kind(r.str())
			t.Direction = plan.Direction(r.str())
			t.Aggregation = plan.Aggregation(r.str())
			t.Goal = r.float()
			t.Unit = r.str()
			t.UnitEN = r.str()
			t.Approximate = r.bool()
			t.Due = r.time(loc)
			t.Baseline = r.float()
			t.HasBaseline = r.bool()
			if n := r.count(); n >= 0 {
				t.Trajectory = make([]plan.Point, n)
				for j := range t.Trajectory {
					pt := &t.Trajectory[j]
					pt.Period.Year = int(r.int())
					pt.Period.Month = time.Month(r.int())
					pt.Value = r.float()
				}
			}
			if r.err != nil {
				return nil, r.err
			}
		}
	}
	if n := r.count(); n >= 0 {
		p.Ignored = make([]plan.Ignored, n)
		for i := range p.Ignored {
			p.Ignored[i] = plan.Ignored{Item: r.str(), Text: r.str(), Reason: r.str()}
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if r.off != len(r.s) {
		return nil, fmt.Errorf("%d bytes after the plan", len(r.s)-r.off)
	}
	return p, nil
}
