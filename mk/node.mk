# SPDX-License-Identifier: MIT OR Apache-2.0
# The Node addon (bindings-node/): napi-rs, built by the pinned @napi-rs/cli from package.json.
# Included by the root Makefile, which exports the libseccomp and CARGO_TARGET_DIR variables.
#
#   make node-setup      npm ci in bindings-node/ (only when node_modules is missing or stale)
#   make node-generate   rebuild the addon and write the loader and index.d.ts into bindings-node/
#   make test-node       build, check the committed loader and index.d.ts, npm pack, install the
#                        tarball into an empty project under target/ and run node --test there

NODE_DIR := $(ROOT)/bindings-node
NODE_OUT := $(CARGO_TARGET_DIR)/node
NODE_GEN := $(NODE_OUT)/gen
NODE_SCRATCH := $(NODE_OUT)/scratch
NODE_STAMP := $(NODE_DIR)/node_modules/.package-lock.json
NAPI := $(NODE_DIR)/node_modules/.bin/napi
NODE_ADDON := sysfence.linux-x64-gnu.node
NPM_FLAGS := --no-audit --no-fund --loglevel=warn

SETUP_TARGETS += node-setup
TEST_TARGETS += test-node

.PHONY: node-setup node-build node-generate node-check-generated node-pack test-node

node-setup: $(NODE_STAMP) ## install the Node addon's build tools (npm ci, when stale)

# npm ci writes node_modules/.package-lock.json; it is redone when package.json or the lockfile
# is newer than that.
$(NODE_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci $(NPM_FLAGS)
	@touch $@

# The addon, the loader and index.d.ts, built into target/node/gen.
node-build: node-setup libseccomp
	rm -rf $(NODE_GEN)
	cd $(NODE_DIR) && $(NAPI) build --platform --output-dir $(NODE_GEN) --js index.js --dts index.d.ts

node-generate: node-build ## rebuild the Node addon and write its loader and index.d.ts into bindings-node/
	cp $(NODE_GEN)/index.js $(NODE_GEN)/index.d.ts $(NODE_DIR)/

node-check-generated: node-build
	@diff -u $(NODE_DIR)/index.js $(NODE_GEN)/index.js && \
	 diff -u $(NODE_DIR)/index.d.ts $(NODE_GEN)/index.d.ts || \
	 { echo "test-node: bindings-node/index.js or index.d.ts is stale: run 'make node-generate' and commit them"; exit 1; }
	@echo "test-node: the committed loader and index.d.ts match the generated ones"

# npm pack of bindings-node/ with the freshly built addon, then an empty project that installs
# the tarball, as a user would.
node-pack: node-check-generated
	cp $(NODE_GEN)/$(NODE_ADDON) $(NODE_DIR)/$(NODE_ADDON)
	rm -f $(NODE_OUT)/sysfence-*.tgz
	cd $(NODE_DIR) && npm pack --pack-destination $(NODE_OUT) $(NPM_FLAGS)
	@tar -tzf $(NODE_OUT)/sysfence-*.tgz | sort | sed 's/^/test-node: packed /'
	rm -rf $(NODE_SCRATCH) && mkdir -p $(NODE_SCRATCH)
	echo '{ "name": "sysfence-scratch", "version": "0.0.0", "private": true }' > $(NODE_SCRATCH)/package.json
	cd $(NODE_SCRATCH) && npm install $(NPM_FLAGS) $(NODE_OUT)/sysfence-*.tgz
	cp -r $(NODE_DIR)/test $(NODE_SCRATCH)/test

test-node: node-pack ## the Node addon's suite, against the packed and installed package
	cd $(NODE_SCRATCH) && SYSFENCE_REPO=$(ROOT) node --test test/*.test.js test/*.test.mjs
