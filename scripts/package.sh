#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Build the release artifacts of one architecture into target/dist/ (docs/packaging.md).
#
# Usage: scripts/package.sh ARCH      ARCH: x86_64 | aarch64
#        scripts/package.sh node-main  the architecture-independent npm package `sysfence`
#
# One release build per architecture: `cargo zigbuild --target ARCH-unknown-linux-gnu.2.17`
# builds the CLI and libsysfence (zig links against glibc 2.17 stubs, so a newer symbol fails
# the link); maturin --zig and napi -x build the Python and Node extensions through the same
# cargo-zigbuild into the same target directory, so the core crate compiles once per arch.
# libseccomp 2.6.1 is linked statically from Debian's package for that architecture
# (scripts/fetch-libseccomp.sh). Run by `make package` / `make package-check`, which export
# CARGO_TARGET_DIR and put the tools venv (maturin, ziglang, cargo-zigbuild) on PATH.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
dist=$target/dist
stage=$target/package
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)
cargo=${CARGO:-cargo}
mkdir -p "$dist" "$stage"

# The architecture-independent main npm package: the loader, typings, CJS and ESM entry points,
# and optionalDependencies on every platform package (npm installs the one matching os/cpu/libc).
node_main() {
  local dir=$stage/node-main
  rm -rf "$dir" && mkdir -p "$dir"
  cp "$root/bindings-node/index.js" "$root/bindings-node/index.d.ts" "$root/bindings-node/README.md" \
    "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$dir/"
  # ESM: Node reads the loader's `module.exports.X = ...` names, so a re-export suffices.
  names=$(sed -n 's/^module\.exports\.\([A-Za-z_][A-Za-z0-9_]*\) = .*/\1/p' "$root/bindings-node/index.js" | sort -u | paste -sd, -)
  printf "import binding from './index.js'\nexport const { %s } = binding\nexport default binding\n" \
    "${names//,/, }" >"$dir/index.mjs"
  node -e '
    const [src, dst, version] = process.argv.slice(1)
    const p = require(src)
    delete p.cpu; delete p.devDependencies; delete p.napi
    p.version = version
    p.files = ["index.js", "index.mjs", "index.d.ts"]
    p.exports = { ".": { types: "./index.d.ts", import: "./index.mjs", require: "./index.js" },
                  "./package.json": "./package.json" }
    p.optionalDependencies = {}
    for (const t of ["linux-x64-gnu", "linux-arm64-gnu"]) p.optionalDependencies[`sysfence-${t}`] = version
    require("fs").writeFileSync(dst, JSON.stringify(p, null, 2) + "\n")
  ' "$root/bindings-node/package.json" "$dir/package.json" "$version"
  rm -f "$dist"/sysfence-"$version".tgz
  (cd "$dir" && npm pack --pack-destination "$dist" --no-audit --no-fund --loglevel=warn >/dev/null)
  echo "package: $dist/sysfence-$version.tgz"
}

if [[ ${1:-} == node-main ]]; then node_main; exit 0; fi

arch=${1:?usage: scripts/package.sh x86_64|aarch64|node-main}
case $arch in
  x86_64) node_cpu=x64 deb_arch=amd64 ;;
  aarch64) node_cpu=arm64 deb_arch=arm64 ;;
  *) echo "package: unknown architecture $arch" >&2; exit 2 ;;
esac
triple=$arch-unknown-linux-gnu
out=$target/$triple/release

# libseccomp for this architecture (the host's copy for x86_64: make libseccomp).
if [[ $arch == x86_64 ]]; then lsc=$target/libseccomp; else lsc=$target/libseccomp-$arch; fi
"$root/scripts/fetch-libseccomp.sh" "$lsc" "$deb_arch" >/dev/null
export LIBSECCOMP_LINK_TYPE=static LIBSECCOMP_LIB_PATH=$lsc/lib PKG_CONFIG_PATH=$lsc/lib/pkgconfig
[[ $arch == x86_64 ]] || export PKG_CONFIG_ALLOW_CROSS=1

echo "package: $arch: CLI and libsysfence (cargo zigbuild, glibc 2.17)"
$cargo zigbuild --release --locked --target "$triple.2.17" -p sysfence-cli -p sysfence-c

