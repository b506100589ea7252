# SPDX-License-Identifier: MIT OR Apache-2.0
# The C ABI (bindings-c, crate sysfence-c): libsysfence.so / libsysfence.a, the cbindgen header,
# and its consumers in C (tests/c), Ruby FFI (bindings-c/ruby, tests/ruby) and Crystal
# (bindings-c/crystal, tests/crystal). Included by the root Makefile.
#
#   make test-c                      build, check header and exports, run the C/Ruby/Crystal suites
#   make header                      regenerate bindings-c/include/sysfence.h (pinned cbindgen)
#   make install PREFIX=/usr/local   header, both libraries and sysfence.pc (C_PROFILE=release)

APT_PACKAGES += gcc libc6-dev valgrind libjansson-dev ruby ruby-ffi ruby-minitest crystal
SETUP_TARGETS += setup-c
TEST_TARGETS += test-c

CBINDGEN_VERSION := 0.29.4
CBINDGEN := $(ROOT)/target/tools/bin/cbindgen
C_SRC := $(ROOT)/bindings-c
C_HEADER := $(C_SRC)/include/sysfence.h
C_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' $(ROOT)/Cargo.toml | head -1)
C_MAJOR := $(firstword $(subst ., ,$(C_VERSION)))
# The build the tests use (debug: no release builds in `make test`); install defaults to release.
C_TEST_PROFILE := debug
C_PROFILE ?= release
C_OUT := $(CARGO_TARGET_DIR)/c
C_STAGE := $(C_OUT)/stage
# What a static link of libsysfence.a needs besides it (rustc --print native-static-libs).
C_STATIC_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
C_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1
VALGRIND := valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --track-fds=no
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

.PHONY: setup-c c-lib header header-c header-check-c test-c test-c-exports test-c-native \
        test-c-example test-c-ruby test-c-crystal install install-c install-c-build

setup-c: ## (C) the pinned cbindgen, in target/tools (only when missing)
	@if [ "$$($(CBINDGEN) --version 2>/dev/null)" != "cbindgen $(CBINDGEN_VERSION)" ]; then \
	  $(CARGO) install --locked --root $(ROOT)/target/tools cbindgen --version $(CBINDGEN_VERSION); \
	else echo "setup: cbindgen $(CBINDGEN_VERSION) present"; fi

# Build one profile of the crate and stage it as an installed tree in $(C_STAGE)/<profile>.
define c_build
	$(CARGO) build -p sysfence-c $(if $(filter release,$(1)),--release)
	$(MAKE) --no-print-directory install-c C_PROFILE=$(1) DESTDIR= PREFIX=$(C_STAGE)/$(1) \
	  LIBDIR=$(C_STAGE)/$(1)/lib INCLUDEDIR=$(C_STAGE)/$(1)/include
endef

c-lib: libseccomp ## (C) build libsysfence.so / .a (debug) into target/c/stage/debug
	$(call c_build,$(C_TEST_PROFILE))

header: header-c ## regenerate the committed headers (C: bindings-c/include/sysfence.h)

header-c: setup-c
	$(CBINDGEN) --quiet --config $(C_SRC)/cbindgen.toml --crate sysfence-c \
	  --output $(C_HEADER) $(C_SRC)

header-check-c: setup-c ## (C) fail when the committed header differs from a fresh cbindgen run
	@mkdir -p $(C_OUT)
	$(CBINDGEN) --quiet --config $(C_SRC)/cbindgen.toml --crate sysfence-c \
	  --output $(C_OUT)/sysfence.h $(C_SRC)
	@diff -u $(C_HEADER) $(C_OUT)/sysfence.h \
	  || { echo "bindings-c/include/sysfence.h is stale: run 'make header'"; exit 1; }

# Installs what $(C_PROFILE) built; `make install` builds it first.
install-c:
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 $(C_HEADER) $(DESTDIR)$(INCLUDEDIR)/sysfence.h
	install -m 644 $(CARGO_TARGET_DIR)/$(C_PROFILE)/libsysfence.a $(DESTDIR)$(LIBDIR)/libsysfence.a
	install -m 755 $(CARGO_TARGET_DIR)/$(C_PROFILE)/libsysfence.so \
	  $(DESTDIR)$(LIBDIR)/libsysfence.so.$(C_VERSION)
	ln -sf libsysfence.so.$(C_VERSION) $(DESTDIR)$(LIBDIR)/libsysfence.so.$(C_MAJOR)
	ln -sf libsysfence.so.$(C_MAJOR) $(DESTDIR)$(LIBDIR)/libsysfence.so
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|' \
	  -e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|' \
	  -e 's|@VERSION@|$(C_VERSION)|; s|@STATIC_LIBS@|$(C_STATIC_LIBS)|' \
	  $(C_SRC)/sysfence.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/sysfence.pc

install: install-c-build ## install the C header, libsysfence.{so,a} and sysfence.pc (PREFIX=/usr/local)

