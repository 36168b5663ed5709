package extract

import (
	"testing"

	"github.com/targetwatch/targetwatch/internal/plan"
)

func TestCueWords(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		text   string
		dir    plan.Direction
		value  float64
		approx bool
	}{
		{"不少于 is at least", "确保新增高新技术企业不少于40家", "不少于40家", plan.AtLeast, 40, false},
		{"不低于 is at least, not 低于", "综合受理窗口不低于窗口总数的50%", "不低于窗口总数的50%", plan.AtLeast, 50, false},
		{"以上 is at least", "在30%以上的居住区推行垃圾定时定点收集", "30%以上", plan.AtLeast, 30, false},
		{"至少 is at least", "每个街镇至少建成标准化菜场2个", "2个", plan.AtLeast, 2, false},
		{"达到 is at least", "森林覆盖率达到19.5%", "达到19.5%", plan.AtLeast, 19.5, false},
		{"提高到 is at least", "可回收物回收量提高到101吨", "提高到101吨", plan.AtLeast, 101, false},
		{"a bare count is at least", "新建停车泊位1200个", "1200个", plan.AtLeast, 1200, false},
		{"以下 is at most", "生产安全事故死亡人数控制在10人以下", "控制在10人以下", plan.AtMost, 10, false},
		{"以内 is at most", "城镇登记失业率4%以内", "4%以内", plan.AtMost, 4, false},
		{"不超过 is at most", "新增建设用地不超过30公顷", "不超过30公顷", plan.AtMost, 30, false},
		{"控制在 is at most", "全区用水总量控制在2.3亿立方米", "控制在2.3亿立方米", plan.AtMost, 2.3e8, false},
		{"压缩至 a duration is at most", "企业开办时间压缩至1个工作日", "压缩至1个工作日", plan.AtMost, 1, false},
		{"零增长 is zero growth", "确保新增违法用地“零增长”", "零增长", plan.ZeroGrowth, 0, false},
		{"unquoted 零增长 is zero growth too", "新增违法用地零增长", "零增长", plan.ZeroGrowth, 0, false},
		{"清零 brings a count down to zero", "实现黑臭水体动态清零", "清零", plan.AtMost, 0, false},
		{"零发生 brings a count down to zero", "确保重大火灾事故零发生", "零发生", plan.AtMost, 0, false},
		{"a comparison with last year is still this year's target", "区级财政收入比上年增长8%", "8%", plan.AtLeast, 8, false},
		{"保持在 is at least", "粮食总产量保持在35万吨", "保持在35万吨", plan.AtLeast, 350000, false},
		{"an age raised to is a target", "人均预期寿命达到79.5岁", "达到79.5岁", plan.AtLeast, 79.5, false},
		{"a range commits to its lower bound", "开通区内公交线路3-5条", "3-5条", plan.AtLeast, 3, false},
		{"a Chinese range commits to its lower bound", "新建社区食堂三至五个", "三至五个", plan.AtLeast, 3, false},
		{"a size threshold qualifies what is counted", "其中10亿元以上项目5个", "5个", plan.AtLeast, 5, false},
		{"a distance qualifies the rate after it", "公交站点500米覆盖率达到100%", "达到100%", plan.AtLeast, 100, false},
		{"a fraction is a share", "三分之一以上的村建成美丽乡村", "三分之一以上", plan.AtLeast, 33.3333333333, false},
		{"千分之 is per mille", "人口自然增长率控制在千分之五以内", "控制在千分之五以内", plan.AtMost, 5, false},
		{"a score needs a cue", "营商环境评价得分达到90分", "达到90分", plan.AtLeast, 90, false},
		{"a rank is at most", "区域创新能力保持全市前3名", "保持全市前3名", plan.AtMost, 3, false},
		{"全覆盖 is full coverage", "实现全区村居全覆盖", "全覆盖", plan.AtLeast, 100, false},
		{"全部 is full coverage", "重点河道全部实现水质达标", "全部", plan.AtLeast, 100, false},
		{"所有 is full coverage", "所有政务服务事项实现网上可办", "所有", plan.AtLeast, 100, false},
		{"左右 is approximate", "引进高层次人才200名左右", "200名左右", plan.AtLeast, 200, true},
		{"约 is approximate", "新建公共绿地约60公顷", "约60公顷", plan.AtLeast, 60, true},
		{"近 is approximate", "帮助近300家企业完成数字化转型", "近300家", plan.AtLeast, 300, true},
		{"基本 before a verb is approximate", "基本实现郊野单元规划编制的全覆盖", "全覆盖", plan.AtLeast, 100, true},
		{"余 is approximate", "新增学位4500余个", "4500余个", plan.AtLeast, 4500, true},
		{"基本 before a noun hedges nothing", "建成基本公共服务站点12个", "12个", plan.AtLeast, 12, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := one(t, tt.in)
			if c.Text != tt.text || c.Direction != tt.dir || c.Value != tt.value || c.Approximate != tt.approx {
				t.Errorf("Extract(%q): got %q %s %v approximate=%v, want %q %s %v approximate=%v",
					tt.in, c.Text, c.Direction, c.Value, c.Approximate, tt.text, tt.dir, tt.value, tt.approx)
			}
		})
	}
}

