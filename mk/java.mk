# SPDX-License-Identifier: MIT OR Apache-2.0
# The Java binding (bindings-java/): package dev.sysfence over libsysfence through the Foreign
# Function & Memory API (Java >= 22), built with Maven, tested with JUnit 5. Included by the root
# Makefile (after mk/c.mk's c-lib, whose libsysfence.so the jar carries).
#
#   make java-setup      find the JDK (>= 22) and fetch the Maven plugins and JUnit into ~/.m2
#                        (once per pom.xml change)
#   make test-java       build libsysfence (debug), then `mvn clean verify`: the jar with the
#                        library inside, the JUnit suite (filters load only in forked JVMs)
#   make package-java    the same against a release libsysfence, then the jar to
#                        target/dist/sysfence-VERSION.jar (`make package` runs it on its
#                        glibc 2.17 build: JAVA_NATIVE_PROFILE)
#
# The JDK: JAVA_HOME when it is 22 or newer, else the newest JDK in /usr/lib/jvm
# (scripts/find-jdk.sh). Maven keeps its default local repository (~/.m2), so CI reuses it.

APT_PACKAGES += maven
SETUP_TARGETS += java-setup
TEST_TARGETS += test-java

JAVA_DIR := $(ROOT)/bindings-java
JAVA_OUT := $(CARGO_TARGET_DIR)/java
JAVA_SETUP_STAMP := $(JAVA_OUT)/.setup-done
MVN ?= mvn
# Maven under the JDK find-jdk.sh picks, found when the recipe runs (its message fails the
# recipe when there is none).
JAVA_MVN = jdk=$$($(ROOT)/scripts/find-jdk.sh) && JAVA_HOME=$$jdk $(MVN) -B -ntp \
  -f $(JAVA_DIR)/pom.xml -Drevision=$(C_VERSION)

.PHONY: java-setup test-java package-java

java-setup: $(JAVA_SETUP_STAMP) ## (Java) find a JDK >= 22 and fetch Maven's plugins and JUnit

# A build running only JsonTest (no native code) resolves every plugin and surefire's JUnit
# provider, without needing libsysfence.
$(JAVA_SETUP_STAMP): $(JAVA_DIR)/pom.xml $(ROOT)/scripts/find-jdk.sh
	@jdk=$$($(ROOT)/scripts/find-jdk.sh) && echo "java-setup: JDK $$jdk"
	$(JAVA_MVN) -q -Dsysfence.build.dir=$(JAVA_OUT)/setup -Dtest=JsonTest \
	  -Dsurefire.failIfNoSpecifiedTests=false clean verify
	rm -rf $(JAVA_OUT)/setup
	@mkdir -p $(JAVA_OUT) && touch $@

# $(1): the cargo profile whose libsysfence.so the jar carries.
define java_verify
	$(JAVA_MVN) -Dsysfence.native.dir=$(CARGO_TARGET_DIR)/$(1) -Dsysfence.build.dir=$(JAVA_OUT)/build \
	  clean verify
	@jdk=$$($(ROOT)/scripts/find-jdk.sh) && jar=$(JAVA_OUT)/build/sysfence-$(C_VERSION).jar && \
	$$jdk/bin/jar tf $$jar | grep -qx 'dev/sysfence/native/linux-x86_64/libsysfence.so' \
	  || { echo "the jar lacks libsysfence.so"; exit 1; }; \
	echo 'public class JarCheck { public static void main(String[] a) {' \
	  'System.out.println(dev.sysfence.Sysfence.version()); } }' > $(JAVA_OUT)/JarCheck.java; \
	out=$$($$jdk/bin/java --enable-native-access=dev.sysfence -p $$jar --add-modules dev.sysfence \
	  $(JAVA_OUT)/JarCheck.java 2>&1) && [[ "$$out" == "$(C_VERSION) (libseccomp "* ]] \
	  || { echo "the jar on the module path did not load its library: $$out"; exit 1; }; \
	echo "java: the jar loads its own libsysfence on the module path: $$out"
endef

test-java: c-lib java-setup ## (Java) the jar with libsysfence inside, and its JUnit suite
	$(call java_verify,debug)
	@echo "test-java: jar $(JAVA_OUT)/build/sysfence-$(C_VERSION).jar"

# The libsysfence.so the release jar carries: target/$(JAVA_NATIVE_PROFILE)/. `make package` sets
# it to its glibc 2.17 build (x86_64-unknown-linux-gnu/release); the default builds one here.
JAVA_NATIVE_PROFILE ?= release

package-java: libseccomp java-setup ## (Java) a release jar, tested, at target/dist/sysfence-VERSION.jar
	$(if $(filter release,$(JAVA_NATIVE_PROFILE)),$(CARGO) build -p sysfence-c --release)
	$(call java_verify,$(JAVA_NATIVE_PROFILE))
	mkdir -p $(CARGO_TARGET_DIR)/dist
	cp $(JAVA_OUT)/build/sysfence-$(C_VERSION).jar $(CARGO_TARGET_DIR)/dist/sysfence-$(C_VERSION).jar
	@echo "package-java: $(CARGO_TARGET_DIR)/dist/sysfence-$(C_VERSION).jar"
