# The two commands: `make run` starts the whole system, `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# pytest-xdist workers for `make test`: three overlap the tests' waits on brokers and processes on
# two cores; a test file stays on one worker (its module fixtures start once).
TEST_WORKERS ?= 3

.PHONY: run test lint format catalogue rules-map bench bench-bus chaos migrations-check clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m deploy.launcher

# Load the synthetic county 532325 into running services (`make run` does it when empty).
.PHONY: seed
seed: $(STAMP)
	$(PY) -m deploy.seed load

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy
	$(PY) -m shared.migrations check all
	$(PY) -m shared.policy.rules_map --check
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# The event catalogue (docs/asyncapi.yaml, docs/events.md), generated from the event models and
# the services' subscriptions; a unit test fails when the committed files are stale.
catalogue: $(STAMP)
	$(PY) -m shared.events.asyncapi

# The rules map (docs/rules.md): per rule ID its seed sentence, code, parameters per county and
# tests, generated from shared/policy/rules/*.yaml and the repository; `make test` fails when stale.
rules-map: $(STAMP)
	$(PY) -m shared.policy.rules_map

# Every row of the performance table in one run, printed and written to docs/performance.md
# (about 30 min at full scale; QUICK=1 small scales, nothing written; PROFILE=1 flame graphs of
# the settling service in var/bench/profiles/). PostgreSQL and wrk are installed with apt when
# missing (the tests never need wrk); the PostgreSQL rows run on the cluster deploy/ci-postgres.sh
# starts.
bench: $(STAMP)
	$(if $(PROFILE),$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt -c constraints.txt)
	BENCH_DATABASE_URL=$${BENCH_DATABASE_URL:-$$(bash deploy/ci-postgres.sh)} \
		$(PY) bench/all.py $(if $(QUICK),--quick) $(if $(PROFILE),--profile)

bench-bus: $(STAMP)
	$(PY) bench/bus.py

# The chaos soak (bench/chaos.py): the stack under mixed traffic while a service, a relay and the
# broker are each killed once, on SQLite and PostgreSQL (the cluster deploy/ci-postgres.sh starts);
# prints lost and doubled effects (goal 0 and 0) and p99 before, during and after each fault, and
# fails otherwise. About 5 minutes; PHASE=seconds between faults (default 30).
chaos: $(STAMP)
	BENCH_DATABASE_URL=$${BENCH_DATABASE_URL:-$$(bash deploy/ci-postgres.sh)} \
		$(PY) -m bench.chaos $(if $(PHASE),--phase $(PHASE))

clean:
	rm -rf $(VENV) var
