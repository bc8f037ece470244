#!/usr/bin/env bash
# Fails when the English catalogue has an untranslated or fuzzy message.
# Usage: scripts/translate_check.sh   (run `make messages` first to refresh the catalogue)
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for po in locale/en/LC_MESSAGES/*.po; do
  stats=$(LC_ALL=C msgfmt --check-format --statistics -o /dev/null "$po" 2>&1)
  echo "$po: $stats"
  if grep -Eq "untranslated|fuzzy" <<<"$stats"; then
    status=1
  fi
done
exit $status
