# The one test command (README, CI): `make test`.
GO        ?= go
# Fuzz budgets are execution counts, about 20 s each on a 2-core machine.
# A duration (-fuzztime=20s) can fail a run with "context deadline
# exceeded" and no failing input under CPU contention: a race in Go's fuzz
# coordinator at the deadline (go.dev/issue/75804, fixed in Go 1.27). A
# count has no deadline to race.
FUZZX     ?= 1
# The fuzzer minimises every input that finds new code for up to
# -fuzzminimizetime (60s by default) and counts none of those runs until it
# is done: a big seed (a whole plan) then freezes the exec counter for the
# whole run. 2s keeps the runs fuzzing.
FUZZMINTIME ?= 2s

.PHONY: test vet unit fuzz rules metrics-check bench-smoke build run bench

test: vet unit fuzz rules bench-smoke

build:
	$(GO) build -o bin/targetwatch ./cmd/targetwatch

vet:
	@test -z "$$(gofmt -l cmd internal)" || (echo "gofmt needed:"; gofmt -l cmd internal; exit 1)
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 ./...

# Each fuzz target runs briefly so the corpora keep being exercised;
# FUZZX=10 runs ten times as many inputs.
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzParse -fuzztime=$$((400000*$(FUZZX)))x -fuzzminimizetime=$(FUZZMINTIME) ./internal/planfile
	$(GO) test -run='^$$' -fuzz=FuzzExtract -fuzztime=$$((100000*$(FUZZX)))x -fuzzminimizetime=$(FUZZMINTIME) ./internal/extract
	$(GO) test -run='^$$' -fuzz='^FuzzFigureBody$$' -fuzztime=$$((150000*$(FUZZX)))x -fuzzminimizetime=$(FUZZMINTIME) ./internal/api
	$(GO) test -run='^$$' -fuzz='^FuzzCSVImport$$' -fuzztime=$$((150000*$(FUZZX)))x -fuzzminimizetime=$(FUZZMINTIME) ./internal/api
	$(GO) test -run='^$$' -fuzz='^FuzzReadPeriod$$' -fuzztime=$$((200000*$(FUZZX)))x -fuzzminimizetime=$(FUZZMINTIME) ./internal/plan
	$(GO) test -run='^$$' -fuzz='^FuzzReadFigure$$' -fuzztime=$$((200000*$(FUZZX)))x -fuzzminimizetime=$(FUZZMINTIME) ./internal/plan
	$(GO) test -run='^$$' -fuzz='^FuzzStoredFigures$$' -fuzztime=$$((4000*$(FUZZX)))x -fuzzminimizetime=$(FUZZMINTIME) ./internal/metrics

# Static checks of the shipped Prometheus and Alertmanager configuration.
# (check config also checks the rule files it loads.)
rules:
	promtool check config deploy/prometheus/prometheus.yml
	promtool check rules deploy/prometheus/rules/targetwatch.rules.yml
	promtool test rules deploy/prometheus/rules/targetwatch.rules.test.yml
	amtool check-config deploy/alertmanager/alertmanager.yml

# Benchmarks run once so they keep compiling and working.
bench-smoke:
	$(GO) test -run='^$$' -bench=. -benchtime=1x ./...
