# SPDX-License-Identifier: MIT OR Apache-2.0
# Release artifacts (docs/packaging.md): every package a user installs, built into target/dist/
# by scripts/package.sh and checked by scripts/package-check.sh. Included by the root Makefile.
#
#   make package          x86_64 and aarch64: the CLI binary, the C tarball, the Ruby gem, the
#                         Python wheel, the npm platform package, plus the npm main package and
#                         the Java jar (x86_64); then every check, aarch64 under qemu-user
#   make package-check    the x86_64 artifacts only, built and checked (part of `make test`:
#                         one release build per extension, 2-4 minutes on 2 cores); aarch64 is
#                         cross-built and checked by `make package` only (8 minutes in all)
#
# Tools: cargo-zigbuild and ziglang in the Python tools venv (make python-setup), @napi-rs/cli
# (make node-setup), the rustup target aarch64-unknown-linux-gnu and qemu-user-static (below).

APT_PACKAGES += qemu-user-static libc6-arm64-cross binutils ruby rubygems-integration
SETUP_TARGETS += package-setup
TEST_TARGETS += package-check

PKG_ARCHES := x86_64 aarch64
PKG_ENV = PATH=$(PY_TOOLS)/bin:$$PATH CARGO="$(CARGO)"
DIST := $(CARGO_TARGET_DIR)/dist

.PHONY: package-setup package package-check package-build-x86_64 package-build-aarch64 \
        package-node-main package-check-aarch64

# A target rustup cannot fetch only warns here: `make test` needs the host's (x86_64) alone, and
# `make package` then stops at the aarch64 build with cargo's own message.
package-setup: ## (packaging) the rustup targets the release artifacts need (when missing)
	@for t in $(addsuffix -unknown-linux-gnu,$(PKG_ARCHES)); do \
	  rustup target list --installed | grep -qx $$t || rustup target add $$t \
	    || echo "setup: warning: rustup could not add $$t (make package needs it)" >&2; done

$(addprefix package-build-,$(PKG_ARCHES)): package-build-%: python-setup node-setup package-setup libseccomp
	$(PKG_ENV) $(ROOT)/scripts/package.sh $*

package-node-main: node-setup
	$(PKG_ENV) $(ROOT)/scripts/package.sh node-main

package-check: package-build-x86_64 package-node-main ## (packaging) build and check the x86_64 artifacts in target/dist
	$(PKG_ENV) $(ROOT)/scripts/package-check.sh x86_64

package-check-aarch64: package-build-aarch64 package-node-main
	$(PKG_ENV) $(ROOT)/scripts/package-check.sh aarch64

# package-java after package-build-x86_64: its jar carries that build's libsysfence.so.
package: package-check package-check-aarch64 ## every release artifact (x86_64, aarch64, Java) into target/dist, checked
	$(MAKE) --no-print-directory package-java JAVA_NATIVE_PROFILE=x86_64-unknown-linux-gnu/release
	@ls -l $(DIST)
