#!/usr/bin/env bash
# Builds aec in release mode and installs it:
#   PREFIX/bin/aec-encode, aec-decode, aec-train, aec-bench
#   PREFIX/share/aec/models/*.aecm      (the shipped models; the tools find them from their own folder)
#
#   scripts/install.sh [PREFIX]          # default PREFIX: /usr/local
#   scripts/install.sh --no-build PREFIX # install what is built (AEC_BUILD_DIR, default .build/release)
#
# The binaries link the Swift runtime of the toolchain that built them; build with
# `swift build -c release --static-swift-stdlib` (and set AEC_BUILD_FLAGS to that) for binaries that run
# on machines without Swift.
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
if [ "${1:-}" = "--no-build" ]; then build=0; shift; fi
prefix="${1:-/usr/local}"
tools="aec-encode aec-decode aec-train aec-bench"

if [ "$build" -eq 1 ]; then
    # shellcheck disable=SC2086
    swift build -c release ${AEC_BUILD_FLAGS:-}
fi
mkdir -p "$prefix/bin" "$prefix/share/aec/models"
for tool in $tools; do
    install -m 755 "${AEC_BUILD_DIR:-.build/release}/$tool" "$prefix/bin/$tool"
done
install -m 644 Sources/AECCodec/Models/*.aecm "$prefix/share/aec/models/"
echo "installed $tools into $prefix/bin and the models into $prefix/share/aec/models"