func TestNonCommitments(t *testing.T) {
	tests := []struct{ name, in string }{
		{"第…次 is an ordinal", "扎实做好本区第四次经济普查的组织实施"},
		{"第…轮 is an ordinal", "深入推进第七轮环保三年行动计划"},
		{"第…届 is an ordinal", "办好区第三届青少年运动会"},
		{"第…家 is an ordinal, though 家 is a unit", "推进全区第三家化妆品哨点医院建设"},
		{"a year is not a quantity", "2019年底前完成规划编制"},
		{"a year range is not a quantity", "研究制定(2019-2021)实施方案"},
		{"a month and day are a date", "6月30日前完成申报"},
		{"a metro line number is a name", "积极配合轨交14号线建设"},
		{"a road code is a name", "加快S7公路和G1501绕城高速建设"},
		{"a technology generation is a name", "推进5G网络建设"},
		{"a hotline number is a name", "提升12345市民热线服务效能"},
		{"a quoted policy name is a name", "落实“30条”扶持政策"},
		{"a quoted formula is a slogan", "做实“1+1+1”签约服务"},
		{"an unquoted formula is a slogan", "推广3+X家庭医生执业模式"},
		{"a formula with letters is a slogan", "加快推进“1+12+x”公共安全视频监控建设"},
		{"a title in 《》 is a name", "制定《嘉定区加快发展三年行动方案(2019-2021)》"},
		{"a three-year action plan is a name", "深入实施消除劣V类水体三年行动计划"},
		{"a water grade is a category", "消除劣V类水体"},
		{"hospital grades are categories", "加强社区卫生中心与二三级医院的联动共建"},
		{"an age is a category", "依法规范3岁以下幼儿托育服务工作"},
		{"an age range is a category", "完善0-3岁婴幼儿照护服务"},
		{"a project phase is a name", "完成黄渡大居一期动迁腾地工作"},
		{"进一步 contains a numeral", "进一步优化营商环境"},
		{"长三角 contains a numeral", "更好融入长三角一体化发展"},
		{"一网通办 contains a numeral", "深化一网通办改革"},
		{"双随机一公开 contains a numeral", "加大双随机一公开监管力度"},
		{"一批 is an article", "推荐一批技术创新能力强的科技型中小企业"},
		{"二次开发 is a word", "围绕园区二次开发做精做强"},
		{"十项准则 is a rule's name", "推动中小幼教师职业行为十项准则落地"},
		{"四大 is not a count", "落实四大新兴产业企业认定"},
		{"an unquoted policy package is a name", "出台促进消费20条措施"},
		{"a plenum is a name", "贯彻落实区委十一届十次全会精神"},
		{"a party congress is a name", "深入学习贯彻党的二十大精神"},
		{"十三五 is a period's name", "编制十三五规划中期评估报告"},
		{"a duration without a limit is a span", "用三年时间完成改造"},
		{"a duration in days without a limit is a date", "于15日前完成"},
		{"a bare number is a code", "开通962000物业服务热线"},
		{"PM2.5 is a name", "加强PM2.5污染防治"},
		{"十分 is an adverb, not a score", "这项工作十分重要"},
		{"部门 are departments, not units", "会同3部门开展联合执法"},
		{"a figure since last year is an achievement", "去年以来，全区累计完成征收4200户。"},
		{"a figure of the past year is an achievement", "过去一年，新增就业岗位2万个，城镇登记失业率控制在4%以内。"},
		{"a figure already reached is an achievement", "全区已建成口袋公园12座"},
		{"两轮车 is a vehicle", "规范两轮车停放秩序"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quantities(tt.in); len(got) != 0 {
				t.Errorf("Extract(%q): got %d candidates (%q first), want none", tt.in, len(got), got[0].Text)
			}
		})
	}
}

