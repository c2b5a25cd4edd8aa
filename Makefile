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
## built binary (e2e/reliability_test.go), then each fuzz target from its seed
## corpus in testdata/fuzz/.
reliability:
	$(GO) test -race -count=1 -timeout $(TESTTIMEOUT) -run 'TestReliability' ./e2e
	$(MAKE) fuzz

## fuzz: each fuzz target from its seed corpus (CI runs it after make test,
## which already runs the reliability suite), for a number of inputs sized to
## about five seconds of fuzzing on an idle machine; FUZZTIME=30s sets a
## duration for all instead. A count, unlike a duration, does not meet Go
## 1.26's fuzzing coordinator race that fails a target with "context deadline
## exceeded" as its duration ends on a busy machine (go.dev/issue/75804).
fuzz_one = $(GO) test -run '^$$' -fuzz '^$(1)$$' -fuzztime $(or $(FUZZTIME),$(2)) $(3)
fuzz:
	$(call fuzz_one,FuzzJSONRoundTrip,60000x,./bindings/luajson)
	$(call fuzz_one,FuzzCSVParse,20000x,./bindings)
	$(call fuzz_one,FuzzMemberFile,40000x,./bindings)
	$(call fuzz_one,FuzzCallArgs,500x,./bindings)
	$(call fuzz_one,FuzzParseConfig,20000x,./runtime/jobs)
	$(call fuzz_one,FuzzLuaScript,30x,./runtime/vm)
	$(call fuzz_one,FuzzOpen,200000x,./wecom/callback)
	$(call fuzz_one,FuzzParseEvent,100000x,./wecom/callback)

golden:
	$(GO) test $(PKGS) -update

## generate: the code and docs made from wecom's method table (wecom/internal/table).
generate:
	$(GO) generate ./wecom

clean:
	rm -rf bin .runner
