#!/usr/bin/env bash
# The recipe of Penwright's embedded default, as one command: a BPE tokenizer and a small Llama-shaped base model
# trained on the three corpora's train splits in two stages, stored as F16 in runtime/models/penwright-base, then one
# style pack a corpus trained on it and imported as a module of style-packs/. Same seed, same data: same figures
# within noise.
#
# Stage 1 (BASE_MINUTES, default 78; with stage 2 and the packs about two and a quarter hours on two cores): tokenizer
#   and model from scratch on raw text. The loop fits its step count to the minutes (3,232 steps on the machine of
#   the shipped model, see its card); a slower or faster machine gets fewer or more steps and tokens.
# Stage 2 (PLAN_MINUTES): --init from stage 1, every parameter trained further on a mix of raw text and plan→text
#   sequences (the extractive planner's plan of a training text in the styler's prompt format, loss on the text only,
#   as S-SFT makes them), the corpora balanced; so the base model knows the prompt format before any pack is trained
#   on it, and a request without a pack gets text that follows its plan.
#
# Usage: style-packs/train-embedded-default.sh [BASE_MINUTES] [STYLE_MINUTES]
#   env: CORPORA (default ../shared/corpora), WORK (default /tmp/penwright-recipe), SHAPE (default d384-l6),
#        PLAN_MINUTES (default 12; 0 skips stage 2), PLAN_MIX (default 0.7), PLAN_LR (default 5e-4),
#        PLAN_TEMPLATE (default both: the api's default template and S-SFT's compact one, in turn),
#        STYLES (default "debian-desc jargon zh-fortunes"), STYLE_FLAGS (flags for train style; default "--self-improve 1 --dpo"),
#        SKIP_BASE=1 (neither stage: use runtime/models/penwright-base as it is),
#        SKIP_STAGE1=1 (stage 2 only, from an existing $WORK/base),
#        BENCH=0 (no benchmark at the end; else bench notes --n BENCH_N (200) --concurrency BENCH_CONCURRENCY (8)
#        --out docs/bench: about 11 minutes here)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpora="${CORPORA:-$root/../shared/corpora}"
work="${WORK:-/tmp/penwright-recipe}"
base_minutes="${1:-78}"
style_minutes="${2:-10}"
plan_minutes="${PLAN_MINUTES:-12}"
plan_mix="${PLAN_MIX:-0.7}"
plan_lr="${PLAN_LR:-5e-4}"
plan_template="${PLAN_TEMPLATE:-both}"
shape="${SHAPE:-d384-l6}"
styles="${STYLES:-debian-desc jargon zh-fortunes}"
declare -A file=([debian-desc]=debian-desc.jsonl.gz [jargon]=jargon.jsonl [zh-fortunes]=zh-fortunes.jsonl)
all_corpora="$corpora/debian-desc.jsonl.gz,$corpora/jargon.jsonl,$corpora/zh-fortunes.jsonl"
mkdir -p "$work"
cd "$root"

if [[ "${SKIP_BASE:-0}" != 1 ]]; then
  if [[ "${SKIP_STAGE1:-0}" != 1 ]]; then
    ./penwright train base --corpus "$all_corpora" \
      --shape "$shape" --vocab 8000 --seq-len 256 --minutes "$base_minutes" --seed 42 \
      --checkpoint-every 100 --eval-every 100 --out "$work/base"
  fi
  final="$work/base"
  if [[ "$plan_minutes" != 0 ]]; then
    # --out differs from --init: stage 1's folder and report stay; stage 2's report keeps stage 1's as stages[0].
    # No validation during stage 2 (a short stage has no step to stop at); its report has per-corpus validation
    # figures before and after it, raw text and plan→text. Those evaluations and the data preparation run outside
    # --minutes (report.json phaseSeconds).
    ./penwright train base --init "$work/base" --corpus "$all_corpora" \
      --plan-mix "$plan_mix" --balance --prompt-template "$plan_template" --lr "$plan_lr" --seq-len 256 \
      --minutes "$plan_minutes" --seed 42 --checkpoint-every 50 --eval-every 0 --out "$work/base-plan"
    final="$work/base-plan"
  fi
  rm -rf runtime/models/penwright-base
  ./penwright convert --model "$final" --dtype F16 --out runtime/models/penwright-base
  rm -rf runtime/models/penwright-base/checkpoints
  [[ "$final" != "$work/base" ]] && cp "$work/base/loss.png" runtime/models/penwright-base/loss-stage1.png
fi

for style in $styles; do
  rm -rf "$work/packs-$style"
  # shellcheck disable=SC2086
  ./penwright train style --corpus "$corpora/${file[$style]}" --id "$style" --base runtime/models/penwright-base \
    --minutes "$style_minutes" --seed 42 ${STYLE_FLAGS---self-improve 1 --dpo} --out "$work/packs-$style"
  style-packs/import-pack.sh "$(ls "$work/packs-$style"/"$style"-*.jar | tail -1)"
  # One pack a completed stage (S-SFT, + self-improvement, + C-DPO): the benchmark's rows (bench notes --packs).
  rm -rf "style-packs/stages/$style"
  mkdir -p "style-packs/stages/$style"
  for stage in "$work/packs-$style"/stages/*/; do
    [[ -d "$stage" ]] && cp "$stage"/*.jar "style-packs/stages/$style/$(basename "$stage").jar"
  done
done
mvn -q -B install -DskipTests
if [[ "${BENCH:-1}" != 0 ]]; then
  # The benchmark report of what was just built (docs/bench/README.md, the reading, is written by hand).
  ./penwright bench notes --styles "${styles// /,}" --n "${BENCH_N:-200}" --packs style-packs/stages \
    --concurrency "${BENCH_CONCURRENCY:-8}" --out docs/bench
fi
echo "done: runtime/models/penwright-base, style-packs/{${styles// /,}} and docs/bench"
