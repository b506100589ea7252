# SPDX-License-Identifier: MIT OR Apache-2.0
# `sysfence profile`: the recording's cost. Included by the root Makefile.
#
#   make bench-profile   dd copying 1-byte blocks (2 syscalls a block) alone and under
#                        `sysfence profile` with each backend (notify, ptrace): times and ratios

BENCH_TARGETS += bench-profile

.PHONY: bench-profile

bench-profile: libseccomp ## profile's slowdown on a syscall-heavy loop, as a ratio to the loop alone
	$(CARGO) build --release -p sysfence-cli
	scripts/bench-profile.sh $(CARGO_TARGET_DIR)/release/sysfence
