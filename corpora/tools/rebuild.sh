#!/usr/bin/env bash
# Rebuilds the corpora of this folder from Debian bookworm's own packages: dict-jargon (the Jargon File),
# fortunes-zh (Chinese fortunes) and the i18n Translation-en list of main (the package descriptions).
# Needs a Debian bookworm machine with apt, dpkg, python3 and gzip; run as root (it runs apt-get update).
# Usage: corpora/tools/rebuild.sh [OUT_DIR]   (default: this corpora/ folder)
set -euo pipefail
tools="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(cd "${1:-$tools/..}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
apt-get -o Acquire::Languages=en update
(cd "$work" && apt-get download dict-jargon fortunes-zh)
mkdir -p "$work/root"
for deb in "$work"/*.deb; do
  dpkg -x "$deb" "$work/root"
done
# apt keeps the Translation-en list compressed or not, depending on its configuration: hand prep_corpora.py plain text.
list="$(ls /var/lib/apt/lists/*_dists_bookworm_main_i18n_Translation-en* | head -1)"
case "$list" in
  *.lz4) lz4 -dc "$list" > "$work/Translation-en" ;;
  *.gz) gzip -dc "$list" > "$work/Translation-en" ;;
  *.xz) xz -dc "$list" > "$work/Translation-en" ;;
  *) cp "$list" "$work/Translation-en" ;;
esac
python3 "$tools/prep_corpora.py" "$work/root" "$work" "$work/Translation-en"
cp "$work/jargon.jsonl" "$work/zh-fortunes.jsonl" "$out/"
gzip -9n < "$work/debian-desc.jsonl" > "$out/debian-desc.jsonl.gz"
echo "rebuilt in $out: jargon.jsonl zh-fortunes.jsonl debian-desc.jsonl.gz"
