#!/usr/bin/env bash
# Set everything up, then run the whole test suite (Python, JavaScript, real browser, notebooks).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
(cd js && npm test --silent)
.venv/bin/python -m pytest -q -p no:cacheprovider --durations=15 "$@"
