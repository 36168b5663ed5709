package extract

import "github.com/targetwatch/targetwatch/internal/plan"

// cue is a word before a number that says which side of it is good.
type cue struct {
	word string
	dir  plan.Direction
	// adjacent cues must touch the number: 达 is too common a character to
	// be trusted further away (达标, 达成).
	adjacent bool
}

// beforeCues precede the number: "不少于329条段", "控制在1743吨以下",
// "提高到330吨". When two cues end at the same place the longer wins, so
// 不低于 is not read as 低于.
var beforeCues = []cue{
	{"不少于", plan.AtLeast, false},
	{"不低于", plan.AtLeast, false},
	{"至少", plan.AtLeast, false},
	{"达到", plan.AtLeast, false},
	{"达", plan.AtLeast, true},
	{"提高到", plan.AtLeast, false},
	{"提高至", plan.AtLeast, false},
	{"提升到", plan.AtLeast, false},
	{"提升至", plan.AtLeast, false},
	{"增加到", plan.AtLeast, false},
	{"增加至", plan.AtLeast, false},
	{"增长到", plan.AtLeast, false},
	{"增长至", plan.AtLeast, false},
	{"增至", plan.AtLeast, false},
	{"扩大到", plan.AtLeast, false},
	{"稳定在", plan.AtLeast, false},
	{"保持在", plan.AtLeast, false},
	{"保持", plan.AtLeast, false},
	{"扩大至", plan.AtLeast, false},
	{"超过", plan.AtLeast, false},
	{"突破", plan.AtLeast, false},
	{"高于", plan.AtLeast, false},
	{"大于", plan.AtLeast, false},
	{"多于", plan.AtLeast, false},
	{"不超过", plan.AtMost, false},
	{"不高于", plan.AtMost, false},
	{"不多于", plan.AtMost, false},
	{"不大于", plan.AtMost, false},
	{"控制在", plan.AtMost, false},
	{"控制到", plan.AtMost, false},
	{"控制于", plan.AtMost, false},
	{"降低到", plan.AtMost, false},
	{"降低至", plan.AtMost, false},
	{"降到", plan.AtMost, false},
	{"降至", plan.AtMost, false},
	{"下降到", plan.AtMost, false},
	{"下降至", plan.AtMost, false},
	{"压缩到", plan.AtMost, false},
	{"压缩至", plan.AtMost, false},
	{"压减到", plan.AtMost, false},
	{"压减至", plan.AtMost, false},
	{"缩短到", plan.AtMost, false},
	{"缩短至", plan.AtMost, false},
	{"减少到", plan.AtMost, false},
	{"减少至", plan.AtMost, false},
	{"低于", plan.AtMost, false},
	{"少于", plan.AtMost, false},
	{"小于", plan.AtMost, false},
}

// maxCueGap is how many characters may stand between a before-cue and its
// number: "不低于窗口总数的50%".
const maxCueGap = 8

// afterCues follow the number and its unit: "70%以上", "1743吨以下",
// "5个工作日内".
var afterCues = []cue{
	{"及以上", plan.AtLeast, true},
	{"以上", plan.AtLeast, true},
	{"之上", plan.AtLeast, true},
	{"及以下", plan.AtMost, true},
	{"以下", plan.AtMost, true},
	{"以内", plan.AtMost, true},
	{"之内", plan.AtMost, true},
	{"内", plan.AtMost, true},
}

// approxBefore are hedges right before a number: "约200名", "近300家".
var approxBefore = []string{"大约", "将近", "接近", "约", "近"}

// approxAfter are hedges after the unit: "200名左右".
var approxAfter = []string{"左右", "上下"}

// approxInside sit between number and unit: "2500余亩", "300多个".
var approxInside = []rune{'余', '多'}

// basicVerbs turn a preceding 基本 into a hedge ("基本实现…全覆盖"); 基本
// before a noun is an adjective ("基本公共文化服务") and hedges nothing.
var basicVerbs = []string{"实现", "完成", "建成", "消除", "达到", "覆盖", "形成", "解决", "落实", "具备", "健全", "完善"}

