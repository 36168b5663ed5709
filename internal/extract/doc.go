// Package extract finds the commitments of a Chinese government work plan:
// numeric targets ("确保新开工13.5万平方米", "控制在1743吨以下", "全覆盖",
// "零增长") and dated milestones ("建成开业", "出台《…》"), and audits a
// targets file against them so that no commitment is dropped unnoticed.
//
// The rules are about how such plans state commitments in general, not
// about one plan's sentences:
//
//   - A number is a commitment only when a unit or measure word follows it
//     (个, 家, 亩, 公里, 吨, %, 万平方米 …), or it is written 百分之…; bare
//     numbers are years, codes, hotlines or names.
//   - Numbers inside quotation marks or 《》 are names and slogans
//     ("30条", "1+1+1", 《…三年行动计划》); 第 makes an ordinal (第四次);
//     a Latin letter or "+" next to the digits makes a code (S7, 5G, 3+X).
//   - Durations (天, 工作日, 个月) count only under a limit (压缩至, 以内);
//     ages, grades, years, phases and route numbers (岁, 级, 类, 年, 期,
//     号线) are not units.
//   - A lone Chinese 一 is an article ("一批", "进一步", "一体化"), not a
//     count.
//
// Direction, approximation and full coverage come from cue words around the
// number; see cue.go.
package extract
