package extract_test

import (
	"fmt"

	"github.com/targetwatch/targetwatch/internal/extract"
)

func ExampleExtract() {
	doc := "10.2深入实施消除劣V类水体三年行动计划，确保消除劣V类水体不少于329条段。\n" +
		"11.1确保全区日均干垃圾总量控制在1743吨以下，湿垃圾分类总量提高到330吨。\n" +
		"14.3办好区第三届青少年运动会。\n"
	for _, c := range extract.Extract(doc) {
		fmt.Printf("%s %s %q: %s %v %s (%s)\n", c.ID, c.Kind, c.Text, c.Direction, c.Value, c.Unit, c.Aggregation)
	}
	// Output:
	// item-10-2 quantity "不少于329条段": at_least 329 条段 (sum)
	// item-11-1a quantity "控制在1743吨以下": at_most 1743 吨/日 (mean)
	// item-11-1b quantity "提高到330吨": at_least 330 吨/日 (mean)
	// item-14-3 milestone "办好": complete 1 项 (max)
}