// fullCoverage words commit to 100%: every village, every item.
var fullCoverage = []string{"全覆盖", "全部", "所有"}

// notFullCoverage are words that contain a full-coverage word but mean
// something else: 所有制 is ownership, 全部门 is "all departments" as a
// subject of cooperation, not a share.
var notFullCoverage = []string{"所有制", "所有权", "所有者", "全部门"}

// zeroGrowth words commit to no increase at all.
var zeroGrowth = []string{"零增长", "零新增"}

// zeroLevel words commit to bringing a count down to nothing: "黑臭水体
// 动态清零", "重大事故零发生".
var zeroLevel = []string{"清零", "零发生"}

// pastOpeners open a clause that recounts the past: "去年，全区完成…",
// "过去一年". Mid-clause they are baselines ("比上年增长8%") and mean
// nothing here.
var pastOpeners = []string{"去年", "上年", "过去", "近年来", "一年来", "五年来", "几年来"}

// pastMarkers anywhere in a clause make it an account of work done.
var pastMarkers = []string{"以来", "已完成", "已建成", "已累计", "已经", "累计已"}

// dailyWords make a count a daily average: "日均干垃圾总量".
var dailyWords = []string{"日均", "每日", "每天", "日平均"}

// levelWords make the latest monthly figure the annual one (a stock or a
// rate), rather than the sum of monthly increments.
var levelWords = []string{"累计", "总量", "总数", "保有量", "达到", "提高到", "提高至", "提升到", "提升至", "增加到", "增加至"}

// trailWords end a title without naming anything: "涉企经营许可事项实现".
var trailWords = []string{"实现", "达到", "保持"}

// policyNouns after "N项/N条" make the phrase a name ("十项准则",
// "八项规定", "稳增长20条措施"), not a count of things to deliver: the
// deliverable is issuing the document, a milestone.
var policyNouns = []string{"准则", "规定", "禁令", "原则", "纪律", "要求", "承诺", "措施", "举措", "意见", "政策"}

// leadWords are modal verbs and adverbs that open a clause and say nothing
// about what is counted; titles drop them.
var leadWords = []string{
	"确保", "力争", "争取", "努力", "全力", "全年", "年内", "年底前", "累计", "实现",
	"全面", "加快", "推进", "推动", "积极", "做好", "稳步", "有序", "如期",
	"按期", "研究", "适时", "持续", "深入", "进一步", "着力", "切实", "全区", "在",
	"高质量", "完成", "实施", "启动", "计划", "预计", "约", "近", "的", "并",
	"扎实", "组织", "全力", "研究", "其中",
}

// milestoneVerbs mark a dated deliverable. Transitive ones take their
// object after them ("出台《…》"); the others report on a subject before
// them ("江桥医院新院开业启用").
var milestoneVerbs = []struct {
	word       string
	transitive bool
}{
	{"投入使用", false},
	{"投入运行", false},
	{"建成", true},
	{"出台", true},
	{"发布", true},
	{"印发", true},
	{"完成", true},
	{"制定", true},
	{"设立", true},
	{"启动", true},
	{"举办", true},
	{"办好", true},
	{"开业", false},
	{"启用", false},
	{"投用", false},
	{"投运", false},
	{"投产", false},
	{"竣工", false},
	{"开工", false},
	{"通车", false},
	{"开通", false},
	{"上线", false},
	{"落成", false},
	{"揭牌", false},
	{"挂牌", false},
}

// vagueObjects make a milestone a list of unnamed things: "推动一批重大
// 项目尽快落地投产". A quota the city assigns ("完成市政府下达的年度任务")
// is still a deliverable.
var vagueObjects = []string{"一批", "一系列", "若干", "更多"}

// vagueStarts open an object that names nothing in particular.
var vagueStarts = []string{"相关", "有关", "等"}

// wishes before a milestone verb make it a hope: "早开工", "尽快投产".
var wishes = []string{"早", "尽快", "及早", "争取"}
