// Package deploy proves the deployment files targetwatch ships outside
// Prometheus and Alertmanager (those are internal/alerting's): the systemd
// units in deploy/systemd and docker-compose.yml.
//
// It has no code of its own, only tests:
//   - systemd_test.go has systemd-analyze verify the units and rate their
//     sandboxing, and runs the units' command lines with the real binary;
//   - compose_test.go loads docker-compose.yml with the Compose
//     specification's own loader and checks every path it builds from or
//     mounts.
package deploy