install-c-build: libseccomp
	$(CARGO) build -p sysfence-c $(if $(filter release,$(C_PROFILE)),--release)
	$(MAKE) --no-print-directory install-c

C_TEST_PARTS := c-lib header-check-c test-c-exports test-c-native test-c-example test-c-ruby \
                test-c-crystal
test-c: $(C_TEST_PARTS) ## the C ABI: header, exports, C (valgrind), Ruby and Crystal suites
	@echo "test-c: all C ABI suites passed"

C_LIB := $(C_STAGE)/$(C_TEST_PROFILE)/lib
C_INC := $(C_STAGE)/$(C_TEST_PROFILE)/include

test-c-exports: c-lib
	@bad=$$(nm -D --defined-only $(C_LIB)/libsysfence.so | awk '{print $$3}' | grep -v '^sysfence_'); \
	if [ -n "$$bad" ]; then echo "libsysfence.so exports non-sysfence_ symbols:"; echo "$$bad"; exit 1; fi
	@n=$$(nm -D --defined-only $(C_LIB)/libsysfence.so | grep -c ' T sysfence_'); \
	echo "libsysfence.so exports $$n functions, all sysfence_*"
	@if ldd $(C_LIB)/libsysfence.so | grep -q libseccomp; then \
	  echo "libsysfence.so depends on a shared libseccomp"; exit 1; fi
	@echo "libsysfence.so: libseccomp linked in statically (ldd shows no libseccomp)"

C_TEST_SRCS := $(wildcard $(ROOT)/tests/c/*.c)
C_AUDIT_CASES := $(ROOT)/tests/fixtures/audit/cases.json

test-c-native: c-lib
	cc $(C_CFLAGS) -I$(C_INC) -o $(C_OUT)/test_static $(C_TEST_SRCS) \
	  $(C_LIB)/libsysfence.a -ljansson -pthread $(C_STATIC_LIBS)
	cc $(C_CFLAGS) -I$(C_INC) -o $(C_OUT)/test_shared $(C_TEST_SRCS) \
	  -L$(C_LIB) -Wl,-rpath,$(C_LIB) -lsysfence -ljansson -pthread
	@! ldd $(C_OUT)/test_static | grep -q libsysfence
	@ldd $(C_OUT)/test_shared | grep -q 'libsysfence.so.$(C_MAJOR) => $(C_LIB)'
	@echo "== C, static library, under valgrind"
	$(VALGRIND) $(C_OUT)/test_static $(ROOT)/tests/vectors $(C_AUDIT_CASES)
	@echo "== C, shared library, under valgrind"
	$(VALGRIND) $(C_OUT)/test_shared $(ROOT)/tests/vectors $(C_AUDIT_CASES)

# The example in docs/c.md, built through pkg-config against the staged install (shared and
# static), run natively (it loads a filter into itself, which valgrind cannot), and checked
# against its `// =>` comments.
C_PC := PKG_CONFIG_PATH=$(C_LIB)/pkgconfig pkg-config
test-c-example: c-lib
	awk '/^```c/{on=1; next} /^```/{on=0} on' $(ROOT)/docs/c.md > $(C_OUT)/example.c
	sed -n 's|.*// => ||p' $(C_OUT)/example.c > $(C_OUT)/example.expected
	cc $(C_CFLAGS) -o $(C_OUT)/example_shared $(C_OUT)/example.c \
	  $$($(C_PC) --cflags --libs sysfence) -Wl,-rpath,$(C_LIB)
	cc $(C_CFLAGS) -o $(C_OUT)/example_static $(C_OUT)/example.c $$($(C_PC) --static --cflags \
	  --libs sysfence | sed 's/-lsysfence/-Wl,-Bstatic -lsysfence -Wl,-Bdynamic/')
	@! ldd $(C_OUT)/example_static | grep -q libsysfence
	@for kind in shared static; do \
	  $(C_OUT)/example_$$kind > $(C_OUT)/example_$$kind.out \
	    && diff -u $(C_OUT)/example.expected $(C_OUT)/example_$$kind.out \
	    || { echo "docs/c.md example ($$kind) failed"; exit 1; }; \
	  echo "docs/c.md example ($$kind): output as documented"; done

test-c-ruby: c-lib
	SYSFENCE_LIB=$(C_LIB)/libsysfence.so ruby -I$(C_SRC)/ruby/lib -I$(ROOT)/tests/ruby \
	  -e 'Dir[ARGV[0] + "/test_*.rb"].sort.each { |f| require f }' $(ROOT)/tests/ruby

test-c-crystal: c-lib
	cd $(ROOT)/tests/crystal && CRYSTAL_CACHE_DIR=$(C_OUT)/crystal-cache \
	  SYSFENCE_VECTORS=$(ROOT)/tests/vectors SYSFENCE_LINK_FLAGS="-L$(C_LIB) -Wl,-rpath,$(C_LIB)" \
	  crystal spec --link-flags "-L$(C_LIB) -Wl,-rpath,$(C_LIB)"
