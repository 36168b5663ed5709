package metrics

import (
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/common/expfmt"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// ContentType is what Handler always answers with: the Prometheus text
// format 0.0.4, which every Prometheus version scrapes. The progress
// families are cached in this one format; negotiating OpenMetrics or
// protobuf would mean caching each of them too, for no gain to Prometheus.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// MetricBuildInfo is the service's build information metric.
const MetricBuildInfo = plan.MetricPrefix + "build_info"

// Handler serves GET /metrics: the progress families of the current
// snapshot, rendered once per snapshot and kept compressed, followed by the
// live families of the live gatherer (the service's own counters and the Go
// and process collectors), gathered on every scrape. live may be nil.
//
// Families of live that carry a progress family's name are dropped (and
// logged), so registering a Collector in live by mistake cannot produce a
// family twice. The answer is gzip-compressed when the client accepts it,
// as Prometheus does; the cached chunks are then sent as they are, and only
// the live part is compressed per scrape.
//
// The handler is safe for concurrent use. A scrape that finds a new
// snapshot re-renders the blocks of targets whose metrics changed; other
// scrapes arriving meanwhile wait for that render instead of repeating it.
func Handler(snapshot func() *plan.Snapshot, live prometheus.Gatherer, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &handler{snapshot: snapshot, live: live, log: logger}
}

type handler struct {
	snapshot func() *plan.Snapshot
	live     prometheus.Gatherer
	log      *slog.Logger
	r        renderer
	dupOnce  sync.Once
}

// compressors are reused across scrapes for the live part: a deflate
// compressor's state is large.
var compressors = sync.Pool{New: func() any { return newCompressor() }}

func (h *handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	e := h.r.get(h.snapshot())
	liveText := h.gatherLive()

	hd := w.Header()
	hd.Set("Content-Type", ContentType)
	hd.Add("Vary", "Accept-Encoding")
	if !acceptsGzip(req.Header.Get("Accept-Encoding")) {
		hd.Set("Content-Length", strconv.FormatInt(e.size+int64(len(liveText)), 10))
		if req.Method == http.MethodHead {
			return
		}
		// Clients without gzip (curl, promtool) are rare; inflating the
		// cache for them keeps a single copy of the exposition in memory.
		rs := make([]io.Reader, 0, len(e.parts)+1)
		for _, p := range e.parts {
			rs = append(rs, bytes.NewReader(p))
		}
		rs = append(rs, bytes.NewReader(finalBlock))
		fr := flate.NewReader(io.MultiReader(rs...))
		if _, err := io.Copy(w, fr); err != nil {
			h.log.Debug("metrics: writing the exposition", "err", err)
			return
		}
		w.Write(liveText)
		return
	}

	c := compressors.Get().(*compressor)
	defer compressors.Put(c)
	tail := c.final(liveText)
	crc := crcCombine(e.crc, crc32.ChecksumIEEE(liveText), int64(len(liveText)))
	size := e.size + int64(len(liveText))
	n := int64(len(gzipHeader) + len(tail) + 8)
	for _, p := range e.parts {
		n += int64(len(p))
	}
	hd.Set("Content-Encoding", "gzip")
	hd.Set("Content-Length", strconv.FormatInt(n, 10))
	if req.Method == http.MethodHead {
		return
	}
	w.Write(gzipHeader)
	for _, p := range e.parts {
		if _, err := w.Write(p); err != nil {
			h.log.Debug("metrics: writing the exposition", "err", err)
			return
		}
	}
	w.Write(tail)
	w.Write(gzipTrailer(crc, size))
}

// gatherLive renders the live gatherer's families as text. A gathering
// error is logged and what was gathered is still served: a broken service
// counter must not hide the progress of the plan.
func (h *handler) gatherLive() []byte {
	if h.live == nil {
		return nil
	}
	mfs, err := h.live.Gather()
	if err != nil {
		h.log.Error("metrics: gathering the service's metrics", "err", err)
	}
	var buf bytes.Buffer
	for _, mf := range mfs {
		if familyNames[mf.GetName()] {
			h.dupOnce.Do(func() {
				h.log.Error("metrics: a progress family is registered in the live registry; serving the cached one", "family", mf.GetName())
			})
			continue
		}
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			h.log.Error("metrics: encoding a family", "family", mf.GetName(), "err", err)
		}
	}
	return buf.Bytes()
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !ok {
			return true
		}
		v, err := strconv.ParseFloat(q, 64)
		return err == nil && v > 0
	}
	return false
}

// BuildInfo names a build of targetwatch; it becomes the labels of
// targetwatch_build_info. Empty fields are unknown.
type BuildInfo struct {
	Version      string // module or release version, "dev" when neither is known
	Revision     string // VCS revision (commit hash)
	RevisionTime string // time of that revision, RFC 3339
	Modified     string // "true" when built from a checkout with uncommitted changes
	GoVersion    string // the Go toolchain that built it
}

// NewRegistry returns the registry for the service's own metrics: the Go
// and process collectors and targetwatch_build_info. Other packages
// register their counters in it; Handler serves it live.
func NewRegistry(build BuildInfo) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: MetricBuildInfo,
			Help: "Build information of the running targetwatch; always 1.",
			ConstLabels: prometheus.Labels{
				"version": build.Version, "revision": build.Revision, "revision_time": build.RevisionTime,
				"modified": build.Modified, "goversion": build.GoVersion,
			},
		}, func() float64 { return 1 }),
	)
	return reg
}
