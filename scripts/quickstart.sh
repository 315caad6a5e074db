#!/usr/bin/env bash
# Set everything up, then open the quickstart notebook in JupyterLab on the embedded simulated market.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/jupyter lab --ip=127.0.0.1 notebooks/quickstart.ipynb "$@"
