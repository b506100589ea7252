# SPDX-License-Identifier: MIT OR Apache-2.0
# sysfence — the README's two commands are `make demo` and `make test`; both set up what they
# need (idempotently) on a fresh Debian 12 with Rust, Python 3.11 and Node 20.
#
# Linking: by default libseccomp >= 2.6.1 is linked statically from a copy that `make setup`
# fetches into target/libseccomp. Packagers who want the system's libseccomp (dynamic) set
# SYSFENCE_LIBSECCOMP=system.

SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(CURDIR)
export CARGO_TARGET_DIR ?= $(ROOT)/target
LIBSECCOMP_DIR := $(ROOT)/target/libseccomp
SYSFENCE_LIBSECCOMP ?= static
ifeq ($(SYSFENCE_LIBSECCOMP),static)
export LIBSECCOMP_LINK_TYPE := static
export LIBSECCOMP_LIB_PATH := $(LIBSECCOMP_DIR)/lib
export PKG_CONFIG_PATH := $(LIBSECCOMP_DIR)/lib/pkgconfig
LIBSECCOMP_DEP := $(LIBSECCOMP_DIR)/VERSION
else
LIBSECCOMP_DEP :=
endif
CARGO ?= cargo
SYSFENCE := $(CARGO_TARGET_DIR)/debug/sysfence

# Debian packages the suites need; each mk/*.mk adds its own.
APT_PACKAGES := pkg-config dpkg-dev python3-seccomp libseccomp-dev
# Targets `make test` runs after the Rust suites, and `make bench` after the core's bench;
# each mk/*.mk adds its own.
TEST_TARGETS :=
BENCH_TARGETS :=
SETUP_TARGETS :=

include $(wildcard mk/*.mk)

.PHONY: stubs help setup setup-apt libseccomp build demo test test-rust test-system-libseccomp lint bench bench-table bench-core clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort | expand -t 18

setup: setup-apt libseccomp $(SETUP_TARGETS) ## install everything the build and tests need (idempotent)

setup-apt: ## install the Debian packages the suites use (only those missing)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing $$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "setup: Debian packages present"; fi

libseccomp: $(LIBSECCOMP_DEP) ## fetch libseccomp >= 2.6.1 (static) into target/libseccomp

$(LIBSECCOMP_DIR)/VERSION: scripts/fetch-libseccomp.sh
	scripts/fetch-libseccomp.sh $(LIBSECCOMP_DIR)

build: setup-apt libseccomp ## build the core and the CLI
	$(CARGO) build --workspace

demo: build ## watch a program refused exec under no-exec, then the kernel's log line in log mode
	@scripts/demo.sh $(SYSFENCE)

test: setup build test-rust test-system-libseccomp $(TEST_TARGETS) lint ## run every suite, then fmt and clippy
	@echo "make test: all suites passed"

test-rust: libseccomp ## the core's unit, vector and kernel tests, and the CLI's
	$(CARGO) test --workspace

# The packagers' switch: the CLI built against the system's shared libseccomp (Debian 12: 2.5.4,
# so BPF is exported through a memfd), in a target dir of its own, must enforce a policy too.
test-system-libseccomp: setup-apt ## build with SYSFENCE_LIBSECCOMP=system and check it enforces
	env -u LIBSECCOMP_LINK_TYPE -u LIBSECCOMP_LIB_PATH -u PKG_CONFIG_PATH \
	  $(CARGO) build -q -p sysfence-cli --target-dir $(CARGO_TARGET_DIR)/system-libseccomp
	@bin=$(CARGO_TARGET_DIR)/system-libseccomp/debug/sysfence; \
	ldd $$bin | grep -q 'libseccomp.so' || { echo "not linked to the shared libseccomp"; exit 1; }; \
	$$bin version; \
	out=$$($$bin run --preset no-exec -- bash -c '/bin/true; echo status=$$?'); \
	[ "$$out" = "status=126" ] || { echo "system-libseccomp build did not refuse exec: $$out"; exit 1; }; \
	echo "test-system-libseccomp: 1 passed, 0 failed"

lint: libseccomp ## rustfmt, clippy with warnings as errors, an SPDX line in every source file
	python3 scripts/spdx.py
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

bench: build bench-core $(BENCH_TARGETS) bench-table ## every benchmark, each with its baseline measured in the same run; the table last

# One table from one run (scripts/bench-table.py): syscall overhead of the Docker profile's
# filter against no filter and libseccomp's own output (levels 1 and 2), precompiled load and
# compile+load from C, Python and Node against libseccomp's Python bindings, audit decoding
# against ausearch -i (on bench-audit's log, when it exists), the profiler's slowdown. Python
# and Node rows need `make test-python` / `make test-node` to have installed the packages (the
# wheel is a release build; the Node addon is rebuilt in release here).
BENCH_ROUNDS ?= 11
bench-table: libseccomp ## the Docker profile: syscall overhead and apply cost from C, Python, Node, one table
	$(CARGO) build --release -p sysfence-cli -p sysfence-c
	$(MAKE) --no-print-directory install-c C_PROFILE=release DESTDIR= PREFIX=$(C_STAGE)/release \
	  LIBDIR=$(C_STAGE)/release/lib INCLUDEDIR=$(C_STAGE)/release/include
	@# Node: the package test-node installed, with a release build of its addon.
	if [ -d $(NODE_SCRATCH)/node_modules/sysfence ]; then \
	  rm -rf $(CARGO_TARGET_DIR)/bench/node && mkdir -p $(CARGO_TARGET_DIR)/bench/node/node_modules && \
	  cp -r $(NODE_SCRATCH)/node_modules/sysfence $(CARGO_TARGET_DIR)/bench/node/node_modules/ && \
	  cd $(NODE_DIR) && $(NAPI) build --platform --release --output-dir $(CARGO_TARGET_DIR)/bench/addon && \
	  cp $(CARGO_TARGET_DIR)/bench/addon/$(NODE_ADDON) $(CARGO_TARGET_DIR)/bench/node/node_modules/sysfence/; \
	fi
	python3 scripts/bench-table.py $(CARGO_TARGET_DIR)/release/sysfence $(C_STAGE)/release \
	  $$( [ -x $(PY_VENV)/bin/python ] && echo $(PY_VENV)/bin/python || echo - ) \
	  $$( [ -d $(CARGO_TARGET_DIR)/bench/node/node_modules/sysfence ] && echo $(CARGO_TARGET_DIR)/bench/node || echo - ) \
	  $(BENCH_ROUNDS) $(CARGO_TARGET_DIR)/audit-bench/audit.log

bench-core: libseccomp ## compile and load a 300-rule policy, against libseccomp's Python bindings
	$(CARGO) bench -p sysfence --bench compile_load

stubs: node-generate ## regenerate committed typings and loaders (Node's index.js, index.d.ts)

clean: ## remove build output (keeps nothing)
	rm -rf target
