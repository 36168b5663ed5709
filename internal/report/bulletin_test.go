package report

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/demo"
	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/store"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// demoBulletin fills a database with the demo year (through September) for
// the repository's targets.yaml and builds the bulletin as of 15 October
// 2019 at noon.
func demoBulletin(t *testing.T, lang Lang) (*Bulletin, *plan.Plan) {
	t.Helper()
	ctx := context.Background()
	p, err := planfile.Load(filepath.Join(testenv.RepoRoot(), "targets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "demo.db")
	if _, err := demo.Fill(ctx, path, p, demo.DefaultThrough); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	asOf := time.Date(2019, 10, 15, 12, 0, 0, 0, p.Location)
	b, err := BuildBulletin(ctx, plan.NewSnapshot(p, asOf, 0, nil), db, asOf, lang)
	if err != nil {
		t.Fatal(err)
	}
	return b, p
}

func TestBulletinGolden(t *testing.T) {
	for _, lang := range []Lang{Chinese, English} {
		t.Run(string(lang), func(t *testing.T) {
			b, _ := demoBulletin(t, lang)
			var buf bytes.Buffer
			if err := WriteBulletin(&buf, b); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", "bulletin."+string(lang)+".md.golden"), buf.Bytes())
		})
	}
}

// TestBulletinByHand checks the golden bulletin's numbers against the demo
// figures read directly (demo.Year), not through plan.Evaluate.
//
// As of 2019-10-15 noon the September report (due 10 October 00:00) is the
// last one due: k = 9 months of N = 12 (every target below is due at the
// year's end).
func TestBulletinByHand(t *testing.T) {
	b, p := demoBulletin(t, Chinese)
	figs, story := demo.Year(p, demo.DefaultThrough)
	asOf := time.Date(2019, 10, 15, 12, 0, 0, 0, p.Location)
	// latest is the current value of each month of a target as of asOf:
	// the last figure sent for it by then.
	latest := func(target string) map[plan.Period]float64 {
		out := map[plan.Period]float64{}
		for _, f := range figs {
			if f.Target == target && !f.At.After(asOf) {
				out[f.Period] = f.Value
			}
		}
		return out
	}

	// 76 "- id:" lines in targets.yaml, of which 22 are agencies: 54 targets.
	if b.Counts.Total != 54 {
		t.Errorf("total: got %d, want 54", b.Counts.Total)
	}
	if c := b.Counts; c.OnSchedule+c.Behind+c.Unreported != c.Total {
		t.Errorf("counts %+v do not add up to the total", c)
	}
	// The demo's story: one count off track, one at risk, one cap breached,
	// one milestone missed (due 30 June, reported not done) and one
	// milestone due 31 October, at risk from 1 October: five behind, plus
	// the agency that stopped reporting in July, whose "last" share sits
	// below the schedule.
	if b.Counts.Breached != 1 || b.Counts.MissedMilestones != 1 {
		t.Errorf("breached %d, missed milestones %d: want 1 and 1", b.Counts.Breached, b.Counts.MissedMilestones)
	}
	// Share: on schedule / total, one decimal: 48/54 = 0.8888… → 88.9%.
	if b.Counts.Share != 88.9 {
		t.Errorf("share: got %v, want 88.9", b.Counts.Share)
	}
	if !strings.Contains(b.Summary, "量化指标任务共54项，达到序时进度48项、占比88.9%；未达到序时进度6项，分别为") {
		t.Errorf("summary does not follow the pattern: %s", b.Summary)
	}

	// inferior-firms-phased-out, sum, goal 120 家: expected 120·9/12 = 90;
	// actual the sum of the nine months sent; the gap 90 − actual.
	row := behindRowOf(t, b, "淘汰劣势企业")
	sum := 0.0
	for _, v := range latest("inferior-firms-phased-out") {
		sum += v
	}
	if want := []string{Number(sum) + "家", "90家", Number(90-sum) + "家"}; !slices.Equal(row[4:], want) {
		t.Errorf("inferior firms: got %q, want %q", row[4:], want)
	}
	// recycling-points-built, sum, goal 366 个: expected 366·9/12 = 274.5.
	row = behindRowOf(t, b, "新建“两网融合”回收服务点")
	sum = 0
	for _, v := range latest("recycling-points-built") {
		sum += v
	}
	if want := []string{Number(sum) + "个", "274.5个", Number(274.5-sum) + "个"}; !slices.Equal(row[4:], want) {
		t.Errorf("recycling points: got %q, want %q", row[4:], want)
	}
	// integrated-windows-share, last, goal 50%, no baseline: expected
	// 0 + 50·9/12 = 37.5%; actual is July's figure, the last one sent.
	row = behindRowOf(t, b, "社区事务受理中心综合受理窗口占比")
	july := latest("integrated-windows-share")[plan.Period{Year: 2019, Month: time.July}]
	if want := []string{Number(july) + "%", "37.5%", Number(37.5-july) + "%"}; !slices.Equal(row[4:], want) {
		t.Errorf("windows share: got %q, want %q", row[4:], want)
	}
	// The overdue agency stopped after July: August and September missing.
	a, _ := p.Agency(story.OverdueAgency)
	if want := a.Name + "：2019-08、2019-09"; len(b.Overdue) != 1 || !strings.HasPrefix(b.Overdue[0], want) {
		t.Errorf("overdue: got %q, want one line starting %q", b.Overdue, want)
	}
	// Since 10 September: the auto-centre milestone (due 31 October) was
	// on track then and is at risk now; nothing else fell behind.
	if want := "新增未达到序时进度1项：出台《嘉定区世界级汽车产业中心建设实施方案》。"; b.Changes[0] != want {
		t.Errorf("fell behind: got %q, want %q", b.Changes[0], want)
	}
}

func behindRowOf(t *testing.T, b *Bulletin, title string) []string {
	t.Helper()
	for _, r := range b.Behind {
		if r[1] == title {
			return r
		}
	}
	t.Fatalf("%s is not in the table of targets behind: %q", title, b.Behind)
	return nil
}

func TestStandingOf(t *testing.T) {
	quantity := &plan.Target{Kind: plan.Quantity, Direction: plan.AtLeast}
	limit := &plan.Target{Kind: plan.Quantity, Direction: plan.AtMost}
	zero := &plan.Target{Kind: plan.Quantity, Direction: plan.ZeroGrowth}
	milestone := &plan.Target{Kind: plan.Milestone, Direction: plan.Complete}
	for _, tc := range []struct {
		name   string
		target *plan.Target
		status plan.Status
		want   Standing
	}{
		{"a count on track is on schedule", quantity, plan.OnTrack, OnSchedule},
		{"an achieved count is on schedule", quantity, plan.Achieved, OnSchedule},
		{"a count at risk is below its trajectory: behind", quantity, plan.AtRisk, Behind},
		{"a count off track is behind", quantity, plan.OffTrack, Behind},
		{"a count that missed its deadline is behind", quantity, plan.Missed, Behind},
		{"a cap near its limit is still within it: on schedule", limit, plan.AtRisk, OnSchedule},
		{"a breached cap is behind", limit, plan.Breached, Behind},
		{"a zero-growth target exceeded is behind", zero, plan.Breached, Behind},
		{"a milestone due within 30 days and not done is behind", milestone, plan.AtRisk, Behind},
		{"a missed milestone is behind", milestone, plan.Missed, Behind},
		{"a milestone not due yet is on schedule", milestone, plan.OnTrack, OnSchedule},
		{"a target without data is unreported", quantity, plan.NoData, Unreported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := StandingOf(&plan.Progress{Target: tc.target, Status: tc.status}); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestPreviousDue(t *testing.T) {
	p := fixturePlan(shanghai(t))
	at := func(m time.Month, d, h int) time.Time { return time.Date(2019, m, d, h, 0, 0, 0, p.Location) }
	for _, tc := range []struct {
		name string
		asOf time.Time
		want time.Time // zero: no comparison
	}{
		{"mid-October covers September and compares with 10 September", at(time.October, 15, 12), at(time.September, 10, 0)},
		{"on a due day's first instant that month is due already", at(time.October, 10, 0), at(time.September, 10, 0)},
		{"the moment before it, the previous month is the last due", at(time.October, 9, 23), at(time.August, 10, 0)},
		{"with only January due there is nothing to compare with", at(time.February, 20, 12), time.Time{}},
		{"before any month is due there is nothing to compare with", at(time.January, 20, 12), time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := PreviousDue(p, tc.asOf)
			if ok != !tc.want.IsZero() || !got.Equal(tc.want) {
				t.Errorf("got %v (%v), want %v", got, ok, tc.want)
			}
		})
	}
}

// TestBulletinComparesWhatWasKnown: the previous bulletin is evaluated
// with only the figures received by its instant, so a late figure makes a
// target behind then and recovered now.
//
// The fixture plan (due day 10) as of 2019-10-15 noon: September is the
// last month due, the previous instant is 10 September 00:00, when
// January to August were due (k = 8 of N = 12).
// river-segments (sum, goal 329): 30 a month, each received on the 8th of
// the next month, except August's, received on 12 September.
//   - then: January to July known, actual 7·30 = 210, expected
//     329·8/12 = 219.33, ratio 0.957: at risk (below 1, not below 0.9),
//     behind;
//   - now: actual 9·30 = 270, expected 329·9/12 = 246.75: on track.
//
// Counting every stored figure at both instants would give 240 ≥ 219.33
// then, on schedule, and no recovery. The station milestone (due at the
// year's end) is on track at both; the other four targets have no data.
func TestBulletinComparesWhatWasKnown(t *testing.T) {
	ctx := context.Background()
	loc := shanghai(t)
	p := fixturePlan(loc)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var subs []store.Submission
	for m := time.January; m <= time.September; m++ {
		at := time.Date(2019, m+1, 8, 9, 30, 0, 0, loc)
		if m == time.August {
			at = time.Date(2019, time.September, 12, 9, 30, 0, 0, loc)
		}
		subs = append(subs, store.Submission{Target: "river-segments", Period: plan.Period{Year: 2019, Month: m}, Value: 30, Received: at})
	}
	admin := plan.Principal{Name: "admin", Role: plan.RoleAdmin}
	if _, err := db.Submit(ctx, admin, subs, store.SubmitOptions{}); err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2019, 10, 15, 12, 0, 0, 0, loc)
	b, err := BuildBulletin(ctx, plan.NewSnapshot(p, asOf, 0, nil), db, asOf, Chinese)
	if err != nil {
		t.Fatal(err)
	}
	// 2 of 6 on schedule: 2/6 = 33.3%.
	want := BulletinCounts{Total: 6, OnSchedule: 2, Unreported: 4, Share: 33.3}
	if b.Counts != want {
		t.Errorf("counts: got %+v, want %+v", b.Counts, want)
	}
	wantChanges := []string{"新增未达到序时进度0项：无。", "恢复达到序时进度1项：河道整治。", "新完成0项：无。"}
	if !slices.Equal(b.Changes, wantChanges) {
		t.Errorf("changes: got %q, want %q", b.Changes, wantChanges)
	}
}

// TestBulletinOfSeveralPlans: the title names every plan and each target
// behind is named after its plan.
func TestBulletinOfSeveralPlans(t *testing.T) {
	loc := shanghai(t)
	a, c := fixturePlan(loc), fixturePlan(loc)
	c.ID, c.Title = "city-2019", "市级任务"
	for i := range c.Targets {
		c.Targets[i].ID = "city-" + c.Targets[i].ID
	}
	s := plan.NewSnapshotOf([]*plan.Plan{a, c})
	// 15 July 2019: June is due, nothing reported; river-segments (a sum)
	// counts as 0 against 329·6/12 = 164.5 in both plans: off track.
	revs := map[string][]plan.Report{}
	cur := EvaluateAt(s, revs, time.Date(2019, 7, 15, 12, 0, 0, 0, loc))
	b := NewBulletin(cur, nil, Chinese)
	if want := "2019年嘉定区政府工作计划、市级任务督查通报"; b.Title != want {
		t.Errorf("title: got %q, want %q", b.Title, want)
	}
	var names []string
	for _, r := range b.Behind {
		names = append(names, r[1])
	}
	if want := []string{"2019年嘉定区政府工作计划 · 河道整治", "市级任务 · 河道整治"}; !slices.Equal(names, want) {
		t.Errorf("behind: got %q, want %q", names, want)
	}
	if want := []string{"未报送", "164.5条段", "164.5条段"}; len(b.Behind) > 0 && !slices.Equal(b.Behind[0][4:], want) {
		t.Errorf("a sum with nothing reported: got %q, want %q", b.Behind[0][4:], want)
	}
}
