#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Check the artifacts scripts/package.sh wrote into target/dist/ (docs/packaging.md).
#
# Usage: scripts/package-check.sh ARCH      ARCH: x86_64 | aarch64
#
# For every ELF file an artifact carries (CLI, libsysfence.so in the tarball and the gem, the
# wheel's extension, the Node addon): its machine is ARCH, its highest GLIBC_x.y symbol version
# (objdump -T) is <= 2.17, and no libseccomp is NEEDED (libseccomp is linked in). Then each
# artifact is installed the way its users install it and run:
#   x86_64: the CLI (version names libseccomp 2.6.1; a filter refuses exec), the wheel in a fresh
#           venv of every CPython 3.9-3.13 pyenv has (a filter loaded in a child refuses exec),
#           the npm tarballs installed offline in a scratch project (require and import), the
#           gem in a fresh GEM_HOME (plain `require "sysfence"`), the C tarball through
#           pkg-config (shared and static), and the Crystal shard against `make install` into a
#           scratch PREFIX.
#   aarch64: the CLI under qemu-aarch64-static (version, check, explain, compile); loading a
#           filter needs a real arm64 kernel (qemu-user passes seccomp() to the host kernel,
#           which would check an x86_64 filter's arch), so it is exercised on x86_64 only.
# Prints "package-check: N passed, 0 failed" at the end; any failure stops it with a message.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
dist=$target/dist
scratch=$target/package/check-${1:-x86_64}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)
arch=${1:?usage: scripts/package-check.sh x86_64|aarch64}
case $arch in
  x86_64) machine='Advanced Micro Devices X86-64' node_cpu=x64 ;;
  aarch64) machine='AArch64' node_cpu=arm64 ;;
  *) echo "package-check: unknown architecture $arch" >&2; exit 2 ;;
esac
max_glibc=2.17
passed=0
ok() { passed=$((passed + 1)); echo "package-check: ok: $*"; }
fail() { echo "package-check: FAILED: $*" >&2; exit 1; }

rm -rf "$scratch" && mkdir -p "$scratch"

cli=$dist/sysfence-$version-$arch-linux
ctar=$dist/libsysfence-$version-$arch-linux.tar.gz
gem=$dist/sysfence-$version-$arch-linux.gem
wheel=$(ls "$dist"/sysfence-"$version"-cp39-abi3-manylinux*_"$arch".whl 2>/dev/null | head -1)
npm_main=$dist/sysfence-$version.tgz
npm_plat=$dist/sysfence-linux-$node_cpu-gnu-$version.tgz
for f in "$cli" "$ctar" "$gem" "$wheel" "$npm_main" "$npm_plat"; do
  [[ -n $f && -f $f ]] || fail "missing artifact ${f:-sysfence-$version-cp39-abi3-manylinux*_$arch.whl} (run make package)"
done
ok "all $arch artifacts present in $dist"
shard_version=$(sed -n 's/^version: *//p' "$root/bindings-c/crystal/shard.yml")
[[ $shard_version == "$version" ]] || fail "bindings-c/crystal/shard.yml says version $shard_version, Cargo.toml $version"
npm_version=$(node -p 'require(process.argv[1]).version' "$root/bindings-node/package.json")
[[ $npm_version == "$version" ]] || fail "bindings-node/package.json says version $npm_version, Cargo.toml $version"
ok "versions: shard.yml and package.json say $version, as Cargo.toml"

