# SPDX-License-Identifier: MIT OR Apache-2.0
# The Python wheel (bindings-python/): pyo3 + maturin, abi3 (CPython >= 3.9), manylinux2014.
# Included by the root Makefile, which exports the libseccomp and CARGO_TARGET_DIR variables.
#
#   make python-setup    tools venv target/python/tools (maturin, ziglang, pytest, mypy) and an
#                        offline wheelhouse of the test tools; pip runs only when the pinned
#                        requirements changed or the venv is missing
#   make python-wheel    build the wheel with maturin --zig into target/python/wheels
#   make test-python     build the wheel, install it into a FRESH venv (target/python/venv) and
#                        run there, against the installed wheel (never the source tree):
#                        mypy.stubtest (the stub matches the module), mypy --strict on the tests
#                        (they use the API as the stub types it) and the pytest suite
#                        (tests/python; test_wheel.py checks the tag, ldd and glibc versions)
#
# Why zig: the wheel must run on glibc 2.17 (manylinux2014). Linking on this machine would bind
# symbols to Debian 12's glibc 2.36 versions; `zig cc` links against glibc 2.17 stubs instead, so
# a newer symbol fails the link, and maturin's auditwheel check (`--auditwheel check`) refuses
# any symbol version or library outside the manylinux2014 policy. libseccomp.a needs only
# symbols older than 2.17 (memcpy@2.14, __fprintf_chk@2.3.4, ...).

PYTHON ?= python3
PY_DIR := $(ROOT)/bindings-python
PY_OUT := $(CARGO_TARGET_DIR)/python
PY_TOOLS := $(PY_OUT)/tools
PY_TOOLS_STAMP := $(PY_TOOLS)/.requirements-installed
PY_WHEELHOUSE := $(PY_OUT)/wheelhouse
PY_WHEELS := $(PY_OUT)/wheels
PY_VENV := $(PY_OUT)/venv
# An empty working directory for stubtest and pytest: nothing importable besides the venv's.
PY_RUN := $(PY_OUT)/run
PY_TESTS := $(ROOT)/tests/python
# Quiet pip, no version nag.
PIP_FLAGS := --quiet --disable-pip-version-check

APT_PACKAGES += python3-venv binutils
SETUP_TARGETS += python-setup
TEST_TARGETS += test-python

.PHONY: python-setup python-wheel test-python

python-setup: $(PY_TOOLS_STAMP) ## the Python wheel's build and test tools (a venv under target/)

$(PY_TOOLS_STAMP): $(PY_DIR)/requirements-tools.txt $(PY_DIR)/requirements-test.txt
	@test -x $(PY_TOOLS)/bin/python || $(PYTHON) -m venv $(PY_TOOLS)
	$(PY_TOOLS)/bin/pip install $(PIP_FLAGS) -r $(PY_DIR)/requirements-tools.txt
	$(PY_TOOLS)/bin/pip download $(PIP_FLAGS) --dest $(PY_WHEELHOUSE) -r $(PY_DIR)/requirements-test.txt
	@touch $@

# One release build. The tools venv's bin/ comes first on PATH so that maturin finds zig
# (`python -m ziglang`). `--auditwheel check` fails instead of bundling a shared library.
python-wheel: python-setup libseccomp ## build the abi3 manylinux2014 wheel into target/python/wheels
	rm -rf $(PY_WHEELS)
	cd $(PY_DIR) && PATH=$(PY_TOOLS)/bin:$$PATH $(PY_TOOLS)/bin/maturin build --release --zig \
	  --compatibility manylinux2014 --auditwheel check --locked --out $(PY_WHEELS)
	@ls $(PY_WHEELS)/*.whl | sed 's|.*/|test-python: built |'

# pytest exits non-zero when a test fails and 5 when it ran none: either stops make here. The
# suite's conftest also fails the run when a test was skipped.
test-python: python-wheel ## the Python suite: fresh venv, the installed wheel, stubtest and pytest
	rm -rf $(PY_VENV) $(PY_RUN)
	mkdir -p $(PY_RUN)
	$(PYTHON) -m venv $(PY_VENV)
	$(PY_VENV)/bin/pip install $(PIP_FLAGS) --no-index --find-links $(PY_WHEELHOUSE) \
	  -r $(PY_DIR)/requirements-test.txt
	$(PY_VENV)/bin/pip install $(PIP_FLAGS) --no-index --no-deps $(PY_WHEELS)/sysfence-*.whl
	cd $(PY_RUN) && $(PY_VENV)/bin/python -m mypy.stubtest sysfence
	cd $(PY_RUN) && $(PY_VENV)/bin/python -m mypy --strict $(PY_TESTS)
	cd $(PY_RUN) && PYTHONDONTWRITEBYTECODE=1 SYSFENCE_WHEEL="$$(ls $(PY_WHEELS)/sysfence-*.whl)" \
	  $(PY_VENV)/bin/python -m pytest -p no:cacheprovider -q $(PY_TESTS)