func TestMilestones(t *testing.T) {
	tests := []struct {
		name, in, text, title string
	}{
		{"建成 takes its object after it", "建成轨交11号线陈翔路站", "建成", "建成轨交11号线陈翔路站"},
		{"joined verbs are one milestone", "推进嘉定印象城项目建成开业", "建成开业", "嘉定印象城项目建成开业"},
		{"开业 reports on the subject before it", "全力做好江桥医院新院开业启用各项准备工作", "开业启用", "江桥医院新院开业启用"},
		{"启用 reports on the subject before it", "区档案馆新馆年内启用", "启用", "区档案馆新馆年内启用"},
		{"投入使用 reports on the subject before it", "推进区中心医院新院投入使用", "投入使用", "区中心医院新院投入使用"},
		{"出台 takes a titled document", "年内出台《青川区基层医疗卫生服务能力提升方案》", "出台", "出台《青川区基层医疗卫生服务能力提升方案》"},
		{"发布 drops a following 实施", "发布实施不可移动文物保护三年行动计划", "发布", "发布不可移动文物保护三年行动计划"},
		{"完成 takes its object after it", "完成云翔拓展区动迁腾地工作", "完成", "完成云翔拓展区动迁腾地工作"},
		{"基本公共 stays in the title", "完成基本公共文化服务标准化国家级试点", "完成", "完成基本公共文化服务标准化国家级试点"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Extract(tt.in)
			if len(got) != 1 || got[0].Kind != plan.Milestone {
				t.Fatalf("Extract(%q): got %+v, want one milestone", tt.in, got)
			}
			if got[0].Text != tt.text || got[0].Title != tt.title {
				t.Errorf("Extract(%q): got %q titled %q, want %q titled %q", tt.in, got[0].Text, got[0].Title, tt.text, tt.title)
			}
		})
	}
}

func TestNotMilestones(t *testing.T) {
	for _, in := range []string{
		"加快促进产业项目早落地、早开工",     // a hope
		"加快推进一批重大制造业项目尽快落地投产", // unnamed projects
		"深化增值税改革",             // no deliverable verb
		"确保完成相关工作",            // names nothing
	} {
		if got := Extract(in); len(got) != 0 {
			t.Errorf("Extract(%q): got %q, want no milestone", in, got[0].Text)
		}
	}
}

func TestLookingBackEndsWithTheSentence(t *testing.T) {
	got := quantities("去年以来，全区累计完成征收4200户。今年新建学校3所。")
	if len(got) != 1 || got[0].Value != 3 {
		t.Errorf("got %+v, want only this year's 3所", got)
	}
}

func TestLastYearIsAnAccount(t *testing.T) {
	got := quantities("江北区2025年重点任务\n2024年，全区地区生产总值达到1850亿元，增长5.8%。2025年，新增就业岗位3万个。")
	if len(got) != 1 || got[0].Value != 30000 {
		t.Errorf("got %+v, want only 2025's 3万个", got)
	}
}

func TestAChapterTitleIsNotAMilestone(t *testing.T) {
	got := Extract("一、办好民生实事\n1.推进区中心医院新院建成启用")
	if len(got) != 1 || got[0].Item != "1" || got[0].Text != "建成启用" {
		t.Errorf("got %+v, want only the hospital milestone of item 1", got)
	}
}

func TestAQuantityInTheClauseWinsOverAMilestone(t *testing.T) {
	got := Extract("年内建成公交枢纽站1座")
	if len(got) != 1 || got[0].Kind != plan.Quantity {
		t.Fatalf("got %+v, want one quantity", got)
	}
}
