#!/usr/bin/env python3
"""Compares Penwright's `eval --json` output with sacrebleu and rouge-score on the same pairs file.

    make-pairs CORPORA_DIR OUT.jsonl [--lang en|zh] [--n 200]
        writes held-out pairs (test split: CRC32(id) % 10 == 0) whose hypotheses are perturbed references:
        dropped and swapped words, a truncated text, another entry of the same corpus, so that scores spread
        over 0-100 and tokenizer corner cases (punctuation, numbers, CJK, full-width forms) occur.
    compare PAIRS.jsonl PENWRIGHT.json [--lang en|zh] [--stem]
        recomputes corpus BLEU (sacrebleu, 13a or zh), sentence BLEU (sacrebleu.sentence_bleu), and rougeL /
        rougeLsum (rouge_score.RougeScorer, English only: rouge-score drops CJK characters) and prints the largest
        differences. Exit status 1 if any exceeds 0.01.

Needs `pip install sacrebleu rouge-score` (rouge-score only for the ROUGE columns).
"""
import argparse
import gzip
import json
import random
import sys
import zlib


def read_corpus(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def perturb(text, other, rng):
    kind = rng.randrange(5)
    words = text.split(" ")
    if kind == 0:  # drop some words
        return " ".join(w for w in words if rng.random() > 0.2)
    if kind == 1:  # swap neighbours
        for _ in range(max(1, len(words) // 6)):
            i = rng.randrange(max(1, len(words) - 1))
            words[i:i + 2] = words[i:i + 2][::-1]
        return " ".join(words)
    if kind == 2:  # truncate
        return text[: max(1, len(text) // 2)]
    if kind == 3:  # another entry
        return other
    # Chinese has few spaces: drop characters instead
    return "".join(c for c in text if rng.random() > 0.15)


def make_pairs(args):
    files = {"en": ["debian-desc.jsonl.gz", "jargon.jsonl"], "zh": ["zh-fortunes.jsonl"]}[args.lang]
    rng = random.Random(7)
    pairs = []
    for name in files:
        held_out = []
        for rec in read_corpus(f"{args.corpora}/{name}"):
            if zlib.crc32(rec["id"].encode("utf-8")) % 10 == 0:
                held_out.append(rec)
            if len(held_out) >= args.n:
                break
        for i, rec in enumerate(held_out):
            other = held_out[(i + 1) % len(held_out)]["text"]
            pairs.append({"id": rec["id"], "hypothesis": perturb(rec["text"], other, rng), "reference": rec["text"]})
    with open(args.out, "w", encoding="utf-8") as f:
        for p in pairs:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    print(f"{len(pairs)} pairs written to {args.out}")


def compare(args):
    import sacrebleu
    from sacrebleu.metrics import BLEU

    pairs = [json.loads(l) for l in open(args.pairs, encoding="utf-8") if l.strip()]
    ours = json.load(open(args.penwright, encoding="utf-8"))
    tok = "zh" if args.lang == "zh" else "13a"
    hyps = [p["hypothesis"] for p in pairs]
    refs = [p["reference"] for p in pairs]
    corpus = BLEU(tokenize=tok).corpus_score(hyps, [refs]).score
    diffs = {"bleu4": abs(corpus - ours["bleu4"])}
    sent = BLEU(tokenize=tok, effective_order=True)
    items = {it["id"]: it for it in ours["items"]}
    worst = {"sentence bleu4": (0.0, None)}
    for p in pairs:
        s = sent.sentence_score(p["hypothesis"], [p["reference"]]).score
        d = abs(s - items[p["id"]]["bleu4"])
        if d > worst["sentence bleu4"][0]:
            worst["sentence bleu4"] = (d, p["id"])
    print(f"sacrebleu {sacrebleu.__version__} tok:{tok}: corpus BLEU {corpus:.4f}, Penwright {ours['bleu4']:.4f}")
    if args.lang == "en":
        from rouge_score import rouge_scorer
        scorer = rouge_scorer.RougeScorer(["rougeL", "rougeLsum"], use_stemmer=args.stem)
        sums = {"rougeL": 0.0, "rougeLsum": 0.0}
        for key in sums:
            worst[key] = (0.0, None)
        for p in pairs:
            r = scorer.score(p["reference"], p["hypothesis"])
            for key in sums:
                v = 100 * r[key].fmeasure
                sums[key] += v
                d = abs(v - items[p["id"]][key])
                if d > worst[key][0]:
                    worst[key] = (d, p["id"])
        for key in sums:
            mean = sums[key] / len(pairs)
            diffs[key] = abs(mean - ours[key])
            print(f"rouge-score {key}: mean {mean:.4f}, Penwright {ours[key]:.4f}")
    bad = False
    for k, v in diffs.items():
        print(f"|diff| corpus {k}: {v:.6f}")
        bad |= v > 0.01
    for k, (v, pid) in worst.items():
        print(f"max |diff| per pair {k}: {v:.6f}" + (f" (id {pid})" if pid else ""))
        bad |= v > 0.01
    print(f"{len(pairs)} pairs: " + ("DIFFER by more than 0.01" if bad else "all within 0.01"))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make-pairs")
    m.add_argument("corpora")
    m.add_argument("out")
    m.add_argument("--lang", default="en", choices=["en", "zh"])
    m.add_argument("--n", type=int, default=200)
    c = sub.add_parser("compare")
    c.add_argument("pairs")
    c.add_argument("penwright")
    c.add_argument("--lang", default="en", choices=["en", "zh"])
    c.add_argument("--stem", action="store_true", help="the Penwright output was made with --stem")
    args = ap.parse_args()
    if args.cmd == "make-pairs":
        make_pairs(args)
        return 0
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