# CLI: one binary.
cp "$out/sysfence" "$dist/sysfence-$version-$arch-linux"
echo "package: $dist/sysfence-$version-$arch-linux"

# C: include/, lib/ (.so, SONAME link, dev link, .a), lib/pkgconfig (relocatable).
name=libsysfence-$version-$arch-linux
rm -rf "${stage:?}/$name"
make -s -C "$root" --no-print-directory install-c C_PROFILE="$triple/release" DESTDIR= \
  PREFIX="$stage/$name" LIBDIR="$stage/$name/lib" INCLUDEDIR="$stage/$name/include" >/dev/null
sed -i 's|^prefix=.*|prefix=${pcfiledir}/../..|' "$stage/$name/lib/pkgconfig/sysfence.pc"
cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$root/THIRD-PARTY-NOTICES.md" "$stage/$name/"
tar -C "$stage" --owner=0 --group=0 -czf "$dist/$name.tar.gz" "$name"
echo "package: $dist/$name.tar.gz"

# Ruby: a platform gem carrying libsysfence.so next to the FFI wrapper.
gemdir=$stage/gem-$arch
rm -rf "$gemdir" && mkdir -p "$gemdir"
cp -r "$root/bindings-c/ruby/lib" "$root/bindings-c/ruby/sysfence.gemspec" "$root/LICENSE-MIT" \
  "$root/LICENSE-APACHE" "$gemdir/"
cp "$out/libsysfence.so" "$gemdir/lib/sysfence/libsysfence.so"
(cd "$gemdir" && SYSFENCE_VERSION=$version SYSFENCE_GEM_PLATFORM=$arch-linux \
  gem build --quiet sysfence.gemspec >/dev/null)
mv "$gemdir/sysfence-$version-$arch-linux.gem" "$dist/"
echo "package: $dist/sysfence-$version-$arch-linux.gem"

# Python: the abi3 manylinux2014 wheel. --auditwheel check refuses a symbol or library outside
# the policy instead of bundling it.
echo "package: $arch: Python wheel (maturin --zig)"
rm -f "$dist"/sysfence-"$version"-*-manylinux*_"$arch".whl
(cd "$root/bindings-python" && maturin build --release --zig --target "$triple" \
  --compatibility manylinux2014 --auditwheel check --locked --out "$dist" 2>&1 | grep -E 'Built wheel|warning|error' || true)
ls "$dist"/sysfence-"$version"-*-manylinux*_"$arch".whl >/dev/null

# Node: the platform package sysfence-linux-<cpu>-gnu (napi-rs's naming for the package
# `sysfence`, which the committed loader requires).
echo "package: $arch: Node addon (napi -x, glibc 2.17)"
nodedir=$stage/node-linux-$node_cpu-gnu
rm -rf "$nodedir" && mkdir -p "$nodedir"
(cd "$root/bindings-node" && node_modules/.bin/napi build --release --platform -x \
  --target "$triple.2.17" --target-dir "$target" --output-dir "$nodedir/build" --no-js --dts /dev/null >/dev/null)
mv "$nodedir/build/sysfence.linux-$node_cpu-gnu.node" "$nodedir/" && rm -rf "$nodedir/build"
cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$nodedir/"
node -e '
  const [src, dst, version, cpu] = process.argv.slice(1)
  const m = require(src)
  const p = { name: `sysfence-linux-${cpu}-gnu`, version, description: `${m.name} native addon for linux ${cpu} (glibc >= 2.17)`,
    license: m.license, repository: m.repository, main: `sysfence.linux-${cpu}-gnu.node`,
    files: [`sysfence.linux-${cpu}-gnu.node`], os: ["linux"], cpu: [cpu], libc: ["glibc"], engines: m.engines }
  require("fs").writeFileSync(dst, JSON.stringify(p, null, 2) + "\n")
' "$root/bindings-node/package.json" "$nodedir/package.json" "$version" "$node_cpu"
rm -f "$dist/sysfence-linux-$node_cpu-gnu-$version.tgz"
(cd "$nodedir" && npm pack --pack-destination "$dist" --no-audit --no-fund --loglevel=warn >/dev/null)
echo "package: $dist/sysfence-linux-$node_cpu-gnu-$version.tgz"
