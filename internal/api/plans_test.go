package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// cityPlan is the city's tasks assigned to the district, served beside
// testPlan: reports due on the 20th, the water bureau shared (same name),
// and a parks bureau of its own.
func cityPlan() *plan.Plan {
	end := day(2019, 12, 31)
	return &plan.Plan{
		ID: "city-2019", Title: "市下达2019年任务", Timezone: "Asia/Shanghai", Location: shanghai,
		Start: day(2019, 1, 1), End: end, Frequency: "monthly", DueDay: 20, Thresholds: plan.DefaultThresholds,
		Agencies: []plan.Agency{{ID: "water", Name: "区水务局"}, {ID: "parks", Name: "区绿化局"}},
		Targets: []plan.Target{
			{ID: "city-pipes", Item: "3.1", Title: "新建污水管道", Agency: "water", Kind: plan.Quantity,
				Direction: plan.AtLeast, Aggregation: plan.Sum, Goal: 40, Unit: "公里", Due: end},
			{ID: "city-trees", Item: "3.2", Title: "新增绿地", Agency: "parks", Kind: plan.Quantity,
				Direction: plan.AtLeast, Aggregation: plan.Sum, Goal: 12, Unit: "公顷", Due: end},
		},
	}
}

func newTwoPlanHarness(t *testing.T) *harness {
	return newHarnessOf(t, io.Discard, slog.LevelInfo, testPlan(), cityPlan())
}

func (h *harness) getJSON(path string, want int, v any) response {
	h.t.Helper()
	res := h.do(request{method: "GET", path: path, token: "supervisor"})
	if res.status != want {
		h.t.Fatalf("GET %s: got %d, want %d: %s", path, res.status, want, res.body)
	}
	if v != nil {
		if err := json.Unmarshal(res.body, v); err != nil {
			h.t.Fatalf("GET %s: %v: %s", path, err, res.body)
		}
	}
	return res
}

func TestPlansLists(t *testing.T) {
	h := newTwoPlanHarness(t)
	var got PlansJSON
	h.getJSON("/plans", http.StatusOK, &got)
	want := []PlanJSON{
		{ID: "test-2019", Title: "测试区2019年重点工作任务", Timezone: "Asia/Shanghai", Start: "2019-01-01", End: "2019-12-31", DueDay: 10, Targets: 4, Agencies: 2},
		{ID: "city-2019", Title: "市下达2019年任务", Timezone: "Asia/Shanghai", Start: "2019-01-01", End: "2019-12-31", DueDay: 20, Targets: 2, Agencies: 2},
	}
	if !slices.Equal(got.Plans, want) {
		t.Errorf("got %+v, want %+v", got.Plans, want)
	}
}

func TestTargetsFilterByPlan(t *testing.T) {
	h := newTwoPlanHarness(t)
	ids := func(path string) []string {
		var got TargetsJSON
		h.getJSON(path, http.StatusOK, &got)
		var out []string
		for _, g := range got.Targets {
			out = append(out, g.Plan+"/"+g.ID)
		}
		return out
	}
	tests := []struct {
		name, path string
		want       []string
	}{
		{"without a filter every plan's targets come, each naming its plan", "/targets",
			[]string{"test-2019/river-clean", "test-2019/water-quality", "test-2019/sewage-plant", "test-2019/road-repair", "city-2019/city-pipes", "city-2019/city-trees"}},
		{"?plan= keeps that plan's targets", "/targets?plan=city-2019", []string{"city-2019/city-pipes", "city-2019/city-trees"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(tc.path); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	// A target of the second plan is found by id alone, as before.
	var one TargetJSON
	h.getJSON("/targets/city-trees", http.StatusOK, &one)
	if one.Plan != "city-2019" || one.Goal != 12 {
		t.Errorf("GET /targets/city-trees: got plan %q goal %v, want city-2019 and 12", one.Plan, one.Goal)
	}
}

func TestUnknownPlanIsAProblemNamingPlan(t *testing.T) {
	h := newTwoPlanHarness(t)
	for _, path := range []string{"/targets?plan=nope", "/report?plan=nope&format=json", "/targets?plan="} {
		res := h.getJSON(path, http.StatusNotFound, nil)
		var p Problem
		if err := json.Unmarshal(res.body, &p); err != nil || res.header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%s: got %s (%v), want a problem", path, res.body, err)
		}
		if !slices.ContainsFunc(p.Errors, func(it ProblemItem) bool { return it.Field == "plan" }) {
			t.Errorf("%s: got %+v, want an item naming plan", path, p.Errors)
		}
	}
}

func TestReportFilterByPlan(t *testing.T) {
	h := newTwoPlanHarness(t)
	var all, city struct {
		Targets []struct {
			ID   string `json:"id"`
			Plan string `json:"plan"`
		} `json:"targets"`
	}
	h.getJSON("/report?format=json", http.StatusOK, &all)
	h.getJSON("/report?format=json&plan=city-2019", http.StatusOK, &city)
	if len(all.Targets) != 6 || len(city.Targets) != 2 {
		t.Fatalf("got %d targets in the whole report and %d in the city's, want 6 and 2", len(all.Targets), len(city.Targets))
	}
	for _, r := range city.Targets {
		if r.Plan != "city-2019" {
			t.Errorf("city report row %s: plan %q", r.ID, r.Plan)
		}
	}
	if all.Targets[5].Plan != "city-2019" || all.Targets[0].Plan != "test-2019" {
		t.Errorf("whole report rows: got plans %q and %q, want test-2019 first and city-2019 last", all.Targets[0].Plan, all.Targets[5].Plan)
	}
}

// A token is per agency, not per plan: the water bureau's writes the
// water targets of both plans, each judged by its own plan (the city's
// March report is due on 20 April, so on 15 April it is open either way),
// and no other agency's.
func TestTokensWorkAcrossPlans(t *testing.T) {
	h := newTwoPlanHarness(t)
	h.mustPut("water", "river-clean", "2019-03", `{"value": 10}`, http.StatusCreated)
	a := h.mustPut("water", "city-pipes", "2019-03", `{"value": 4}`, http.StatusCreated)
	if a.Agency != "water" {
		t.Errorf("got agency %q, want water", a.Agency)
	}
	if res := h.put("water", "city-trees", "2019-03", `{"value": 1}`); res.status != http.StatusForbidden {
		t.Errorf("water writing parks' target: got %d, want 403", res.status)
	}
	g, _ := h.tracker.Snapshot().Target("city-pipes")
	if !g.HasActual || g.Actual != 4 {
		t.Errorf("city-pipes after the PUT: got actual %v (%v), want 4", g.Actual, g.HasActual)
	}
}
