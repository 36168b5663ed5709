package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"testing"
)

// A co-agency sees the target among its missing reports, marked co and
// after its own, but cannot write it; the lead's view is unchanged.
func TestCoAgencyMissingAndWrite(t *testing.T) {
	p := testPlan()
	p.Targets[3].CoAgencies = []string{"water"} // road-repair: roads leads, water supports
	h := newHarnessOf(t, io.Discard, slog.LevelError, p)

	res := h.do(request{method: "GET", path: "/agencies/water/missing", token: "water"})
	var miss MissingJSON
	if err := json.Unmarshal(res.body, &miss); err != nil || res.status != 200 {
		t.Fatalf("GET missing: %d %s %v", res.status, res.body, err)
	}
	// Water's three own targets first, then road-repair as co-agency.
	var got []string
	for _, mt := range miss.Targets {
		got = append(got, mt.Target+":"+mt.Role)
	}
	want := []string{"river-clean:lead", "water-quality:lead", "sewage-plant:lead", "road-repair:co"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: got %s, want %s", i, got[i], want[i])
		}
	}
	res = h.do(request{method: "GET", path: "/agencies/roads/missing", token: "roads"})
	var roads MissingJSON
	if err := json.Unmarshal(res.body, &roads); err != nil || len(roads.Targets) != 1 || roads.Targets[0].Role != "lead" {
		t.Errorf("roads: got %s, want road-repair alone as lead", res.body)
	}

	before := h.tracker.Snapshot().Version
	res = h.do(request{method: "PUT", path: "/targets/road-repair/reports/2019-03", token: "water", contentType: "application/json", body: []byte(`{"value":5}`)})
	if res.status != 403 {
		t.Errorf("a co-agency writing: got %d %s, want 403", res.status, res.body)
	}
	if after := h.tracker.Snapshot().Version; after != before {
		t.Errorf("a refused write changed the snapshot: version %d, want %d", after, before)
	}
	res = h.do(request{method: "PUT", path: "/targets/road-repair/reports/2019-03", token: "roads", contentType: "application/json", body: []byte(`{"value":5}`)})
	if res.status/100 != 2 {
		t.Errorf("the lead writing: got %d %s, want 2xx", res.status, res.body)
	}
}
