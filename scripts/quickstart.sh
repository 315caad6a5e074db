#!/usr/bin/env bash
# Set everything up, then open the quickstart notebook in JupyterLab on the embedded simulated market.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
extra=()
# Jupyter refuses to run as root without saying so on the command line (containers, CI machines)
if [ "$(id -u)" = 0 ]; then extra+=(--allow-root); fi
exec .venv/bin/jupyter lab --ip=127.0.0.1 "${extra[@]}" notebooks/quickstart.ipynb "$@"
