#!/usr/bin/env bash
# The recipe of Penwright's embedded default, as one command: a BPE tokenizer and a small Llama-shaped base model
# trained on the three corpora's train splits, stored as F16 in runtime/models/penwright-base, then one style pack a
# corpus trained on it and imported as a module of style-packs/. Same seed, same data: same figures within noise.
#
# Usage: style-packs/train-embedded-default.sh [BASE_MINUTES] [STYLE_MINUTES]
#   env: CORPORA (default ../shared/corpora), WORK (default /tmp/penwright-recipe), SHAPE (default d256-l4),
#        STYLES (default "debian-desc jargon zh-fortunes"), STYLE_FLAGS (extra flags for train style)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpora="${CORPORA:-$root/../shared/corpora}"
work="${WORK:-/tmp/penwright-recipe}"
base_minutes="${1:-40}"
style_minutes="${2:-6}"
shape="${SHAPE:-d256-l4}"
styles="${STYLES:-debian-desc jargon zh-fortunes}"
declare -A file=([debian-desc]=debian-desc.jsonl.gz [jargon]=jargon.jsonl [zh-fortunes]=zh-fortunes.jsonl)
mkdir -p "$work"
cd "$root"

if [[ "${SKIP_BASE:-0}" != 1 ]]; then
  ./penwright train base --corpus "$corpora/debian-desc.jsonl.gz,$corpora/jargon.jsonl,$corpora/zh-fortunes.jsonl" \
    --shape "$shape" --vocab 8000 --seq-len 256 --minutes "$base_minutes" --seed 42 \
    --checkpoint-every 100 --eval-every 100 --out "$work/base"
  rm -rf runtime/models/penwright-base
  ./penwright convert --model "$work/base" --dtype F16 --out runtime/models/penwright-base
  rm -rf runtime/models/penwright-base/checkpoints
fi

for style in $styles; do
  rm -rf "$work/packs-$style"
  # shellcheck disable=SC2086
  ./penwright train style --corpus "$corpora/${file[$style]}" --id "$style" --base runtime/models/penwright-base \
    --minutes "$style_minutes" --seed 42 ${STYLE_FLAGS:-} --out "$work/packs-$style"
  style-packs/import-pack.sh "$(ls "$work/packs-$style"/"$style"-*.jar | tail -1)"
done
mvn -q -B install -DskipTests
echo "done: runtime/models/penwright-base and style-packs/{${styles// /,}}"
