#!/usr/bin/env bash
# The e2e suites: two files at a time, then alone the 15,000-agent site-down (its re-login storm takes the
# whole machine; beside the soak it would starve the soak's probes of CPU), and last the one-node cluster
# lane (a whole Kubernetes node with the project's images: one per machine, and it needs the CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
alone=e2e/failover/site-down.test.ts
mapfile -t files < <(find e2e -name '*.test.ts' ! -path "$alone" ! -path 'e2e/cluster/*' ! -path '*/node_modules/*' | sort)
bash scripts/with-node24.sh node --test --test-reporter=spec --test-concurrency=2 "${files[@]}"
bash scripts/with-node24.sh node --test --test-reporter=spec "$alone"
bash scripts/with-node24.sh node --test --test-reporter=spec e2e/cluster/*.test.ts
