#!/usr/bin/env bash
# The project's test command: installs what is missing, then generated-file freshness, lint,
# type-check, unit tests and the e2e suites against a real control plane.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
npm run --silent check:generated
npm run --silent lint
npm run --silent typecheck
npm run --silent test:unit
npm run --silent test:e2e
