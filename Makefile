# The two commands a new user needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
CHECKOV_VENV := .venv-checkov
PY := $(VENV)/bin/python
PORT ?= 3000
TELEGRAM_ID ?= 42
NAME ?= Alice

export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export PYTHONPATH := $(CURDIR)/layers/shared:$(CURDIR)/tools
export SAM_CLI_TELEMETRY := 0
export PYTHONDONTWRITEBYTECODE := 1

# seed-events, make-admin and stop pass PORT on only when it was given (command line or
# environment); otherwise they find the running `make run` themselves (.local/run-<port>.json).
PORT_ARG = $(if $(filter file,$(origin PORT)),,--port $(PORT))

.PHONY: help run start stop test test-fast lint format typecheck validate build browser pytest dev-init-data app-url seed-events make-admin openapi alarms bench bench-short clean remind mails set-webhook

# A test checks that every .PHONY target is named here.
help:
	@echo "make run            the API on http://127.0.0.1:$(PORT) (embedded DynamoDB; docs at /docs)"
	@echo "make start          the same in the background (log: .local/run.log); make stop ends it"
	@echo "make stop           stop the make run/make start server (the one on PORT= if given)"
	@echo "make test           everything: lint, typecheck, validate, build, pytest and test-sam"
	@echo "                    (test-sam needs a Docker engine: started for it when root)"
	@echo "make test-fast      the inner loop: lint, typecheck, build, pytest without the"
	@echo "                    sam_local and browser tests (no Docker, no Chromium)"
	@echo "make dev-init-data  signed Telegram initData for curl (TELEGRAM_ID=42 NAME=Alice)"
	@echo "make app-url [TELEGRAM_ID=42] [NAME=Alice] [ADMIN=1]  a link that opens the Mini App"
	@echo "                    in any browser as that member, signed in (needs make run);"
	@echo "                    EVENT=<id> [REF=UP-XXXXXX]: as a deep link into that event"
	@echo "make seed-events FILE=events.json [ALLOW_PAST=1]  load events (all or nothing) into"
	@echo "                    make run's table (ALLOW_PAST=1: events already started too)"
	@echo "make make-admin TELEGRAM_ID=42 [ROLE=member|staff]  grant the admin role (or another)"
	@echo "make openapi        write openapi.json, the combined OpenAPI document of every function,"
	@echo "                    and the Mini App's API types generated from it (miniapp/src/api-types.ts)"
	@echo "make alarms         write template.yaml's function alarms (tools/devkit/template/alarms.py)"
	@echo "make remind [NOW=2030-01-10T17:30:00Z]  one reminder sweep against make run (fake Bot API)"
	@echo "make mails [TO=address]  the emails make run sent (moto's SES), with their links and attachments"
	@echo "make set-webhook URL=https://.../api/telegram/webhook [ENV=stack]  Telegram's setWebhook"
	@echo "make lint           ruff check + ruff format --check    make format   fix both"
	@echo "make typecheck      mypy (strict) on the shared package and the dev tools (tools/devkit)"
	@echo "make validate       sam validate --lint, cfn-lint, checkov on template.yaml"
	@echo "make build          sam build (with bytecode: tools/build/Makefile)"
	@echo "make pytest         the pytest suite alone (installs chromium and dynalite first)"
	@echo "make browser        Debian's chromium for the screenshot test"
	@echo "make sam-image      build the local Lambda emulation image (once; offline)"
	@echo "make invoke FN=GenerateCodeFunction [EVENT=file]   real sam local invoke"
	@echo "make test-sam       every function under sam local invoke + start-api walk-through"
	@echo "make miniapp        build the Mini App (miniapp/dist) and print its first-screen size"
	@echo "make miniapp-check  the same + the size budget + Vitest (part of make pytest)"
	@echo "make publish-miniapp STACK=community-dev   upload the Mini App to the stack's bucket"
	@echo "make bench          cold start / warm overhead / DynamoDB calls / sizes table"
	@echo "make bench-short    the same, briefly (1 cold run, source build and lambdalith for one"
	@echo "                    function only, 100 warm calls; part of make test)"
	@echo "make capacity       launch-day DynamoDB units, hot partitions and cost (CAPACITY_ARGS=--help)"
	@echo "make clean          remove build and tool caches"
	@echo "make help           this list (also plain make)"

