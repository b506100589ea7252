# SPDX-License-Identifier: MIT OR Apache-2.0
# Watching violations (`sysfence audit`): the parser benchmark against auditd's ausearch, and the
# guard that keeps an audit daemon from taking the kernel's seccomp records away from /dev/kmsg.
# Included by the root Makefile, which exports the libseccomp and CARGO_TARGET_DIR variables.
#
#   make bench-audit   write a 1,000,000-line audit.log under target/audit-bench, time
#                      `sysfence audit --format ecs FILE` (release build) on it next to
#                      `ausearch -i -if FILE -m SECCOMP`, print the ratio (target: 5x)
#   make audit-check   fail when auditd is running: while it runs the kernel hands it every
#                      audit record and /dev/kmsg, which the kernel tests read, gets none
#
# ausearch ships in Debian's auditd package, whose postinst starts the daemon. Before setup-apt
# installs it, audit-no-autostart puts a policy-rc.d in place that refuses every service start
# (Debian's "install, don't start" switch; invoke-rc.d and deb-systemd-invoke honour it), unless
# the machine already has one; audit-check removes that file again once auditd is installed and
# checks that no auditd runs.

APT_PACKAGES += auditd
# logrotate: cli/tests/docs.rs checks docs/monitoring.md's rotation snippet with `logrotate -d`
# (systemd-analyze, which checks its unit, comes with systemd where systemd is installed).
APT_PACKAGES += logrotate
SETUP_TARGETS += audit-check
BENCH_TARGETS += bench-audit

POLICY_RC := /usr/sbin/policy-rc.d
POLICY_RC_MARK := sysfence mk/audit.mk: install auditd without starting it

.PHONY: audit-no-autostart audit-check bench-audit

# A prerequisite of the root Makefile's setup-apt: runs before its apt-get install.
setup-apt: audit-no-autostart
# And audit-check after it, on every path that installs packages (build, demo, test), so the
# policy-rc.d written for the install never outlives it.
build: audit-check

audit-no-autostart:
	@if ! dpkg-query -W -f='$${Status}\n' auditd 2>/dev/null | grep -q '^install ok installed' \
	    && [ ! -e $(POLICY_RC) ]; then \
	  printf '#!/bin/sh\n# $(POLICY_RC_MARK)\nexit 101\n' > $(POLICY_RC) && chmod 755 $(POLICY_RC); \
	  echo "setup: $(POLICY_RC) forbids starting services while auditd installs"; \
	fi

audit-check: setup-apt ## check that no auditd runs (it would take seccomp records away from /dev/kmsg)
	@if grep -qs '$(POLICY_RC_MARK)' $(POLICY_RC); then rm -f $(POLICY_RC); fi
	@if pid=$$(pgrep -x auditd); then \
	  echo "audit-check: auditd is running (pid $$pid): the kernel sends its seccomp records to it," >&2; \
	  echo "  not to /dev/kmsg, and the kernel tests cannot see them. Stop it first:" >&2; \
	  echo "  service auditd stop   (or: systemctl disable --now auditd)" >&2; \
	  exit 1; \
	fi

bench-audit: libseccomp audit-check ## `sysfence audit --format ecs` on a 1,000,000-line audit.log next to `ausearch -i`
	$(CARGO) build --release -p sysfence-cli
	SYSFENCE_BIN=$(CARGO_TARGET_DIR)/release/sysfence $(CARGO) bench -p sysfence --bench audit_parse
