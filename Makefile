# fineract-jobs: build, run and test on a fresh Debian machine.
#
#   make run    install what is missing, build, start the service on its embedded PostgreSQL
#   make test   install what is missing, start a throwaway PostgreSQL, run every test

SWIFT ?= swift
DEBIAN_PACKAGES := libpq-dev libmicrohttpd-dev libcurl4-openssl-dev pkg-config postgresql
BUILD_FLAGS ?=
REACTION_SUITES := ExecutionEngineTests|MisfireTests|GracefulShutdownTests|LeaseTests|SchedulerTests

.PHONY: all deps build run test test-multinode chaos bench bench-domain clean

all: build

## Installs the Debian packages the build and the embedded database need, when any is missing.
deps:
	@scripts/install-deps.sh $(DEBIAN_PACKAGES)

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

## Builds and starts the service; with no POSTGRES_* or DATABASE_URL it starts its own database.
run: build
	$(SWIFT) run $(BUILD_FLAGS) fineract-jobs seed-demo
	$(SWIFT) run $(BUILD_FLAGS) fineract-jobs serve

## Runs every test against a throwaway PostgreSQL started for the run.
test: deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	@# The e-mail tests talk to a real SMTP server built on aiosmtpd; without it they skip, saying so.
	python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install --quiet aiosmtpd \
		|| echo "aiosmtpd could not be installed; the e-mail notification tests will be skipped"
	@# Suites that measure how fast the engine reacts (cancel, timeouts, shutdown deadlines, misfires)
	@# run first, on their own: two cores loaded by the other 70 suites can delay a reaction by seconds.
	scripts/with-test-postgres.sh $(SWIFT) test --skip-build $(BUILD_FLAGS) --filter '$(REACTION_SUITES)'
	scripts/with-test-postgres.sh $(SWIFT) test --skip-build $(BUILD_FLAGS) --skip '$(REACTION_SUITES)'
	python3 -c 'import yaml, jsonschema' 2>/dev/null || python3 -m pip install --quiet pyyaml jsonschema
	scripts/with-test-postgres.sh python3 Tests/HasuraMetadata/validate_metadata.py

## The multi-node scheduling test at full length: three nodes for five minutes, one restarted.
test-multinode: deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	MULTINODE_SECONDS=300 scripts/with-test-postgres.sh $(SWIFT) test --skip-build $(BUILD_FLAGS) \
		--filter MultiNodeSchedulingTests

## Three nodes, 5,000 executions, one node killed with SIGKILL every few seconds; prints the counts.
chaos: deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	CHAOS_EXECUTIONS=$${CHAOS_EXECUTIONS:-5000} scripts/with-test-postgres.sh $(SWIFT) test --skip-build \
		$(BUILD_FLAGS) --filter ChaosTests

## Throughput and enqueue-to-start latency of fineract-jobs beside pgqueuer and procrastinate.
bench: deps
	scripts/bench.sh

## Savings interest posting and loan COB on 100,000 seeded accounts and loans, one node and three.
bench-domain: deps
	scripts/bench-domain.sh

clean:
	rm -rf .build
