#!/usr/bin/env bash
# The project's test command: installs dependencies, then builds everything and runs all tests.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
# the Eclipse plugin's SWT tests need an X display: a virtual one when there is none
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null 2>&1; then
    exec xvfb-run -a -s "-screen 0 1400x900x24" ./mvnw -B -ntp verify "$@"
fi
./mvnw -B -ntp verify "$@"
