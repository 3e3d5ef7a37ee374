#!/usr/bin/env bash
# The recipe of Penwright's embedded default, as one command: a BPE tokenizer and a small Llama-shaped base model
# trained on the three corpora's train splits in three stages, stored as F16 in runtime/models/penwright-base, then
# one style pack a corpus trained on it and imported as a module of style-packs/, then the benchmark. Every stage runs
# a fixed number of optimiser steps (not minutes), so the same seed and data give the same model on any machine
# (within the rounding of its matmuls); only the wall time differs.
#
# Stage 1 (STAGE1_STEPS, default 3232: about 75 minutes on two cores): tokenizer and model from scratch on raw text,
#   256-token sequences.
# Stage 2 (STAGE2_STEPS, default 359): --init from stage 1, every parameter trained further on a mix of raw text and
#   plan→text sequences (the extractive planner's plan of a training text in the styler's prompt format, loss on the
#   text only, as S-SFT makes them), the corpora balanced.
# Stage 3 (STAGE3_STEPS, default 150; CONTEXT, default 1024): copy and restyle. --init from stage 2 with the context
#   raised to CONTEXT positions (--max-positions; RoPE positions are computed), trained on 1,024-token sequences that
#   are 90 % plan→text (the neutral draft → the original text: the model learns to copy the plan's content and put
#   back the style's form) and 10 % raw text.
# Packs (STYLE_STEPS, default 90 steps of 2048 tokens; DPO_STEPS, default 40): S-SFT, then C-DPO on the model's own
#   samples, 1,024-token sequences. No self-improvement round by default: on this base its keep rule accepted 0-2 of
#   96 candidates a pack (2026-12-05), so the stage was mostly more S-SFT at twice the cost; STYLE_FLAGS
#   "--self-improve 1 --dpo" brings it back (S-SFT then takes 60 % of STYLE_STEPS).
#
# Usage: style-packs/train-embedded-default.sh
#   env: CORPORA (default corpora/ of the project), WORK (default /tmp/penwright-recipe), SHAPE (default d384-l6),
#        STAGE1_STEPS, STAGE2_STEPS, STAGE3_STEPS (0 skips a stage), CONTEXT, STAGE3_MIX (default 0.9),
#        STYLE_STEPS, DPO_STEPS, STYLES (default "debian-desc jargon zh-fortunes"),
#        STYLE_FLAGS (flags for train style; default "--dpo"),
#        FROM_SHIPPED=1 (stages 1 and 2 not rerun: stage 3 starts from runtime/models/penwright-base as committed,
#        which is what stages 1 and 2 make), SKIP_BASE=1 (no base stage: the packs on runtime/models/penwright-base),
#        BENCH=0 (no benchmark at the end; else bench notes --n BENCH_N (200) --concurrency BENCH_CONCURRENCY (8)
#        --out docs/bench)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpora="${CORPORA:-$root/corpora}"
work="${WORK:-/tmp/penwright-recipe}"
stage1_steps="${STAGE1_STEPS:-3232}"
stage2_steps="${STAGE2_STEPS:-359}"
stage3_steps="${STAGE3_STEPS:-150}"
context="${CONTEXT:-1024}"
stage3_mix="${STAGE3_MIX:-0.9}"
style_steps="${STYLE_STEPS:-90}"
dpo_steps="${DPO_STEPS:-40}"
shape="${SHAPE:-d384-l6}"
styles="${STYLES:-debian-desc jargon zh-fortunes}"
declare -A file=([debian-desc]=debian-desc.jsonl.gz [jargon]=jargon.jsonl [zh-fortunes]=zh-fortunes.jsonl)
all_corpora="$corpora/debian-desc.jsonl.gz,$corpora/jargon.jsonl,$corpora/zh-fortunes.jsonl"
mkdir -p "$work"
cd "$root"

if [[ "${SKIP_BASE:-0}" != 1 ]]; then
  final=""
  if [[ "${FROM_SHIPPED:-0}" == 1 ]]; then
    rm -rf "$work/shipped"
    cp -r runtime/models/penwright-base "$work/shipped"
    final="$work/shipped"
  else
    ./penwright train base --corpus "$all_corpora" \
      --shape "$shape" --vocab 8000 --seq-len 256 --steps "$stage1_steps" --seed 42 \
      --checkpoint-every 100 --eval-every 100 --out "$work/base"
    final="$work/base"
    if [[ "$stage2_steps" != 0 ]]; then
      # --out differs from --init: stage 1's folder and report stay; stage 2's report keeps stage 1's as stages[0].
      ./penwright train base --init "$work/base" --corpus "$all_corpora" \
        --plan-mix 0.7 --balance --prompt-template both --lr 5e-4 --seq-len 256 \
        --steps "$stage2_steps" --seed 42 --checkpoint-every 50 --eval-every 0 --out "$work/base-plan"
      final="$work/base-plan"
    fi
  fi
  if [[ "$stage3_steps" != 0 ]]; then
    rm -rf "$work/base-copy"
    ./penwright train base --init "$final" --max-positions "$context" --corpus "$all_corpora" \
      --plan-mix "$stage3_mix" --balance --prompt-template both --lr 3e-4 --seq-len "$context" \
      --steps "$stage3_steps" --seed 42 --checkpoint-every 25 --eval-every 0 --out "$work/base-copy"
    rm -rf "$work/base-copy/init-context-$context"
    final="$work/base-copy"
  fi
  card="$(mktemp)"
  [[ -f runtime/models/penwright-base/README.md ]] && cp runtime/models/penwright-base/README.md "$card"
  stage1_png="$(mktemp)"
  [[ -f runtime/models/penwright-base/loss-stage1.png ]] && cp runtime/models/penwright-base/loss-stage1.png "$stage1_png"
  rm -rf runtime/models/penwright-base
  ./penwright convert --model "$final" --dtype F16 --out runtime/models/penwright-base
  rm -rf runtime/models/penwright-base/checkpoints
  # The model card is written by hand from report.json: keep it (and stage 1's curve) for its figures to be redone.
  [[ -s "$card" ]] && cp "$card" runtime/models/penwright-base/README.md
  if [[ -d "$work/base" && "$final" != "$work/base" ]]; then
    cp "$work/base/loss.png" runtime/models/penwright-base/loss-stage1.png
  elif [[ -s "$stage1_png" ]]; then
    cp "$stage1_png" runtime/models/penwright-base/loss-stage1.png
  fi
  rm -f "$card" "$stage1_png"
fi

for style in $styles; do
  rm -rf "$work/packs-$style"
  # shellcheck disable=SC2086
  ./penwright train style --corpus "$corpora/${file[$style]}" --id "$style" --base runtime/models/penwright-base \
    --steps "$style_steps" --batch-tokens 2048 --dpo-steps "$dpo_steps" --max-tokens "$context" --seed 42 \
    ${STYLE_FLAGS---dpo} --out "$work/packs-$style"
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
