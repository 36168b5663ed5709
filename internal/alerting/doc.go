// Package alerting proves the alerting configuration targetwatch ships:
// the Prometheus scrape config and alert rules in deploy/prometheus, and the
// Alertmanager routing by agency in deploy/alertmanager.
//
// It has no code of its own, only tests:
//   - config_test.go checks the files against the names in
//     internal/plan/names.go (alert, metric, label and job names, the
//     dashboard link) and asks amtool which receiver each agency of the
//     repo's targets.yaml reaches;
//   - e2e_test.go runs targetwatch, a real Prometheus and a real
//     Alertmanager on 127.0.0.1 and checks the notifications a webhook
//     receives, including the inhibition of TargetAtRisk by TargetOffTrack.
//
// The rules' own unit tests are promtool's: `promtool test rules
// deploy/prometheus/rules/targetwatch.rules.test.yml` (make rules).
package alerting