# uv installs the pinned requirements into the venvs (pip's resolution, same versions: checked
# with pip freeze) in ~8 s where pip took ~55 s from nothing, downloading in parallel. The venvs
# keep pip: sam build's Python workflow runs `python -m pip` of the python on PATH.
# --compile-bytecode as pip does: make exports PYTHONDONTWRITEBYTECODE, so without .pyc files
# every process the tests start (servers, sam, bench children) would compile its imports again
# (pytest took 245 s instead of 200 on a fresh clone); +10 s once.
UV_VERSION := 0.13.9
UV_REQUIREMENT := uv==$(UV_VERSION)
# UV=/path/to/uv uses that one instead (tests/e2e/test_makefile.py: no registry there).
UV ?= $(VENV)/bin/uv

# Two makes at once on a fresh clone (`make run &` and `make dev-init-data`) must not both
# build the venv (pip crashes): the second waits for the lock, then finds the stamp current.
$(VENV)/.installed: requirements-dev.txt layers/dependencies/requirements.txt
	@mkdir -p .local
	@exec 9>.local/venv.lock; \
	if command -v flock >/dev/null; then flock 9; else echo "no flock: not safe to run two makes at once" >&2; fi; \
	if [ -f $@ ] && [ $@ -nt requirements-dev.txt ] && [ $@ -nt layers/dependencies/requirements.txt ]; then exit 0; fi; \
	set -e; \
	test -x $(PY) || "$$(tools/python313.sh)" -m venv $(VENV); \
	echo "installing requirements-dev.txt into $(VENV)" >&2; \
	test -x $(UV) || $(PY) -m pip install --quiet "$(UV_REQUIREMENT)"; \
	$(UV) pip install --python $(PY) --quiet --compile-bytecode -r requirements-dev.txt; \
	touch $@

# Its own venv, filled by the main venv's uv (so it comes after it).
$(CHECKOV_VENV)/.installed: requirements-checkov.txt $(VENV)/.installed
	@test -x $(CHECKOV_VENV)/bin/python || "$$(tools/python313.sh)" -m venv $(CHECKOV_VENV)
	$(UV) pip install --python $(CHECKOV_VENV)/bin/python --quiet -r requirements-checkov.txt
	@touch $@

# dynalite: a second, independent DynamoDB implementation (Node) the concurrency tests also
# run against. Pinned; installed under the git-ignored .local/ by npm.
DYNALITE_VERSION := 4.0.0
DYNALITE_STAMP := .local/dynalite/.installed-$(DYNALITE_VERSION)

$(DYNALITE_STAMP):
	npm install --prefix .local/dynalite --no-audit --no-fund --silent dynalite@$(DYNALITE_VERSION)
	@touch $@

run: $(VENV)/.installed miniapp/dist/index.html
	PORT=$(PORT) $(PY) -m devkit.local.server --port $(PORT)

start: $(VENV)/.installed miniapp/dist/index.html
	@PORT=$(PORT) $(PY) -m devkit.local.background start --port $(PORT)

stop: $(VENV)/.installed
	@$(PY) -m devkit.local.background stop $(PORT_ARG)

# A make variable's exact text as one shell word: NAME='Bob $$HOME `id -u`' stays that name
# (neither make nor the shell expands anything in it). Every target that passes NAME or
# TELEGRAM_ID on to a tool passes it so.
shell_word = '$(subst ','\'',$(value $(1)))'

dev-init-data: $(VENV)/.installed
	@$(PY) -m devkit.local.initdata --telegram-id $(call shell_word,TELEGRAM_ID) --name $(call shell_word,NAME)

# The Mini App in any browser, signed in, on the running make run (docs/miniapp.md).
app-url: $(VENV)/.installed
	@$(PY) -m devkit.local.appurl --telegram-id $(call shell_word,TELEGRAM_ID) \
	  --name $(call shell_word,NAME) $(if $(filter-out 0,$(ADMIN)),--admin) $(PORT_ARG) \
	  $(if $(EVENT),--event $(call shell_word,EVENT)) $(if $(REF),--ref $(call shell_word,REF))

