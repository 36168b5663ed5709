// Package planfile reads targets.yaml, the plan as data, into a plan.Plan.
//
// Decoding is strict: an unknown key, a key given twice or a value of the
// wrong type is a problem, and so is every broken rule below. All problems
// are collected and returned together as Errors, each pointing at the node
// that causes it as FILE:LINE:COL: message; a field that is missing is
// reported at the start of the mapping that should hold it.
//
// # An annotated targets.yaml
//
//	id: jiading-2019                # plan id, a slug (see ids below); required
//	title: 上海市嘉定区2019年重点工作任务 # Chinese title; required
//	title_en: Jiading District, Shanghai — key work tasks for 2019 # optional
//	source: seeds/plan.txt          # the plan document, relative to this file; required.
//	                                # Read as UTF-8, or GB18030 when it is not UTF-8.
//	timezone: Asia/Shanghai         # IANA name; required. Dates, periods and deadlines use it.
//	start: 2019-01-01               # first day of the plan (YYYY-MM-DD); required
//	end: 2019-12-31                 # last day, inclusive; required, after start
//	frequency: monthly              # the only reporting frequency; default monthly
//	due_day: 10                     # report for month M is due on this day of M+1; 1..28, default 10
//	thresholds:                     # optional; each key defaults separately
//	  at_risk: 1.0                  # at_least: actual/expected below this is at risk (default 1.0)
//	  off_track: 0.9                # ... below this off track (default 0.9); must not exceed at_risk
//	  cap_warning: 0.95             # at_most: above this share of the cap is at risk (default 0.95); at most 1
//	  growth_points: 1.0            # growth: short of the goal by at most this many percentage points is at risk,
//	                                # beyond it off track (default 1.0); above 0
//
//	agencies:                       # required; the bureaus that report
//	  - id: water-affairs           # slug, unique; required
//	    name: 区水务局               # Chinese name; required
//	    name_en: District Water Affairs Bureau # optional
//	    assumed: true               # the plan does not name the agency; we chose it (default false)
//	  - {id: landscaping, name: 区绿化市容局, assumed: true}
//	  - {id: construction, name: 区建设管理委, assumed: true}
//
//	targets:                        # required, at least one
//	  - id: inferior-water-bodies-eliminated # slug, unique: label value, URL segment, dashboard uid
//	    item: "10.2"                # the plan's item number; quote it so YAML keeps it text
//	    title: 消除劣V类水体          # Chinese; required
//	    title_en: Water bodies below Grade V eliminated # optional
//	    quote: 确保消除劣V类水体不少于329条段 # verbatim from source, within item 10.2; required
//	    agency: water-affairs       # an id from agencies: the lead agency (牵头单位), the one that reports; required
//	    co_agencies: [landscaping]  # optional: co-responsible agencies (配合单位), each once, not the lead;
//	                                # they see the target as theirs but cannot write it
//	    kind: quantity              # quantity, milestone or growth; required
//	    direction: at_least         # at_least, at_most, zero_growth (quantities) or complete (milestones)
//	    goal: 329                   # >= 0; zero_growth: 0; unit "%": 0..100; milestone: 1
//	    unit: 条段                   # Chinese unit; "%" makes it a percentage
//	    unit_en: river segments     # optional
//	    aggregation: sum            # sum, last, mean or max: how monthly figures make the annual one
//	    approximate: false          # true where the plan says 左右, 约 or 基本 (default false)
//	    due: 2019-12-31             # optional, within the plan; default: the plan's end
//	    trajectory:                 # optional planned cumulative path, months in order, inside the plan
//	      2019-06: 120              # for sum targets it must not decrease
//	      2019-12: 329
//
//	  - id: timed-collection-share  # a level: each month reports the current percentage
//	    item: "11.2"
//	    title: 推行垃圾定时定点收集的居住区比例
//	    quote: 在30%以上的居住区推行垃圾定时定点收集
//	    agency: landscaping
//	    kind: quantity
//	    direction: at_least
//	    goal: 30
//	    unit: "%"
//	    aggregation: last           # a percentage may not be summed
//	    baseline: 12                # optional, last/max targets only: the level at the plan's start
//
//	  - id: chenxiang-road-station  # a milestone: reports 1 once done
//	    item: "8.1"
//	    title: 建成轨交11号线陈翔路站
//	    quote: 建成轨交11号线陈翔路站和陈翔路地道
//	    agency: construction
//	    kind: milestone             # direction complete, goal 1, aggregation max and
//	                                # unit 项 (milestone) are its defaults
//
//	  - id: gdp-growth              # a growth rate: 1–M月累计同比, may be negative
//	    item: "1"
//	    title: 地区生产总值增长
//	    quote: 地区生产总值增长6.5%左右
//	    agency: development
//	    kind: growth                # unit "%" is its default and the only one allowed; no aggregation
//	                                # (the latest month counts), no baseline, no trajectory
//	    direction: at_least         # at_least (增长) or at_most (下降: goal -3 for 下降3%)
//	    goal: 6.5                   # any number within ±1e12, negative included
//	    approximate: true           # 左右: met within 5% of the goal's magnitude (6.175)
//
//	ignored:                        # numeric phrases of the source that are deliberately not targets
//	  - item: "6.4"                 # all three fields required
//	    text: 第四次
//	    reason: an ordinal, not a quantity
//
// # Rules beyond the comments above
//
// Ids of the plan, agencies and targets match plan.ValidID: 1 to 40 of a-z,
// 0-9 and '-', not starting or ending with '-'. An item is a number such as
// 10 or 10.2. When the source has a heading for the item (a line starting
// with the number), the quote must lie within that item's text. A milestone
// takes no trajectory and aggregates by max or last. A baseline is
// non-negative and, for a percentage, at most 100; so are trajectory values.
// Only a growth target's goal and figures may be negative or above 100.
package planfile
