# SPDX-License-Identifier: MIT OR Apache-2.0
# Fuzzing (cargo fuzz, libFuzzer): the policy parser and compiler, the audit record parser and
# the C entry points. Not part of `make test` (a fuzz run is open-ended); run it by hand:
#
#   make fuzz                  each target for FUZZ_SECONDS (default 60)
#   make fuzz FUZZ_SECONDS=600
#
# cargo fuzz wants nightly-only compiler flags (-Zsanitizer); the machine has one stable
# toolchain, so the run sets RUSTC_BOOTSTRAP=1 for the fuzz build only. Corpora and crashes
# stay under fuzz/ (ignored by git).

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := policy audit_line c_entry
CARGO_FUZZ := $(ROOT)/target/tools/bin/cargo-fuzz

.PHONY: fuzz fuzz-setup

fuzz-setup:
	@test -x $(CARGO_FUZZ) || $(CARGO) install --locked --root $(ROOT)/target/tools cargo-fuzz

fuzz: fuzz-setup libseccomp ## run every cargo fuzz target for FUZZ_SECONDS (default 60)
	@for t in $(FUZZ_TARGETS); do \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  RUSTC_BOOTSTRAP=1 $(CARGO_FUZZ) run --fuzz-dir $(ROOT)/fuzz $$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 || exit 1; \
	done
