package extract

import (
	"testing"

	"github.com/targetwatch/targetwatch/internal/plan"
)

func TestParseChinese(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want float64
		ok   bool
	}{
		{"a single digit is itself", "七", 7, true},
		{"两 is two", "两", 2, true},
		{"十 alone is ten", "十", 10, true},
		{"十二 omits the leading 一", "十二", 12, true},
		{"二十五 is two tens and five", "二十五", 25, true},
		{"一百零五 keeps the zero", "一百零五", 105, true},
		{"两千五 abbreviates the hundreds", "两千五", 2500, true},
		{"三万五千 spans two sections", "三万五千", 35000, true},
		{"三万五 abbreviates the thousands", "三万五", 35000, true},
		{"十三点五 has a decimal point", "十三点五", 13.5, true},
		{"一亿二千万 mixes big units", "一亿二千万", 120000000, true},
		{"二〇一九 is written digit by digit", "二〇一九", 2019, true},
		{"十三五 is a name, not a number", "十三五", 0, false},
		{"二三 lists two grades", "二三", 0, false},
		{"a bare 千 is not a number (千方百计)", "千", 0, false},
		{"a bare 百 is not a number (百姓)", "百", 0, false},
		{"万一 is a word", "万一", 0, false},
		{"十百 is not well formed", "十百", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseChinese([]rune(tt.in))
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("parseChinese(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// quantities extracts the quantitative candidates of one sentence.
func quantities(s string) []Candidate {
	var out []Candidate
	for _, c := range Extract(s) {
		if c.Quantitative() {
			out = append(out, c)
		}
	}
	return out
}

// one extracts the single quantitative candidate of a sentence.
func one(t *testing.T, s string) Candidate {
	t.Helper()
	got := quantities(s)
	if len(got) != 1 {
		t.Fatalf("Extract(%q): got %d quantitative candidates %+v, want 1", s, len(got), got)
	}
	return got[0]
}

func TestNormalise(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		value  float64
		unit   string
		approx bool
	}{
		{"a decimal with 万 is multiplied out", "确保新开工13.5万平方米", 135000, "平方米", false},
		{"亿 multiplies money", "完成工业固定资产投资85亿元", 8.5e9, "元", false},
		{"两 counts two", "启动城中村改造项目两个", 2, "个", false},
		{"十二 in Chinese numerals", "建成社区托育点十二个", 12, "个", false},
		{"两千 in Chinese numerals", "新增公益林两千亩", 2000, "亩", false},
		{"余 after the number is approximate", "新建生态廊道2500余亩", 2500, "亩", true},
		{"多 after the number is approximate", "培训家政服务人员300多名", 300, "名", true},
		{"余 after a multiplier is approximate", "完成旧住房修缮1.5万余平方米", 15000, "平方米", true},
		{"百分之 with Chinese numerals is a percentage", "百分之七十的村居实现垃圾分类达标", 70, "%", false},
		{"百分之 with Arabic digits is a percentage", "优良天数比例达到百分之85", 85, "%", false},
		{"a percent sign is a percentage", "确保70%以上居住区实现垃圾分类实效达标", 70, "%", false},
		{"a full-width percent sign is a percentage", "公共绿地服务半径覆盖率达到９０％", 90, "%", false},
		{"full-width digits are read", "淘汰劣势企业１２０家", 120, "家", false},
		{"thousands separators are read", "完成农村生活污水处理设施改造1,200户", 1200, "户", false},
		{"千米 is a unit, not a multiplier", "新建绿道5千米", 5, "千米", false},
		{"平方公里 beats 平方米 and 公里", "完成土地整治2.5平方公里", 2.5, "平方公里", false},
		{"个百分点 is a unit of its own", "城镇登记失业率下降0.5个百分点", 0.5, "个百分点", false},
		{"a daily count is a rate per day", "日均湿垃圾分类量达到400吨", 400, "吨/日", false},
		{"条段 counts river sections", "消除劣V类水体不少于329条段", 329, "条段", false},
		{"a number next to a dotted item number is read", "新建污水管道16公里", 16, "公里", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := one(t, tt.in)
			if c.Value != tt.value || c.Unit != tt.unit || c.Approximate != tt.approx {
				t.Errorf("Extract(%q): got %v %s approximate=%v, want %v %s approximate=%v",
					tt.in, c.Value, c.Unit, c.Approximate, tt.value, tt.unit, tt.approx)
			}
		})
	}
}

func TestDailyRateCarriesThroughTheSentence(t *testing.T) {
	got := quantities("确保全区日均干垃圾总量控制在1743吨以下，湿垃圾分类总量提高到330吨。另外清运渣土5000吨。")
	want := []struct {
		unit string
		agg  plan.Aggregation
	}{{"吨/日", plan.Mean}, {"吨/日", plan.Mean}, {"吨", plan.Sum}}
	if len(got) != len(want) {
		t.Fatalf("got %d candidates, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Unit != w.unit || got[i].Aggregation != w.agg {
			t.Errorf("candidate %d (%s): got %s %s, want %s %s", i, got[i].Text, got[i].Unit, got[i].Aggregation, w.unit, w.agg)
		}
	}
}

func TestUnitEN(t *testing.T) {
	tests := []struct{ zh, want string }{
		{"平方米", "m²"},
		{"万平方米", "10k m²"},
		{"吨/日", "t/day"},
		{"微克/立方米", "µg/m³"},
		{"条段", "river sections"},
		{"光年", ""},
	}
	for _, tt := range tests {
		if got := unitEN(tt.zh); got != tt.want {
			t.Errorf("unitEN(%q) = %q, want %q", tt.zh, got, tt.want)
		}
	}
}
