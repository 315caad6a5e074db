#!/usr/bin/env bash
# Set everything up, then run the gates (lint, format, types: Python and JS) and the whole test suite
# (Python, JavaScript, real browser, notebooks). Any gate that fails stops the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "gates: ruff check, ruff format --check, mypy, tsc --noEmit"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
(cd js && npm run --silent typecheck)
(cd js && npm test --silent)
.venv/bin/python -m pytest -q -p no:cacheprovider --durations=15 "$@"
