#!/usr/bin/env bash
# Regenerate the committed reference values (needs Rscript with the survey package: `make r-survey`).
set -euo pipefail
cd "$(dirname "$0")/../.."
Rscript scripts/r/make_reference.R
