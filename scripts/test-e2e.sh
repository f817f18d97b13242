#!/usr/bin/env bash
# The e2e suites: two files at a time, then the 15,000-agent site-down alone. Its re-login storm takes
# the whole machine; beside the soak it would starve the soak's probes of CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
alone=e2e/failover/site-down.test.ts
mapfile -t files < <(find e2e -name '*.test.ts' ! -path "$alone" ! -path '*/node_modules/*' | sort)
bash scripts/with-node24.sh node --test --test-reporter=spec --test-concurrency=2 "${files[@]}"
bash scripts/with-node24.sh node --test --test-reporter=spec "$alone"