# The first admin (ROLE=member takes it back, ROLE=staff makes staff); admins grant roles in the app
# after that. See docs/api.md "Roles" (under "RSVPs and admins").
make-admin: $(VENV)/.installed
	@# Explicit only: granting admin to the default dev id by accident would be a surprise.
	@test "$(origin TELEGRAM_ID)" != file || { echo "usage: make make-admin TELEGRAM_ID=<id> [ROLE=member|staff] [PORT=...]" >&2; exit 2; }
	$(PY) -m devkit.ops.admin --telegram-id $(call shell_word,TELEGRAM_ID) --role "$(or $(ROLE),admin)" $(PORT_ARG)

seed-events: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "usage: make seed-events FILE=events.json [ALLOW_PAST=1] [PORT=...]" >&2; exit 2; }
	$(PY) -m devkit.ops.seed "$(FILE)" $(PORT_ARG) $(if $(ALLOW_PAST),--allow-past)

# One reminder sweep now (or at NOW=) against the running make run's tables and fake Bot API.
remind: $(VENV)/.installed
	$(PY) -m devkit.ops.remind $(PORT_ARG) $(if $(NOW),--now "$(NOW)")

# The emails the running make run sent through moto's SES (verification links, reminders).
mails: $(VENV)/.installed
	@$(PY) -m devkit.ops.mails $(PORT_ARG) $(if $(TO),--to "$(TO)")

# Register the bot's webhook with Telegram (secret token, allowed updates); docs/bot-and-email.md.
set-webhook: $(VENV)/.installed
	@test -n "$(URL)" || { echo "usage: make set-webhook URL=https://<domain>/api/telegram/webhook [ENV=<stack>]" >&2; exit 2; }
	$(PY) -m devkit.ops.setwebhook --url "$(URL)" $(if $(ENV),--env "$(ENV)")

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

# checkov skips a check for every resource of a type in .checkov.yaml, for one resource in that
# resource's Metadata; each with its reason.
validate: $(VENV)/.installed $(CHECKOV_VENV)/.installed
	$(VENV)/bin/sam validate --lint --region us-east-1
	$(VENV)/bin/cfn-lint template.yaml
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml --file template.yaml --framework cloudformation --skip-download --compact --quiet

# sam's build cache (samconfig.toml: cached) keys a layer by its own folder, not by
# tools/build/Makefile, which builds it: a changed recipe empties the cache once.
BUILD_RECIPE_STAMP := .aws-sam/.build-recipe

build: $(VENV)/.installed
	@if [ tools/build/Makefile -nt $(BUILD_RECIPE_STAMP) ]; then \
	  rm -rf .aws-sam/cache; mkdir -p .aws-sam; touch $(BUILD_RECIPE_STAMP); fi
	$(VENV)/bin/sam build --parallel

# Debian's Chromium for the screenshot test (root installs it; anyone else is told how).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing: 'sudo apt-get install chromium' (the screenshot test needs it)" >&2; exit 1; \
	  fi; }

# The Mini App's types come from the document (openapi-typescript, type-only but for the enums'
# value lists); tests/unit/test_openapi.py fails when either file is stale.
openapi: $(VENV)/.installed miniapp/node_modules/.package-lock.json
	$(PY) -m devkit.template.openapi > openapi.json
	cd miniapp && npm run --silent api-types

# The functions' Errors and Throttles alarms, from the list in tools/devkit/template/alarms.py
# (a test checks template.yaml holds what this writes; README "Adding an endpoint").
alarms: $(VENV)/.installed
	$(PY) -m devkit.template.alarms

# pytest-xdist: PYTEST_WORKERS processes (auto: one per core); PYTEST_WORKERS=0 runs the tests
# in this process. worksteal: an idle worker takes queued tests from a busy one.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL = $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist worksteal)

# build: tests/integration/test_build_bytecode.py checks what sam build made.
pytest: $(VENV)/.installed $(if $(CHECKED),,browser $(DYNALITE_STAMP) miniapp-check build)
	$(PY) -m pytest $(PYTEST_PARALLEL)

