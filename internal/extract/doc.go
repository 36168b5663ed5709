// Package extract finds the commitments of a Chinese government work plan:
// numeric targets ("确保新开工13.5万平方米", "控制在1743吨以下", "全覆盖",
// "零增长") and dated milestones ("建成开业", "出台《…》"), drafts them as
// targets.yaml entries, and audits a targets file against them so that no
// commitment is dropped unnoticed.
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
//   - Durations (天, 工作日, 个月) count only under a limit (压缩至, 以内),
//     ages only when raised to (达到79.5岁); years, grades, phases and route
//     numbers (年, 级, 类, 期, 号线) are never units.
//   - A lone Chinese 一 is an article ("一批", "进一步", "一体化"), not a
//     count; a numeral run that is not a well-formed number (十三五, 二三级)
//     is a name.
//   - A size that qualifies a later count ("10亿元以上项目5个") is part of
//     the counted thing; a range ("3-5条") commits to its lower bound.
//   - A sentence that looks back ("去年以来", "过去一年", "已建成") reports
//     work done, not work promised.
//
// Direction, hedges, full coverage, zero targets and milestone verbs come
// from the cue words in cue.go; deadlines ("6月底前") from due.go.
//
// Items are numbered as the document numbers them (一、 （一） 1. 1.1 （1）),
// in Arabic digits, with enclosing numbers where plain numbers restart in
// each chapter ("2.5"), and N.0 for a chapter's introduction when its
// number would clash with a task's.
package extract
