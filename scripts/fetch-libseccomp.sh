#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Fetch libseccomp >= 2.6.1 (static library + headers + pkg-config file) from Debian's `sid`
# suite through the mirror this machine's apt is already configured with, verified by apt's
# normal signature checks, into a cache under target/. The system's apt configuration and
# package state are not touched: a private sources list, lists dir and cache dir are passed
# with -o. Idempotent: does nothing when the cache already holds an acceptable version.
#
# Usage: scripts/fetch-libseccomp.sh [CACHE_DIR] [DEBIAN_ARCH]
#   (defaults: target/libseccomp, this machine's architecture; `arm64` fetches the arm64 build
#   of the same package, for cross builds: make package)
set -euo pipefail

cache=${1:-target/libseccomp}
deb_arch=${2:-$(dpkg --print-architecture)}
min_version=2.6.1
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
stamp="$cache/VERSION"

version_ok() { dpkg --compare-versions "$1" ge "$min_version"; }

if [[ -f "$stamp" && -f "$cache/lib/libseccomp.a" ]] && version_ok "$(cat "$stamp")"; then
  echo "libseccomp $(cat "$stamp") already in $cache"
  exit 0
fi

# The mirror this machine already uses for Debian's main archive (never a hard-coded host).
# apt-cache only lists it once the machine's package lists exist: read them first if needed.
find_mirror() {
  apt-cache policy 2>/dev/null \
    | awk '$2 ~ /^https?:\/\// && $3 ~ /^[a-z]+\/main$/ && $3 !~ /-security/ { print $2; exit }'
}
mirror=$(find_mirror)
if [[ -z "$mirror" ]]; then
  apt-get update -qq >/dev/null 2>&1 || true
  mirror=$(find_mirror)
fi
if [[ -z "$mirror" ]]; then
  echo "fetch-libseccomp: no Debian mirror found in apt's configuration (run 'apt-get update')" >&2
  exit 1
fi
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -r "$keyring" ]] || { echo "fetch-libseccomp: $keyring missing (package debian-archive-keyring)" >&2; exit 1; }

apt_dir="$cache/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/parts" "$apt_dir/prefs"
echo "deb [arch=$deb_arch signed-by=$keyring] $mirror sid main" >"$apt_dir/sources.list"
apt_opts=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list"
  -o "Dir::Etc::SourceParts=$apt_dir/parts"
  -o "Dir::Etc::Preferences=$apt_dir/prefs/none"
  -o "Dir::Etc::PreferencesParts=$apt_dir/prefs"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir"
  -o "Dir::Cache::Archives=$apt_dir/archives"
  -o "APT::Get::List-Cleanup=0"
  -o "Acquire::Languages=none"
  -o "APT::Architecture=$deb_arch"
  -o "APT::Architectures=$deb_arch"
)
echo "fetch-libseccomp: reading sid's package list from $mirror"
apt-get "${apt_opts[@]}" -o APT::Sandbox::User=root -qq update
candidate=$(apt-cache "${apt_opts[@]}" show libseccomp-dev 2>/dev/null \
  | awk '/^Version:/ { print $2 }' | sort -V | tail -n 1)
if [[ -z "$candidate" ]] || ! version_ok "$candidate"; then
  echo "fetch-libseccomp: sid offers libseccomp-dev '${candidate:-none}', need >= $min_version" >&2
  exit 1
fi
(cd "$apt_dir/archives" && apt-get "${apt_opts[@]}" -o APT::Sandbox::User=root -qq download "libseccomp-dev=$candidate")
deb=$(ls "$apt_dir/archives"/libseccomp-dev_*.deb | head -n 1)

extract="$apt_dir/extract"
rm -rf "$extract" && mkdir -p "$extract"
dpkg-deb -x "$deb" "$extract"
multiarch=$(dpkg-architecture -a"$deb_arch" -qDEB_HOST_MULTIARCH 2>/dev/null)
rm -rf "$cache/lib" "$cache/include"
mkdir -p "$cache/lib/pkgconfig" "$cache/include"
cp "$extract/usr/lib/$multiarch/libseccomp.a" "$cache/lib/"
cp "$extract/usr/include/"seccomp*.h "$cache/include/"
# A pkg-config file pointing at the cache, so libseccomp-rs sees 2.6 (export_bpf_mem) and
# pkg-config users find the static library.
upstream=${candidate%%-*}
cat >"$cache/lib/pkgconfig/libseccomp.pc" <<PC
prefix=$cache
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: libseccomp
Description: The enhanced seccomp library (static copy from Debian package $candidate, $deb_arch)
URL: https://github.com/seccomp/libseccomp
Version: $upstream
Cflags: -I\${includedir}
Libs: -L\${libdir} -l:libseccomp.a
PC
echo "$upstream" >"$stamp"
sha=$(sha256sum "$deb" | cut -d' ' -f1)
echo "fetch-libseccomp: libseccomp $upstream $deb_arch (deb $candidate, sha256 $sha) in $cache"
