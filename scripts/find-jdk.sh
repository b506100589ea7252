#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Print the home of a JDK >= 22 (the Java binding needs java.lang.foreign, final in Java 22):
# JAVA_HOME when it is one, otherwise the newest JDK in /usr/lib/jvm (Temurin, OpenJDK, ...).
# Exits 1 with a message on stderr when there is none.
#
# Usage: scripts/find-jdk.sh [MIN_MAJOR]   (default 22)
set -euo pipefail
min=${1:-22}

# The feature version of the JDK at $1 (from its release file, else from `java -version`), or 0.
major_of() {
  local home=$1 v=""
  [[ -x "$home/bin/javac" && -x "$home/bin/java" ]] || { echo 0; return; }
  if [[ -f "$home/release" ]]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
  fi
  if [[ -z "$v" ]]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -1)
  fi
  v=${v#1.}   # 1.8 -> 8
  echo "${v%%[.+-]*}" | grep -E '^[0-9]+$' || echo 0
}

if [[ -n "${JAVA_HOME:-}" ]] && (( $(major_of "$JAVA_HOME") >= min )); then
  echo "$JAVA_HOME"
  exit 0
fi

best="" best_major=0
for home in /usr/lib/jvm/*/; do
  home=${home%/}
  [[ -L "$home" ]] && continue   # aliases of the same JDK
  m=$(major_of "$home")
  if (( m >= min && m > best_major )); then
    best=$home best_major=$m
  fi
done
if [[ -z "$best" ]]; then
  echo "find-jdk: no JDK >= $min (JAVA_HOME=${JAVA_HOME:-unset}; none in /usr/lib/jvm); install one (such as Temurin 25) or set JAVA_HOME" >&2
  exit 1
fi
echo "$best"