# One ELF file: machine, glibc ceiling, no shared libseccomp.
check_elf() {
  local file=$1 label=$2 m top
  m=$(readelf -h "$file" | sed -n 's/^ *Machine: *//p')
  [[ $m == "$machine" ]] || fail "$label: machine '$m', expected '$machine'"
  top=$(objdump -T "$file" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
  [[ -n $top ]] || fail "$label: no GLIBC symbol versions (not linked against glibc?)"
  [[ $(printf '%s\n%s\n' "$top" "$max_glibc" | sort -V | tail -1) == "$max_glibc" ]] \
    || fail "$label: needs GLIBC_$top, above $max_glibc"
  # A symbol the glibc 2.17 stubs lack stays undefined without a version in a shared object:
  # it would fail to resolve at load time on an old glibc. Only the host's (Python's, Node's)
  # and weak ones may be unversioned.
  local loose
  loose=$(objdump -T "$file" | awk '/\*UND\*/ && !/GLIBC_|GCC_/ && $2 != "w" { print $NF }' \
    | grep -vE '^(_?Py|napi_|node_api_|uv_)' || true)
  [[ -z $loose ]] || fail "$label: unversioned undefined symbols (newer than glibc $max_glibc?): $loose"
  if readelf -d "$file" | grep NEEDED | grep libseccomp >/dev/null; then fail "$label: NEEDs a shared libseccomp"; fi
  ok "$label: $m, glibc <= GLIBC_$top, no dynamic libseccomp"
}

# Unpack each artifact.
mkdir -p "$scratch/c" "$scratch/gem" "$scratch/wheel" "$scratch/npm-plat"
tar -C "$scratch/c" -xzf "$ctar"
cdir=$scratch/c/libsysfence-$version-$arch-linux
(cd "$scratch/gem" && tar -xf "$gem" data.tar.gz && tar -xzf data.tar.gz)
(cd "$scratch/wheel" && python3 -m zipfile -e "$wheel" .)
tar -C "$scratch/npm-plat" -xzf "$npm_plat"

check_elf "$cli" "CLI $(basename "$cli")"
check_elf "$cdir/lib/libsysfence.so.$version" "C tarball lib/libsysfence.so.$version"
check_elf "$scratch/gem/lib/sysfence/libsysfence.so" "gem lib/sysfence/libsysfence.so"
check_elf "$(ls "$scratch"/wheel/sysfence/_sysfence*.so)" "wheel sysfence/_sysfence.abi3.so"
check_elf "$scratch/npm-plat/package/sysfence.linux-$node_cpu-gnu.node" "npm sysfence-linux-$node_cpu-gnu addon"

# The tarball's layout.
for f in include/sysfence.h lib/libsysfence.a lib/libsysfence.so lib/libsysfence.so.0 lib/pkgconfig/sysfence.pc; do
  [[ -e $cdir/$f ]] || fail "C tarball lacks $f"
done
[[ $(readelf -d "$cdir/lib/libsysfence.so.$version" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p') == libsysfence.so.0 ]] \
  || fail "C tarball: libsysfence.so's SONAME is not libsysfence.so.0"
ok "C tarball: include/, lib/ (.so, SONAME link, .a), lib/pkgconfig/"
case $(basename "$wheel") in
  sysfence-$version-cp39-abi3-manylinux2014_$arch.manylinux_2_17_$arch.whl) ok "wheel tag: $(basename "$wheel")" ;;
  *) fail "wheel tag: $(basename "$wheel"), expected cp39-abi3-manylinux2014_$arch.manylinux_2_17_$arch" ;;
esac

# A small policy file for the CLI checks. Its bad_arch_action is kill_thread because qemu-user
# does not emulate seccomp(2): libseccomp, probing the kernel through it, then takes the API
# level to be 1 and refuses the default kill_process.
cat >"$scratch/policy.json" <<'JSON'
{ "version": 1, "default_action": "allow", "bad_arch_action": "kill_thread",
  "rules": [ { "action": "errno:EPERM", "syscalls": ["mkdirat"] } ] }
JSON

if [[ $arch == aarch64 ]]; then
  qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
  [[ -n $qemu ]] || fail "qemu-aarch64-static missing (Debian package qemu-user-static: make setup)"
  # The arm64 glibc (dynamic loader, libc) qemu-user runs the CLI with: Debian's
  # libc6-arm64-cross (glibc 2.36, newer than the 2.17 the binary asks for).
  sysroot=/usr/aarch64-linux-gnu
  [[ -e $sysroot/lib/ld-linux-aarch64.so.1 ]] || fail "$sysroot lacks the arm64 glibc (Debian package libc6-arm64-cross: make setup)"
  qemu="$qemu -L $sysroot"
  out=$($qemu "$cli" version)
  [[ $out == *"libseccomp 2.6.1"* ]] || fail "CLI under qemu: version says '$out'"
  ok "CLI under qemu-aarch64: version: $out"
  $qemu "$cli" check "$scratch/policy.json" >/dev/null || fail "CLI under qemu: check"
  ok "CLI under qemu-aarch64: check"
  out=$($qemu "$cli" explain "$scratch/policy.json" mkdirat 2>&1) || fail "CLI under qemu: explain: $out"
  [[ $out == *EPERM* ]] || fail "CLI under qemu: explain mkdirat says '$out', expected errno:EPERM"
  ok "CLI under qemu-aarch64: explain mkdirat: $(head -1 <<<"$out")"
  $qemu "$cli" compile "$scratch/policy.json" -o "$scratch/policy.bpf" >/dev/null \
    || fail "CLI under qemu: compile"
  [[ -s $scratch/policy.bpf && $(( $(stat -c %s "$scratch/policy.bpf") % 8 )) == 0 ]] \
    || fail "CLI under qemu: compile wrote no BPF"
  ok "CLI under qemu-aarch64: compile ($(( $(stat -c %s "$scratch/policy.bpf") / 8 )) instructions)"
  echo "package-check: $passed passed, 0 failed"
  exit 0
fi

# ---- x86_64: install and run each artifact as its users would.

# CLI
out=$("$cli" version)
[[ $out == *"libseccomp 2.6.1"* ]] || fail "CLI version says '$out', expected libseccomp 2.6.1"
out2=$("$cli" run --preset no-exec -- bash -c '/bin/true 2>/dev/null; echo status=$?')
[[ $out2 == status=126 ]] || fail "CLI: run --preset no-exec did not refuse exec: $out2"
ok "CLI: '$out'; run --preset no-exec refuses exec"

# C tarball, through its relocatable pkg-config file: shared and static.
cat >"$scratch/c/main.c" <<'C'
#include <stdio.h>
#include <sysfence.h>
int main(void) { printf("%s\n", sysfence_version()); return 0; }
C
pc="env PKG_CONFIG_PATH=$cdir/lib/pkgconfig pkg-config"
cc -o "$scratch/c/shared" "$scratch/c/main.c" $($pc --cflags --libs sysfence) -Wl,-rpath,"$cdir/lib"
cc -o "$scratch/c/static" "$scratch/c/main.c" $($pc --static --cflags --libs sysfence \
  | sed 's/-lsysfence/-Wl,-Bstatic -lsysfence -Wl,-Bdynamic/')
for kind in shared static; do
  out=$("$scratch/c/$kind")
  [[ $out == "$version (libseccomp 2.6.1)" ]] || fail "C tarball ($kind): sysfence_version() = '$out'"
done
ldd "$scratch/c/static" | grep libsysfence >/dev/null && fail "C tarball: static link still NEEDs libsysfence"
ok "C tarball: pkg-config builds (shared and static) print '$out'"

# Python: the wheel on every CPython 3.9-3.13 pyenv has, each in a fresh venv.
cat >"$scratch/wheel_check.py" <<'PY'
import subprocess, sys, sysfence
assert sysfence.LIBSECCOMP_VERSION == "2.6.1", sysfence.LIBSECCOMP_VERSION
f = sysfence.compile_policy("no-exec")
assert f.simulate("execve") == "errno:EACCES"
try:
    subprocess.run(["/bin/true"], preexec_fn=f.load, check=True)
    sys.exit("exec was not refused")
except PermissionError:
    pass  # the child loaded the filter, then its execve got EACCES
print(sysfence.__version__, sysfence.LIBSECCOMP_VERSION)
PY
pythons=()
for minor in 9 10 11 12 13; do
  for py in "$HOME"/.pyenv/versions/3.$minor.*/bin/python3.$minor; do [[ -x $py ]] && pythons+=("$py") && break; done
done
[[ ${#pythons[@]} -gt 0 ]] || pythons=("$(command -v python3)")
for py in "${pythons[@]}"; do
  v=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  venv=$scratch/venv-$v
  "$py" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
  out=$(cd "$scratch" && "$venv/bin/python" "$scratch/wheel_check.py") || fail "wheel on CPython $v"
  ok "wheel on CPython $v (fresh venv): $out; a loaded filter refused exec in a child"
done

# Node: the packed tarballs installed offline in a scratch project; npm picks the platform
# package through the main package's optionalDependencies.
proj=$scratch/node
mkdir -p "$proj"
echo '{ "name": "sysfence-package-check", "version": "0.0.0", "private": true }' >"$proj/package.json"
(cd "$proj" && npm install --offline --no-audit --no-fund --loglevel=error "$npm_main" "$npm_plat" >/dev/null) \
  || fail "npm install of the packed tarballs"
[[ -f $proj/node_modules/sysfence-linux-$node_cpu-gnu/sysfence.linux-$node_cpu-gnu.node ]] \
  || fail "npm: the platform package was not installed"
out=$(cd "$proj" && node -e 'const s = require("sysfence"); const v = s.versions(); console.log(JSON.stringify(v))') \
  || fail "npm: require(\"sysfence\")"
out2=$(cd "$proj" && node --input-type=module -e 'import { compilePolicy } from "sysfence"; import s from "sysfence"; console.log(compilePolicy("no-exec").simulate("execve"), typeof s.status)') \
  || fail "npm: import from \"sysfence\""
[[ $out2 == "errno:EACCES function" ]] || fail "npm: ESM import gave '$out2'"
[[ -f $proj/node_modules/sysfence/index.d.ts ]] || fail "npm: typings missing"
ok "npm: offline install picks sysfence-linux-$node_cpu-gnu; require: $out; import works"

# Ruby: the gem in a fresh GEM_HOME; plain require, no -I, no SYSFENCE_LIB.
export_gem=$scratch/gem-home
GEM_HOME=$export_gem gem install --local --quiet --no-document "$gem" >/dev/null || fail "gem install --local"
out=$(cd "$scratch" && env -u SYSFENCE_LIB -u RUBYLIB GEM_HOME="$export_gem" ruby -e 'require "sysfence"; puts Sysfence.version; print Sysfence::Native.ffi_libraries.map(&:name).join') \
  || fail "gem: require \"sysfence\""
[[ $out == *"libseccomp 2.6.1"*"$export_gem"*libsysfence.so ]] || fail "gem: unexpected: $out"
ok "gem: fresh GEM_HOME, require \"sysfence\": $(head -1 <<<"$out"), the gem's own libsysfence.so"

# Crystal: `make install` into a scratch PREFIX, then a project with the shard as a path
# dependency, linked through pkg-config.
prefix=$scratch/prefix
make -s -C "$root" --no-print-directory install-c C_PROFILE="$arch-unknown-linux-gnu/release" DESTDIR= PREFIX="$prefix" >/dev/null
cr=$scratch/crystal
mkdir -p "$cr/src"
cat >"$cr/shard.yml" <<YML
name: sysfence-package-check
version: 0.0.0
dependencies:
  sysfence:
    path: $root/bindings-c/crystal
YML
printf 'require "sysfence"\nputs Sysfence.version\n' >"$cr/src/main.cr"
if command -v shards >/dev/null; then
  (cd "$cr" && shards install --quiet) || fail "shards install"
  how="shards install"
else
  # What `shards install` does for a path dependency: lib/NAME links to the shard's directory.
  mkdir -p "$cr/lib" && ln -sfn "$root/bindings-c/crystal" "$cr/lib/sysfence"
  how="lib/sysfence link as shards makes it (no shards binary on this machine)"
fi
(cd "$cr" && CRYSTAL_CACHE_DIR=$scratch/cache-cr PKG_CONFIG_PATH=$prefix/lib/pkgconfig \
  crystal build src/main.cr -o main) || fail "crystal build against the installed libsysfence"
out=$(LD_LIBRARY_PATH=$prefix/lib "$cr/main")
[[ $out == "$version (libseccomp 2.6.1)" ]] || fail "crystal: Sysfence.version = '$out'"
LD_LIBRARY_PATH=$prefix/lib ldd "$cr/main" | grep "libsysfence.so.0 => $prefix/lib" >/dev/null || fail "crystal: not linked to the installed library"
ok "crystal shard ($how): linked via pkg-config to make install PREFIX: $out"

echo "package-check: $passed passed, 0 failed"
