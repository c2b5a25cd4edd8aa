# runner: build, test and try the WeCom automation runner.

GO      ?= go
BIN     := bin/runner
PKGS    := ./...

.PHONY: all build test fuzz lint vet fmt-check bench demo emulator golden generate reliability clean

all: build

build:
	$(GO) build -o $(BIN) .

## test: formatting, vet, and every test with the race detector (what CI runs).
## The package of the binary's end-to-end tests takes minutes, and on a busy
## machine more than go test's default limit of 10 minutes.
TESTTIMEOUT ?= 30m
test: fmt-check vet
	$(GO) test -race -count=1 -timeout $(TESTTIMEOUT) $(PKGS)

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

lint: fmt-check vet

## bench: the benchmarks of the client, the emulator, the bindings, the
## scheduler and the runner at scale (a few minutes, most of it the large
## ones): a 50,000-member user.list in a runner process against the same list
## in Python (BenchmarkUserListProcess50k, with python3), the nightly jobs at
## 100,000 members (BenchmarkNightlyJobs100k), a 5,000-department sync, 1,000
## jobs firing together (BenchmarkSchedulerLag1000) and 100,000 runs in the
## state (BenchmarkBoltHistory100k). BENCHFLAGS=-short runs the large ones
## smaller (10,000 members, 500 departments, shorter windows) and the fan-out
## with 1,000 messages instead of 10,000; BENCHFLAGS='-bench Nightly' picks
## benchmarks by name. To time another runner binary beside this one:
## go test -run '^$$' -bench UserListProcess -before=PATH ./e2e.
BENCHFLAGS ?=
BENCHTIMEOUT ?= 30m
bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout $(BENCHTIMEOUT) $(BENCHFLAGS) $(PKGS)

## demo: the example jobs, once, against the built-in emulator: the three
## nightly and daily ones and offboarding's nightly directory copy, then the
## event jobs, triggered by a member joining and one leaving in the
## emulator's admin console.
demo: build
	$(BIN) jobs run --emulator --config jobs.yaml nightly-department-sync replace-users daily-report offboarding
	$(BIN) events try --config jobs.yaml --join xiaoming:6:小明 --leave xuming

## emulator: a local WeCom API with the demo organisation on 127.0.0.1:8080.
emulator: build
	$(BIN) emulator

## reliability: the fault, bad-input, sandbox and secrets suite through the
## built binary (e2e/reliability_test.go), then each fuzz target for FUZZTIME from
## its seed corpus in testdata/fuzz/ (about three minutes in all).
FUZZTIME ?= 10s
reliability:
	$(GO) test -race -count=1 -timeout $(TESTTIMEOUT) -run 'TestReliability' ./e2e
	$(MAKE) fuzz

## fuzz: each fuzz target for FUZZTIME from its seed corpus (CI runs it after
## make test, which already runs the reliability suite).
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzJSONRoundTrip$$' -fuzztime $(FUZZTIME) ./bindings/luajson
	$(GO) test -run '^$$' -fuzz '^FuzzCSVParse$$' -fuzztime $(FUZZTIME) ./bindings
	$(GO) test -run '^$$' -fuzz '^FuzzMemberFile$$' -fuzztime $(FUZZTIME) ./bindings
	$(GO) test -run '^$$' -fuzz '^FuzzCallArgs$$' -fuzztime $(FUZZTIME) ./bindings
	$(GO) test -run '^$$' -fuzz '^FuzzParseConfig$$' -fuzztime $(FUZZTIME) ./runtime/jobs
	$(GO) test -run '^$$' -fuzz '^FuzzLuaScript$$' -fuzztime $(FUZZTIME) ./runtime/vm
	$(GO) test -run '^$$' -fuzz '^FuzzOpen$$' -fuzztime $(FUZZTIME) ./wecom/callback
	$(GO) test -run '^$$' -fuzz '^FuzzParseEvent$$' -fuzztime $(FUZZTIME) ./wecom/callback

golden:
	$(GO) test $(PKGS) -update

## generate: the code and docs made from wecom's method table (wecom/internal/table).
generate:
	$(GO) generate ./wecom

clean:
	rm -rf bin .runner
