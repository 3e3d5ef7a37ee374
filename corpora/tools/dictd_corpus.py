#!/usr/bin/env python3
"""Turn any dictd database (a Debian dict-* package) into a Penwright style corpus, one JSON object an entry.

Usage: dictd_corpus.py INDEX DICT_DZ --style ID [--source S] [--license L] [--min-chars N] > corpus.jsonl

Each line: {"id", "style", "title", "text", "source", "license"}, the format of corpora/*.jsonl. The entry's text is
kept as the dictionary prints it (headword line, wrapping, quoted verse and attributions): that form is the voice a
style pack learns, so nothing is normalised here; the planner's neutraliser removes it from the plan.

A user's own corpus is made this way for a test of training on a voice the project has never seen, e.g. Ambrose
Bierce's The Devil's Dictionary:
  apt-get download dict-devil && dpkg -x dict-devil_*.deb devil
  dictd_corpus.py devil/usr/share/dictd/devil.index devil/usr/share/dictd/devil.dict.dz --style devil \
      --source dict-devil --license "public domain (The Devil's Dictionary, 1911); Debian package dict-devil" \
      > /work/devil/devil.jsonl
"""
import argparse, gzip, json, re, sys

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def b64(s):
    # dictd's index stores offsets and lengths as base-64 numbers, most significant digit first
    n = 0
    for ch in s:
        n = n * 64 + B64.index(ch)
    return n


def entries(index, dz):
    # .dz is gzip with a random-access table in an extra field: plain gzip reads it whole
    data = gzip.open(dz).read()
    seen = set()
    with open(index, encoding="utf-8") as f:
        for line in f:
            word, off, ln = line.rstrip("\n").split("\t")[:3]
            if word.startswith("00database"):
                continue  # dictfmt's own metadata (URL, short name, info), not an entry
            span = (b64(off), b64(ln))
            if span in seen:
                continue  # several headwords may point at the same body
            seen.add(span)
            yield word, data[span[0]:span[0] + span[1]].decode("utf-8", "replace")


def title_of(word, text):
    # The body usually starts with the headword as the book prints it ("ABASEMENT, n.  ..."): prefer that spelling.
    m = re.match(r"\s*([^,\n]{1,60}),", text)
    return m.group(1).strip() if m else word


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index")
    ap.add_argument("dict_dz")
    ap.add_argument("--style", required=True)
    ap.add_argument("--source", default="")
    ap.add_argument("--license", default="")
    ap.add_argument("--min-chars", type=int, default=40, help="skip entries shorter than this (stubs, see-also lines)")
    a = ap.parse_args()
    n = 0
    for i, (word, body) in enumerate(entries(a.index, a.dict_dz)):
        text = "\n".join(l.rstrip() for l in body.strip("\n").split("\n")).strip()
        if len(text) < a.min_chars:
            continue
        row = {"id": f"{a.style}-{i:05d}", "style": a.style, "title": title_of(word, text), "text": text,
               "source": a.source, "license": a.license}
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    print(f"{a.style}: {n} entries", file=sys.stderr)


if __name__ == "__main__":
    main()