# The inner loop (docs/reliability.md "The suite"): what make test runs but validate, the Vitest tests,
# bench-short, the Chromium tests (marker browser) and test-sam. CI runs make test.
test-fast: lint typecheck $(DYNALITE_STAMP) miniapp/dist/index.html build
	$(PY) -m pytest $(PYTEST_PARALLEL) -m 'not sam_local and not browser'

# The Mini App (miniapp/, docs/miniapp.md): `npm ci` from the committed lockfile is its
# only install step; dist/ is rebuilt when missing or older than any source file.
.PHONY: miniapp miniapp-check publish-miniapp
MINIAPP_DEPS := miniapp/node_modules/.package-lock.json
MINIAPP_BUILT := miniapp/dist/index.html
MINIAPP_SOURCES := $(shell find miniapp/src miniapp/index.html miniapp/package.json \
  miniapp/tsconfig.json miniapp/vite.config.ts -type f 2>/dev/null)

$(MINIAPP_DEPS): miniapp/package-lock.json
	cd miniapp && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(MINIAPP_BUILT): $(MINIAPP_DEPS) $(MINIAPP_SOURCES)
	cd miniapp && npm run --silent build -- --logLevel warn

# Build (type check included) and print what the first screen loads, gzipped (budget 60 KB).
miniapp: $(MINIAPP_BUILT)
	@cd miniapp && node scripts/size.mjs

# make test: the build + type check, the size budget and the Vitest unit tests.
miniapp-check: miniapp
	cd miniapp && npm test --silent

# Upload miniapp/dist to the stack's bucket and invalidate /app/* (docs/miniapp.md).
publish-miniapp: $(VENV)/.installed miniapp
	$(PY) -m devkit.ops.publish_miniapp $(if $(STACK),--stack "$(STACK)")

# The real `sam local invoke` / `start-api` in Docker (tools/sam-local/, docs/sam-local.md).
# with-docker.sh starts a Docker engine for the command if none runs (as root) and stops it
# afterwards.
.PHONY: sam-image invoke test-sam
sam-image: $(VENV)/.installed
	tools/sam-local/with-docker.sh tools/sam-local/build-image.sh

invoke: $(VENV)/.installed build
	@test -n "$(FN)" || { echo "usage: make invoke FN=<function logical id> [EVENT=file]"; exit 2; }
	tools/sam-local/with-docker.sh bash -c 'tools/sam-local/build-image.sh && \
	  $(PY) -m devkit.samlocal invoke "$(FN)" $(if $(EVENT),--event "$(EVENT)")'

test-sam: $(VENV)/.installed $(if $(CHECKED),,build)
	tools/sam-local/test-sam.sh

# Cold starts, warm overhead, DynamoDB calls per request and package sizes (bench/run.py).
bench: $(VENV)/.installed build
	$(PY) bench/run.py $(BENCH_ARGS)

# In make test so the benchmark cannot rot unnoticed: every function runs (the source build and
# the lambdalith for one: each kind of target still runs), figures are printed,
# nothing is asserted (this machine is too noisy for thresholds). Its own results file.
bench-short: $(VENV)/.installed $(if $(CHECKED),,build)
	$(PY) bench/run.py --runs 1 --warm 100 --compare 1 --results .local/bench-short.json

# Launch-day DynamoDB capacity on paper (tools/devkit/capacity/, docs/capacity.md): exits 1
# when a partition key value is over DynamoDB's per-partition limits.
.PHONY: capacity
capacity: $(VENV)/.installed
	$(PY) -m devkit.capacity $(CAPACITY_ARGS)

# The checks and builds pytest needs do not depend on each other: three at a time (they mostly
# wait on one core or on the network), each one's output printed whole when it ends. Then the
# timed parts, one at a time, as they were measured; CHECKED=1: what the first make built is
# current, so they do not build it again (build and miniapp-check are phony).
test:
	@$(MAKE) --no-print-directory -j3 --output-sync=target \
	  lint typecheck validate build miniapp-check browser $(DYNALITE_STAMP)
	@$(MAKE) --no-print-directory CHECKED=1 pytest bench-short test-sam

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache
