#!/usr/bin/env bash
# The project's test command: installs dependencies, then builds everything and runs all tests.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
./mvnw -B -ntp verify "$@"
