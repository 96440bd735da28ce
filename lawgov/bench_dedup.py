"""Benchmark near-duplicate dedup (pipelines.dedup.NearDupIndex) on synthetic report-length documents.

    python -m lawgov.bench_dedup [--sizes 1000,10000,100000] [--index sqlite|memory]

Each size runs in its own child process, so "peak RSS" is that size's own peak: first after
indexing (corpus generator + index), then including the reload / rebuild (a second index and its buffers).

The synthetic corpus (deterministic from the document id, nothing stored):
- a vocabulary of real words: every run of CJK characters in sampleweb/bodies cut into 2-4 character
  pieces (several thousand distinct words); a document's own paragraphs are sentences of 8-20 words
  drawn from it, so distinct documents share almost no 5-shingles by chance;
- genre boilerplate at the measured rate: fixed headings (一、…主要举措 / 二、…存在的不足 / 三、…工作安排)
  and an opening, plus ~10 stock sentences picked from the bodies' real sentences (pool of 300),
  about 10 % of a document: unrelated pairs end at J ≈ 0.01-0.03 like the real unrelated and
  different-department pairs of tests/data/dedup_pairs.jsonl (0.007-0.25);
- issuers with a report every year: a document shares 40 % of its paragraphs with the same issuer's
  previous year (J ≈ 0.2-0.3, like the labelled year variants) — LSH candidates the guards must reject;
- ~5 % planted near-duplicate copies of an earlier document (chrome appended, spam line injected,
  truncated to 70 %, first sentence replaced), same issuer and year;
- 8-15k characters per document (a county report's length).

Timed per document: ``add_or_match`` (hash, signature, LSH query, prefilter, exact verification of
the surviving candidates, insert). Verification reads a candidate's text through a loader that
regenerates it (standing in for the archive's ``SELECT text``) — included in the timing, cached
(LRU) like in the archive. Text generation of the document itself is not timed.

``--index sqlite`` (the default) times the archive's index, ``SQLiteNearDupIndex``: each document's
signature is saved in its own transaction (like one archived record) and the LSH buckets live in
SQLite (``dedup_bands``), so memory stays flat; the reload on start reads the unbanded tail only.
``--index memory`` times ``NearDupIndex`` with everything in memory, and the rebuild an in-memory
index needs on start: every signature written to a SQLite ``dedup_signatures`` table (not timed),
read back and indexed (timed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from pipelines.dedup import NearDupIndex, SQLiteNearDupIndex
from pipelines.normalize import normalize_text

BODIES = Path(__file__).resolve().parents[1] / "sampleweb" / "bodies"
SEED = 7
DUP_RATE = 0.05
YEARS = 5  # reports per issuer (one a year)
HEADINGS = ("一、{y}年法治政府建设主要举措和成效", "二、{y}年推进法治政府建设存在的不足和原因",
            "三、党政主要负责人履行推进法治建设第一责任人职责情况", "四、{n}年推进法治政府建设的主要安排")
OPENING = ("{y}年，在市委、市政府的坚强领导下，我们坚持以习近平新时代中国特色社会主义思想为指导，"
           "深入学习贯彻习近平法治思想，全面落实《法治政府建设实施纲要（2021—2025年）》，现将有关情况报告如下。")
SPAM = "澳门新葡京娱乐场官方网站，注册即送88元彩金"
CHROME = "【打印本页】【关闭窗口】\n扫一扫在手机打开当前页"


def _vocab_and_stock() -> tuple[list[str], list[str]]:
    words, sentences = set(), []
    for p in sorted(BODIES.glob("*.txt")):
        if "big5" in p.name:
            continue
        text = normalize_text(p.read_text(encoding="utf-8"))
        for run in re.findall(r"[\u4e00-\u9fff]+", text):
            i = 0
            while i + 2 <= len(run):
                n = 2 + (i * 7 + len(run)) % 3  # 2-4 characters, deterministic
                words.add(run[i : i + n])
                i += n
        sentences += [s + "。" for s in re.split(r"[。\n]", text) if 15 <= len(s) <= 80]
    stock = sorted(set(sentences))
    rng = np.random.default_rng(SEED)
    return sorted(words), [stock[i] for i in rng.permutation(len(stock))[:300]]


class Corpus:
    def __init__(self, n: int):
        self.words, self.stock = _vocab_and_stock()
        self.n = n
        self._cache: dict[int, list[str]] = {}  # recent series documents' paragraphs (FIFO)
        rng = np.random.default_rng(SEED * 1000003 + n)
        self.dup_of: dict[int, int] = {}
        for i in range(1, n):
            if rng.random() < DUP_RATE:
                self.dup_of[i] = int(rng.integers(0, i))
        # documents that are not copies get their own (issuer, year) series, in order
        self.serial: dict[int, int] = {}
        k = 0
        for i in range(n):
            if i not in self.dup_of:
                self.serial[i] = k
                k += 1

    def root(self, i: int) -> int:
        while i in self.dup_of:
            i = self.dup_of[i]
        return i

    def meta(self, i: int) -> tuple[str, int]:
        s = self.serial[self.root(i)]
        return f"synthetic-{s // YEARS}县人民政府", 2019 + s % YEARS

    def _new_paragraphs(self, rng: np.random.Generator, n: int) -> list[str]:
        """n paragraphs of 4-9 sentences of 8-20 words, drawn at once."""
        n_sent = rng.integers(4, 10, n)
        n_words = rng.integers(8, 21, int(n_sent.sum()))
        words = iter(np.array(self.words, dtype=object)[rng.integers(0, len(self.words), int(n_words.sum()))])
        sentences = iter(["".join(next(words) for _ in range(k)) + "。" for k in n_words])
        return ["".join(next(sentences) for _ in range(m)) for m in n_sent]

    def _paragraphs(self, s: int) -> list[str]:
        """The own paragraphs of series document s: 40 % kept from the previous year's."""
        if s in self._cache:
            return self._cache[s]
        rng = np.random.default_rng(SEED * 7919 + s)
        n = int(rng.integers(26, 48))
        fresh = self._new_paragraphs(rng, n)
        if s % YEARS and rng.random() < 0.9:
            prev = self._paragraphs(s - 1)
            keep = set(rng.choice(len(prev), int(len(prev) * 0.4), replace=False).tolist())
            out = [prev[j] if j in keep and j < len(prev) else fresh[j] for j in range(n)]
        else:
            out = fresh
        self._cache[s] = out
        if len(self._cache) > 64:
            self._cache.pop(next(iter(self._cache)))
        return out

    def _base(self, s: int) -> str:
        rng = np.random.default_rng(SEED * 31 + s)
        year = 2019 + s % YEARS
        paras = self._paragraphs(s)
        stock = [self.stock[j] for j in rng.choice(len(self.stock), 10, replace=False)]
        lines = [OPENING.format(y=year)]
        for h, part in enumerate(np.array_split(np.arange(len(paras)), 4)):
            lines.append(HEADINGS[h].format(y=year, n=year + 1))
            lines += [paras[j] for j in part]
            lines += stock[h * 2 : h * 2 + 3]
        return "\n".join(lines)

    def text(self, i: int) -> str:
        if i not in self.dup_of:
            return self._base(self.serial[i])
        t = self._base(self.serial[self.root(i)])
        kind = i % 4
        if kind == 0:
            return t + "\n" + CHROME
        lines = t.split("\n")
        if kind == 1:
            lines.insert(len(lines) // 2, SPAM)
        elif kind == 2:
            return t[: int(len(t) * 0.7)]
        else:
            lines[0] = "为全面贯彻落实上级关于法治政府建设年度报告的工作要求，现将本年度有关情况报告如下。"
        return "\n".join(lines)


def run(n: int, index: str = "sqlite") -> dict:
    corpus = Corpus(n)
    tmp = tempfile.TemporaryDirectory()
    loader = lambda doc_id: corpus.text(int(doc_id) - 1)  # noqa: E731 -- document ids start at 1
    if index == "sqlite":  # the archive's index: signatures and LSH buckets in SQLite tables
        from archive.db import open_archive

        conn = open_archive(os.path.join(tmp.name, "archive.db")).conn
        idx = SQLiteNearDupIndex(conn, loader=loader, normalized=True)
    else:
        idx = NearDupIndex(keep_shingles=False, loader=loader, normalized=True)
    elapsed, found, wrong, missed = 0.0, 0, 0, 0
    chars = 0
    t_start = time.perf_counter()
    for i in range(n):
        text = corpus.text(i)
        chars += len(text)
        issuer, year = corpus.meta(i)
        t0 = time.perf_counter()
        matches = idx.add_or_match(str(i + 1), text, issuer, year)  # ids from 1, like documents.id
        elapsed += time.perf_counter() - t0
        roots = {corpus.root(int(m) - 1) for m, _ in matches}
        if i in corpus.dup_of:
            found += roots == {corpus.root(i)}
            missed += not matches
        wrong += bool(roots - {corpus.root(i)})
        if n >= 10000 and (i + 1) % (n // 10) == 0:
            print(f"  n={n}: {i + 1} docs, {elapsed / (i + 1) * 1000:.2f} ms/doc, "
                  f"{time.perf_counter() - t_start:.0f} s", file=sys.stderr, flush=True)
    rss_index = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    probe = corpus.text(n - 1)
    if index == "sqlite":
        # what a writer does on start: the pending tail only, the buckets stay on disk
        t0 = time.perf_counter()
        rebuilt = SQLiteNearDupIndex(conn, normalized=True).load()
        rebuild_s = time.perf_counter() - t0
    else:
        # the rebuild an in-memory index needs on start: signatures from SQLite into a new index
        db = sqlite3.connect(os.path.join(tmp.name, "sig.db"))
        db.execute("CREATE TABLE dedup_signatures (document_id INTEGER PRIMARY KEY, signature BLOB, "
                   "n_shingles INTEGER, year INTEGER, issuer TEXT)")
        db.executemany("INSERT INTO dedup_signatures VALUES (?, ?, ?, ?, ?)", (
            (d, sig.astype("<u8").tobytes(), size, *corpus.meta(d - 1)[::-1])
            for d in range(1, n + 1) for sig, size in [idx.signature(str(d))]))
        db.commit()
        t0 = time.perf_counter()
        rebuilt = NearDupIndex(keep_shingles=False, normalized=True)
        ids, blobs, sizes, years, issuers = zip(*db.execute("SELECT * FROM dedup_signatures ORDER BY document_id"))
        sigs = np.frombuffer(b"".join(blobs), dtype="<u8").astype(np.uint64).reshape(len(ids), -1)
        rebuilt.add_signatures(ids, sigs, sizes, issuers, years)
        rebuild_s = time.perf_counter() - t0
        db.close()
    assert rebuilt.candidates(probe) == idx.candidates(probe)
    del rebuilt
    tmp.cleanup()
    return {
        "n": n,
        "index": index,
        "ms_per_doc": elapsed / n * 1000,
        "avg_chars": chars / n,
        "planted": len(corpus.dup_of),
        "found": found,
        "missed": missed,
        "wrong": wrong,
        "candidates_per_doc": idx.stats["candidates"] / n,
        "verified_per_doc": idx.stats["verified"] / n,
        "rss_index_mb": rss_index,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rebuild_s": rebuild_s,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=os.environ.get("DEDUP_SIZES", "1000,10000,100000"),
                    help="comma list of corpus sizes (default: $DEDUP_SIZES or 1000,10000,100000)")
    ap.add_argument("--index", choices=("sqlite", "memory"), default="sqlite",
                    help="sqlite: the archive's index (SQLiteNearDupIndex, buckets on disk; default); "
                         "memory: NearDupIndex, everything in memory")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child: run one size, print JSON
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run(args.one, args.index)))
        return 0
    try:
        sizes = [int(x) for x in args.sizes.split(",")]
    except ValueError:
        print(f"--sizes {args.sizes!r}: not a comma list of integers", file=sys.stderr)
        return 2
    results = []
    for n in sizes:
        proc = subprocess.run([sys.executable, "-m", "lawgov.bench_dedup", "--one", str(n), "--index", args.index],
                              stdout=subprocess.PIPE, text=True)
        if proc.returncode:
            return proc.returncode
        r = json.loads(proc.stdout)
        results.append(r)
        print(f"{r['index']:<6} n={r['n']:>7d}  {r['ms_per_doc']:.2f} ms/doc  ({r['avg_chars']:.0f} chars/doc)"
              f"  near-dups found {r['found']}/{r['planted']}, missed {r['missed']}, false matches {r['wrong']}"
              f"  LSH candidates/doc {r['candidates_per_doc']:.2f}, verified/doc {r['verified_per_doc']:.2f}"
              f"  peak RSS {r['rss_index_mb']:.0f} MB (with the reload's second index {r['rss_mb']:.0f} MB)"
              f"  reload on start {r['rebuild_s']:.2f} s", flush=True)
    if len(results) > 1:
        print(f"ratio ms/doc n={results[-1]['n']} / n={results[0]['n']}: "
              f"{results[-1]['ms_per_doc'] / results[0]['ms_per_doc']:.2f}x (target <= 1.5x; "
              f"target < 5 ms/doc at 100k)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
