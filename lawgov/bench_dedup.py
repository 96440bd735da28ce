"""Benchmark NearDupIndex on synthetic report-length documents.

    python -m lawgov.bench_dedup [--sizes 1000,10000,100000]

Documents (8-15k characters) are built deterministically from their id: paragraphs sampled from
sampleweb/bodies, each with ~6 % of its characters replaced by random CJK characters and a
document-specific number inserted, so documents are mostly distinct while keeping the genre's
vocabulary. ~5 % of documents are near-duplicates of an earlier one (chrome line appended, spam
line inserted, or truncated to 70 %). Each document goes through ``add_or_match`` (query, then
add); the index keeps no shingle sets (``keep_shingles=False``) and verifies candidates through a
loader that regenerates the candidate's text from its id — standing in for the archive reading a
stored body, and included in the timing. Text generation itself is not timed.

Prints per size: ms/doc (index work only), duplicates found / planted, peak RSS (getrusage,
process-wide, so it only grows between sizes), size of ``to_bytes()``; then the ratio of the
largest to the smallest size's ms/doc.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

from pipelines.dedup import NearDupIndex
from pipelines.normalize import normalize_text

BODIES = Path(__file__).resolve().parents[1] / "sampleweb" / "bodies"
SEED = 7
CJK = [chr(c) for c in range(0x4E00, 0x9FA5, 7)]


def _pool() -> list[str]:
    out = []
    for p in sorted(BODIES.glob("*.txt")):
        if "big5" in p.name:
            continue
        out += [x for x in normalize_text(p.read_text(encoding="utf-8")).split("\n") if len(x) > 30]
    return out


class Corpus:
    def __init__(self, n: int, dup_rate: float = 0.05):
        self.pool = _pool()
        rng = random.Random(SEED * 1000003 + n)
        self.dup_of: dict[int, int] = {}
        for i in range(1, n):
            if rng.random() < dup_rate:
                self.dup_of[i] = rng.randrange(0, i)
        self.n = n

    def _base(self, i: int) -> str:
        rng = random.Random(SEED * 7919 + i)
        target = rng.randint(8000, 15000)
        parts, size = [], 0
        while size < target:
            p = list(rng.choice(self.pool))
            for _ in range(max(1, len(p) * 6 // 100)):
                p[rng.randrange(len(p))] = rng.choice(CJK)
            p.insert(rng.randrange(len(p)), str(rng.randrange(10**6)))
            s = "".join(p)
            parts.append(s)
            size += len(s)
        return "\n".join(parts)

    def text(self, i: int) -> str:
        if i not in self.dup_of:
            return self._base(i)
        t = self._base(self.dup_of[i])
        kind = i % 3
        if kind == 0:
            return t + "\n【打印本页】【关闭窗口】"
        if kind == 1:
            lines = t.split("\n")
            lines.insert(len(lines) // 2, "澳门新葡京娱乐场官方网站，注册即送88元彩金")
            return "\n".join(lines)
        return t[: int(len(t) * 0.7)]


def run(n: int) -> dict:
    corpus = Corpus(n)
    idx = NearDupIndex(keep_shingles=False, loader=lambda doc_id: corpus.text(int(doc_id)))
    elapsed = 0.0
    found = 0
    wrong = 0
    for i in range(n):
        text = corpus.text(i)
        t0 = time.perf_counter()
        matches = idx.add_or_match(str(i), text, "某县人民政府", 2023)
        elapsed += time.perf_counter() - t0
        if matches:
            if i in corpus.dup_of:
                found += 1
            else:
                wrong += 1
    blob = idx.to_bytes()
    return {
        "n": n,
        "ms_per_doc": elapsed / n * 1000,
        "planted": len(corpus.dup_of),
        "found": found,
        "wrong": wrong,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "blob_mb": len(blob) / 2**20,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    results = []
    for n in sizes:
        r = run(n)
        results.append(r)
        print(
            f"n={r['n']:>7d}  {r['ms_per_doc']:.2f} ms/doc  near-dups found {r['found']}/{r['planted']}"
            f"  false matches {r['wrong']}  peak RSS {r['rss_mb']:.0f} MB  index blob {r['blob_mb']:.1f} MB",
            flush=True,
        )
    if len(results) > 1:
        print(f"ratio {results[-1]['n']}/{results[0]['n']}: {results[-1]['ms_per_doc'] / results[0]['ms_per_doc']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
