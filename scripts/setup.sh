#!/usr/bin/env bash
# Set up everything from a clean clone: system packages (Debian chromium for the browser tests,
# redis-server for the relay tests), a virtualenv in .venv, the package with its test extras, and the
# front-end bundle (built by npm during the install). Safe to run again: it skips what is present.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
# a CJK font, so Chinese names and labels render in browser tests and their screenshots
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_apt+=(fonts-wqy-microhei)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" = none ]; then
    echo "setup: cannot install ${need_apt[*]} (not root, no sudo); browser/relay tests will fail" >&2
  else
    echo "setup: installing ${need_apt[*]} with apt-get"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
  fi
fi

command -v npm >/dev/null 2>&1 || { echo "setup: npm (Node.js >= 18) is required to build the widgets' front-end" >&2; exit 1; }

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# the editable install runs the front-end build (hatch-jupyter-builder → npm ci && npm run build in js/)
rm -f infoway_widgets/static/*.js
.venv/bin/python -m pip install -q -e ".[test,dev]"
test -s infoway_widgets/static/candle.js || { echo "setup: the front-end bundle was not built" >&2; exit 1; }
echo "setup: done (.venv ready)"
