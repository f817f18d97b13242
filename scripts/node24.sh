#!/usr/bin/env bash
# Runs a TypeScript file with the project's Node 24 (Node runs TypeScript by stripping types).
exec bash "$(dirname "$0")/with-node24.sh" node "$@"
