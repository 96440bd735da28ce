"""Near-duplicate detection for report bodies: shingles, MinHash + LSH candidates, exact verification.

The same 法治政府建设年度报告 is served many times: reposted by other portals (different page
chrome left over at the top/bottom), through Big5 gateways (Traditional, sometimes with pinyin
annotations), truncated, with a spam line injected, with an edited first sentence. This module
finds those copies; ``canonical_order`` decides which copy is kept as the canonical one.

Pipeline for one document
-------------------------
1. ``normalize_text`` (Simplified, NFKC, pinyin annotations removed), then all whitespace removed,
   so line-breaking / indentation differences between copies do not matter and Traditional /
   pinyin copies become identical to the Simplified original.
2. Character k-shingles, **k = 5** (``SHINGLE_K``). Measured with
   ``python -m pipelines.eval_dedup --k 3,4,5,6,7`` (min same score / max different score):
   k=3 0.968/0.903, k=4 0.968/0.825, k=5 0.967/0.814, k=6 0.966/0.806, k=7 0.965/0.800. k = 3
   lets stock phrases of the genre (法治政府建设, 依法行政 ...) inflate unrelated scores; from 5 on
   the gap grows only marginally (0.153 → 0.165) while small edits cost more shingles, so 5.
3. Each shingle is hashed to 64 bits with numpy (polynomial code-point hash + splitmix64
   finaliser; no Python loop per shingle), sorted, duplicates removed (sort + neighbour mask:
   ``np.unique`` was 13x slower here). Texts the archive stores are already normalized, so the
   archive skips step 1's t2s pass (``normalized=True``; normalize_text is idempotent).
4. MinHash signature with **num_perm = 128** (``NUM_PERM``), computed as a *densified
   one-permutation* MinHash (Li, Owen & Zhang 2012; Shrivastava & Li 2014): the 64-bit hash range
   is cut into 128 equal bins and value i is the smallest shingle hash in bin i — one
   ``searchsorted`` on the sorted hashes instead of 128 passes (a·h+b permutations took ≈ 1.3-2.6
   ms per 12k-shingle report, this takes microseconds). Two texts agree on a bin with
   probability J, like classic MinHash; empty bins (texts under ~600 characters) borrow the next
   non-empty bin's value mixed with their own index.
   LSH: threshold **0.3** (``LSH_THRESHOLD``; ``datasketch.lsh._optimal_param`` picks b=37 bands ×
   r=3 rows for 128 values): the lowest-Jaccard true copy is a 60 % truncation at J ≈ 0.6,
   candidate probability 1-(1-J^3)^37 = 0.9999 at J=0.6 and 0.9988 at J=0.55. With threshold 0.5
   (b=25, r=5) that probability is only 0.87 and 2 of the 6 truncated pairs were missed
   (measured with classic MinHash). num_perm = 128 was not swept. The bands live in
   ``_BandIndex`` (numpy sorted arrays, see there): datasketch's MinHashLSH measured 11.8 MB and
   316 µs per inserted document, i.e. 1.2 GB and 32 s to rebuild at 100k documents.
   Candidates are only candidates: the LSH is never the decision. A candidate whose
   signature-estimated score (J from agreeing values, C from J and the set sizes) is below
   ``PREFILTER_SCORE`` = 0.7 is dropped before exact verification (standard error of the estimate
   ≤ 0.045: 0.7 is > 4 σ below the 0.9 decision), and so is a candidate of another covered year;
   on the bench corpus this leaves ≈ 0.05 exact verifications per document against ≈ 0.3 LSH
   candidates (same issuer's other years).
5. **Verification** on the exact shingle sets of query and candidate:

   * ``J = |A∩B| / |A∪B|`` (Jaccard),
   * ``C = max(|A∩B|/|A|, |A∩B|/|B|)`` (containment: catches a truncated copy whose Jaccard is
     only its length ratio),
   * ``score = max(J, C)`` when the smaller set has at least ``MIN_SIZE_RATIO`` = 0.5 of the
     larger one's shingles, otherwise ``score = J``. The size-ratio condition stops a short text
     that quotes a report (a 政策解读 quoting whole paragraphs, a news item) from counting as a
     copy of it through containment alone.
   * duplicate iff ``score >= VERIFY_THRESHOLD`` = 0.9.

   Measured on the 67 labelled pairs (39 same, 28 different; ``python -m pipelines.eval_dedup``,
   k = 5): lowest duplicate score **0.967** (changed first sentence of a short 政策解读: J 0.92,
   C 0.97; truncations 60 %: J ≈ 0.60, C = 1.0), highest non-duplicate score **0.814** (same
   county, different year, 40 % of paragraphs replaced and years rewritten: C 0.81 — long kept
   paragraphs; the year guard blocks it anyway). 政策解读 vs report reaches C 0.889 but the size
   ratio is < 0.5, so only its J (≤ 0.414) counts. With 0.75 one year-variant was a false merge
   on text alone; 0.9 sits in the gap 0.814-0.967. Pairwise precision = recall = 1.0 on the
   set, both text only (no metadata) and with the guards.

6. **Guards** (applied after verification, they only ever block a merge):

   * *year*: both covered years known and different → never the same document. Two years of
     one county share headings and stock phrases; the year is the identity of the report.
   * *issuer*: both issuers known and they resolve to different governments → blocked, unless
     the texts are near-verbatim (``J >= ISSUER_OVERRIDE_J`` = 0.9). Issuers are compared by
     ``issuer_key``: ``normalize_title``, whitespace removed, trailing 人民政府 / 政府 /
     人民政府办公室 / 政府办公室 / 办公厅 stripped ("南充市人民政府" → "南充市"). Two keys resolve to
     the same government when equal or one is a prefix of the other ("南充市" vs "南充市司法局":
     a department reposting its city's report is not blocked). ``None`` / empty = unknown = no
     block. The override exists because a reposting portal sometimes puts its own name into
     the issuer field; a verbatim text under another name is a repost, while template-sharing
     reports of different places stay far below J = 0.9 (measured max 0.245).

Persistence
-----------
The archive keeps one row per document in ``dedup_signatures`` (signature blob, set size, year,
issuer) and its LSH buckets in ``dedup_bands`` / ``dedup_bands_recent``: it uses
``SQLiteNearDupIndex``, which queries those tables instead of holding arrays, so a crawl's memory
does not grow with the archive (the in-memory index held ~1.9 kB per document: signature row,
37 band keys and ids, a ``_Doc``); opening it reads no signature, only the band keys once (for its
4 MB key filter). An in-memory
``NearDupIndex`` can still be rebuilt from the rows with ``add_signatures`` — no text is read:
0.02 s at 1k, 0.21 s at 10k, 3.3 s at 100k documents, reading the blobs from SQLite included
(``python -m lawgov.bench_dedup --index memory``). Exact verification
needs the shingle set of each surviving *candidate*: the index keeps them in memory only when
``keep_shingles=True`` (the default, fine for tests); otherwise it calls ``loader(doc_id) -> text``
(the archive reads ``documents.text``) and keeps the hashes of the last ``HASH_CACHE_SIZE``
candidates (LRU). Without shingles and without a loader it falls back to the signature estimate.
``to_bytes()`` / ``from_bytes()`` write / read a self-contained pickle-free blob (magic
``b"LGND2\\n"``, JSON header, raw little-endian uint64 signatures; ``include_shingles=True`` adds
the shingle sets).

Speed (``python -m lawgov.bench_dedup``, synthetic 11k-character reports, see there): see
README "Deduplication" for the figures at 1k / 10k / 100k documents.
"""

from __future__ import annotations

import json
import re
import struct
from collections import OrderedDict
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Sequence

import numpy as np

from pipelines.normalize import normalize_text, normalize_title

__all__ = [
    "SHINGLE_K",
    "NUM_PERM",
    "LSH_THRESHOLD",
    "VERIFY_THRESHOLD",
    "MIN_SIZE_RATIO",
    "ISSUER_OVERRIDE_J",
    "MIN_SHINGLES",
    "shingles",
    "shingle_hashes",
    "similarity",
    "pair_score",
    "issuer_key",
    "same_government",
    "guard_blocks",
    "NearDupIndex",
    "SQLiteNearDupIndex",
    "canonical_order",
    "is_converted",
    "clean_lengths",
    "PREFILTER_SCORE",
]

SHINGLE_K = 5
NUM_PERM = 128
LSH_THRESHOLD = 0.3
VERIFY_THRESHOLD = 0.9
MIN_SIZE_RATIO = 0.5
ISSUER_OVERRIDE_J = 0.9
# Texts with fewer 5-shingles (~54 characters) are matched exactly only: a handful of shingles is
# no evidence ("报告100" ⊂ "报告1000": C = 1.0, size ratio 0.5). Reports have thousands.
MIN_SHINGLES = 50
# Candidates whose signature-estimated score is below this are dropped before exact verification
# (the estimate's standard error is <= 0.045 with 128 permutations: 0.7 is > 4 sigma below 0.9).
PREFILTER_SCORE = 0.7
# Exact shingle-hash arrays of recently verified candidates kept in memory (LRU); ~100 KB each
# for a 12k-character report, so 16 ≈ 1.6 MB (2048 cost 200 MB of peak RSS on the bench; 256 and 64
# filled over thousands of pages of a crawl and showed as growth per request until full). Copies of
# one report arrive close together: the canonical copy stays cached while they do.
HASH_CACHE_SIZE = 16
SEED = 20240601

_WS = re.compile(r"\s+")
_MASK = (1 << 64) - 1


def _clean(text: str, normalized: bool = False) -> str:
    # normalized=True: the text is already normalize_text output (idempotent), skip the t2s pass
    return "".join(((text or "") if normalized else normalize_text(text or "")).split())


def shingles(text: str, k: int = SHINGLE_K) -> set[str]:
    """Character k-shingles of ``normalize_text(text)`` with all whitespace removed.

    A text shorter than k (but not empty) gives one shingle, the whole text.
    """
    t = _clean(text)
    if not t:
        return set()
    if len(t) < k:
        return {t}
    return {t[i : i + k] for i in range(len(t) - k + 1)}


def _hash_clean(t: str, k: int) -> np.ndarray:
    """Sorted unique 64-bit hashes of the k-shingles of an already cleaned string."""
    if not t:
        return np.empty(0, dtype=np.uint64)
    cp = np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(cp) - k + 1
    if n <= 0:
        n, k = 1, len(cp)
    h = np.zeros(n, dtype=np.uint64)
    mult = np.uint64(0x100000001B3)
    for j in range(k):  # polynomial hash of the window, wrapping mod 2**64
        h = h * mult + cp[j : j + n] + np.uint64(1)
    # splitmix64 finaliser: spreads the bits so the permutations below behave
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    h.sort()  # sort + neighbour mask: ~10x faster than np.unique (hash-based in numpy 2) here
    return h[np.concatenate(([True], h[1:] != h[:-1]))]


def shingle_hashes(text: str, k: int = SHINGLE_K, normalized: bool = False) -> np.ndarray:
    """Sorted unique uint64 hashes of ``shingles(text, k)`` (same set, hashed, vectorised).
    ``normalized``: ``text`` is already ``normalize_text`` output (saves ~0.8 ms per 12k chars)."""
    return _hash_clean(_clean(text, normalized), k)


@lru_cache(maxsize=None)
def _optimal_param(threshold: float, num_perm: int, fp_weight: float, fn_weight: float) -> tuple[int, int]:
    """The (bands, rows) minimising fp_weight·P(false positive) + fn_weight·P(false negative).

    The same search as ``datasketch.lsh._optimal_param`` (tests check they agree), integrated
    with numpy instead of scipy: importing datasketch pulls in scipy and costs ~0.6 s at the
    start of every crawl process, for a figure computed once."""
    best, opt = float("inf"), (0, 0)
    lo = np.linspace(0.0, threshold, 2001)
    hi = np.linspace(threshold, 1.0, 2001)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = np.trapezoid(1 - (1 - lo ** r) ** b, lo)
            fn = np.trapezoid((1 - hi ** r) ** b, hi)
            error = fp * fp_weight + fn * fn_weight
            if error < best:
                best, opt = error, (b, r)
    return opt


def _mix(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _signature(h: np.ndarray, num_perm: int, seed: int = SEED) -> np.ndarray:
    """Densified one-permutation MinHash of sorted unique 64-bit hashes (see module docstring).

    The hash range is cut into ``num_perm`` equal bins; value i is the smallest hash in bin i (the
    first one at or after the bin's start in the sorted array: one ``searchsorted``, no pass per
    permutation). Empty bins (short texts) borrow the value of the next non-empty bin, mixed with
    their own index (rotation densification), so two texts agree on a bin with probability J.
    """
    out = np.full(num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
    if not len(h):
        return out
    step = np.uint64((2**64) // num_perm)
    edges = np.arange(num_perm, dtype=np.uint64) * step
    pos = np.searchsorted(h, edges)
    val = h[np.minimum(pos, len(h) - 1)]
    full = (pos < len(h)) & ((val // step) == np.arange(num_perm, dtype=np.uint64))
    full &= val // step < np.uint64(num_perm)
    out[full] = val[full]
    if not full.all():
        filled = np.flatnonzero(full)
        empty = np.flatnonzero(~full)
        nxt = filled[np.searchsorted(filled, empty) % len(filled)]  # next non-empty bin, circular
        out[empty] = _mix(out[nxt] ^ _mix(np.uint64(seed) + empty.astype(np.uint64)))
    return out


def similarity(ha: np.ndarray, hb: np.ndarray) -> tuple[float, float, float]:
    """(Jaccard, containment, size ratio) of two sorted unique hash arrays."""
    na, nb = len(ha), len(hb)
    if not na or not nb:
        return 0.0, 0.0, 0.0
    inter = len(np.intersect1d(ha, hb, assume_unique=True))
    union = na + nb - inter
    return inter / union, max(inter / na, inter / nb), min(na, nb) / max(na, nb)


def pair_score(j: float, c: float, ratio: float) -> float:
    """The verification score: max(J, C) if the size ratio allows containment, else J."""
    return max(j, c) if ratio >= MIN_SIZE_RATIO else j


def issuer_key(issuer: str | None) -> str | None:
    """Normalized government key of an issuer name, None when unknown (see module docstring)."""
    if issuer is None:
        return None
    key = _WS.sub("", normalize_title(str(issuer)))
    for suffix in ("人民政府办公室", "人民政府办公厅", "政府办公室", "政府办公厅", "人民政府", "政府"):
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key or None


def same_government(a: str | None, b: str | None) -> bool | None:
    """True/False when both issuers are known, None when either is unknown."""
    ka, kb = issuer_key(a), issuer_key(b)
    if ka is None or kb is None:
        return None
    return ka == kb or ka.startswith(kb) or kb.startswith(ka)


def guard_blocks(
    issuer_a: str | None,
    year_a: int | None,
    issuer_b: str | None,
    year_b: int | None,
    jaccard: float,
) -> str | None:
    """Reason ("year" / "issuer") why two verified copies must not be merged, or None."""
    if year_a is not None and year_b is not None and int(year_a) != int(year_b):
        return "year"
    if same_government(issuer_a, issuer_b) is False and jaccard < ISSUER_OVERRIDE_J:
        return "issuer"
    return None


@dataclass
class _Doc:
    issuer: str | None
    year: int | None
    size: int
    row: int | None  # its row of the signature matrix (None: empty text, not in the LSH)
    hashes: np.ndarray | None


_MAGIC = b"LGND2\n"
_BAND_MULT = np.uint64(0x9E3779B97F4A7C15)


class _BandIndex:
    """LSH banding over MinHash signatures, in numpy (replaces ``datasketch.MinHashLSH``).

    Same scheme and the same (bands, rows) as datasketch picks for the threshold
    (``datasketch.lsh._optimal_param``), but the buckets are one sorted uint64 array of band keys
    (each band's key salted with the band number, so all bands share one array and one
    ``searchsorted`` call) plus an unsorted tail of recent inserts merged in every
    ``MERGE_EVERY`` inserts. Measured (n = 20k random signatures): datasketch's MinHashLSH takes
    11.8 MB and 316 µs per inserted document (100k documents: 1.2 GB, 32 s to rebuild); this
    takes bands × 16 bytes per document.
    """

    # Recent inserts wait in a fixed (MERGE_EVERY, b) array, compared whole at query time (one
    # vectorised ==, ~30 µs), then merged in bulk. Not a dict of band key -> ids: that held ~37
    # dict entries (~6 kB) per document until the merge, most of a long crawl's memory growth.
    MERGE_EVERY = 1024

    def __init__(self, bands: int, rows: int):
        self.b, self.r = bands, rows
        self._salt = _mix(np.arange(1, bands + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
        self._keys = np.empty(0, np.uint64)
        self._ids = np.empty(0, np.int64)
        self._tail_keys = np.empty((0, bands), np.uint64)  # allocated at the first insert
        self._tail_ids = np.empty(0, np.int64)
        self._n_tail = 0

    def band_keys(self, sigs: np.ndarray) -> np.ndarray:
        """Band keys of one signature (shape (b,)) or of many (shape (n, b))."""
        m = sigs[..., : self.b * self.r].reshape(sigs.shape[:-1] + (self.b, self.r))
        k = np.zeros(m.shape[:-1], np.uint64)
        for j in range(self.r):  # polynomial combination of the r values of each band
            k = k * _BAND_MULT + m[..., j]
        return _mix(k ^ self._salt)

    def insert(self, internal_id: int, sig: np.ndarray) -> None:
        if len(self._tail_ids) != self.MERGE_EVERY:  # first insert, or MERGE_EVERY changed
            self.merge()
            self._tail_keys = np.empty((self.MERGE_EVERY, self.b), np.uint64)
            self._tail_ids = np.empty(self.MERGE_EVERY, np.int64)
        self._tail_keys[self._n_tail] = self.band_keys(sig)
        self._tail_ids[self._n_tail] = internal_id
        self._n_tail += 1
        if self._n_tail == self.MERGE_EVERY:
            self.merge()

    def insert_many(self, internal_ids: np.ndarray, sigs: np.ndarray) -> None:
        """Bulk insert (rebuild from stored signatures): vectorised over documents."""
        if len(internal_ids):
            self.merge(self.band_keys(sigs), np.asarray(internal_ids, np.int64))

    def merge(self, keys: np.ndarray | None = None, ids: np.ndarray | None = None) -> None:
        if keys is None:
            if not self._n_tail:
                return
            keys, ids = self._tail_keys[: self._n_tail], self._tail_ids[: self._n_tail]
            self._n_tail = 0
        nk, ni = keys.ravel(), np.repeat(ids, self.b)
        order = np.argsort(nk, kind="stable")
        nk, ni = nk[order], ni[order]
        at = np.searchsorted(self._keys, nk, "right")  # a sorted merge: O(n + m), no full re-sort
        self._keys, self._ids = np.insert(self._keys, at, nk), np.insert(self._ids, at, ni)

    def query(self, sig: np.ndarray) -> np.ndarray:
        qk = self.band_keys(sig)
        lo = np.searchsorted(self._keys, qk, "left")
        hi = np.searchsorted(self._keys, qk, "right")
        found = [self._ids[x:y] for x, y in zip(lo[hi > lo].tolist(), hi[hi > lo].tolist())]
        if self._n_tail:  # band j's key is salted with j: it can only equal band j's
            hit = (self._tail_keys[: self._n_tail] == qk).any(axis=1)
            found.append(self._tail_ids[: self._n_tail][hit])
        if not found:
            return np.empty(0, np.int64)
        return np.unique(np.concatenate(found))


def prefilter_estimates(sig: np.ndarray, n: int, sigs: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cheap prefilter on signatures, for a text (signature ``sig``, ``n`` shingles) against
    candidates (``sigs``, shingle-set ``sizes``): estimated J, and the estimated score (max of J and
    C, C from J and the set sizes, where the sizes allow containment). Below PREFILTER_SCORE a
    candidate is not verified."""
    est_j = (sigs == sig).mean(axis=1)
    inter = est_j * (n + sizes) / (1 + est_j)
    est_c = np.minimum(1.0, np.maximum(inter / n, inter / np.maximum(sizes, 1)))
    ratio = np.minimum(n, sizes) / np.maximum(n, sizes)
    return est_j, np.where(ratio >= MIN_SIZE_RATIO, np.maximum(est_j, est_c), est_j)


class NearDupIndex:
    """MinHash-LSH index of report bodies with exact verification and metadata guards.

    ``add(doc_id, text, issuer, year)`` indexes a document; ``query(text, issuer, year)``
    returns ``[(doc_id, score), ...]`` (best first) of indexed documents that are verified
    near-duplicates and not blocked by the year / issuer guards. See the module docstring for
    the thresholds and how they were measured. ``prepare`` / ``add_signature`` /
    ``query_prepared`` let a caller (the archive) hash a text once and persist its signature.
    """

    def __init__(
        self,
        threshold: float = LSH_THRESHOLD,
        num_perm: int = NUM_PERM,
        k: int = SHINGLE_K,
        verify_threshold: float = VERIFY_THRESHOLD,
        keep_shingles: bool = True,
        loader: Callable[[str], str] | None = None,
        seed: int = SEED,
        normalized: bool = False,
    ) -> None:
        self.normalized = normalized  # every text given (and loaded) is normalize_text output
        self.threshold = threshold
        self.num_perm = num_perm
        self.k = k
        self.verify_threshold = verify_threshold
        self.keep_shingles = keep_shingles
        self.loader = loader
        self.seed = seed
        self._bands = _BandIndex(*_optimal_param(threshold, num_perm, 0.5, 0.5))
        self._docs: dict[str, _Doc] = {}
        # internal row number -> doc id (None once removed); doc id -> its current row
        self._row_ids: list[str | None] = []
        self._row_of: dict[str, int] = {}
        self._sigs = np.empty((0, num_perm), np.uint64)  # one row per inserted signature
        self._sizes = np.empty(0, np.int64)
        self._n_rows = 0
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.stats = {"queries": 0, "candidates": 0, "verified": 0, "loaded": 0}

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._docs

    # -- building ---------------------------------------------------------------------------
    def prepare(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(sorted unique shingle hashes, MinHash signature) of a text."""
        h = shingle_hashes(text, self.k, self.normalized)
        return h, _signature(h, self.num_perm, self.seed)

    _prepare = prepare

    def _grow(self, extra: int) -> None:
        need = self._n_rows + extra
        if need > len(self._sizes):
            cap = max(need, 2 * len(self._sizes), 1024)
            sigs = np.empty((cap, self.num_perm), np.uint64)
            sigs[: self._n_rows] = self._sigs[: self._n_rows]
            sizes = np.zeros(cap, np.int64)
            sizes[: self._n_rows] = self._sizes[: self._n_rows]
            self._sigs, self._sizes = sigs, sizes

    def _insert(self, doc_id: str, doc: _Doc, sig: np.ndarray) -> None:
        if doc_id in self._docs:
            raise ValueError(f"duplicate doc_id {doc_id!r}")
        self._docs[doc_id] = doc
        if doc.size:
            self._grow(1)
            row = self._n_rows
            self._n_rows += 1
            doc.row = row
            self._sigs[row] = sig
            self._sizes[row] = doc.size
            self._row_ids.append(doc_id)
            self._row_of[doc_id] = row
            self._bands.insert(row, sig)

    def add(self, doc_id: str, text: str, issuer: str | None = None, year: int | None = None) -> None:
        h, sig = self.prepare(text)
        self.add_signature(doc_id, sig, len(h), issuer, year, h if self.keep_shingles else None)

    def add_signature(self, doc_id, sig: np.ndarray, size: int, issuer: str | None = None,
                      year: int | None = None, hashes: np.ndarray | None = None) -> None:
        """Index a document by its stored signature (no text needed); replaces an earlier entry."""
        doc_id = str(doc_id)
        if doc_id in self._docs:
            self.remove(doc_id)
        self._insert(doc_id, _Doc(issuer, None if year is None else int(year), int(size), None, hashes),
                     np.asarray(sig, np.uint64))

    def add_signatures(self, ids: Sequence, sigs: np.ndarray, sizes: Sequence[int],
                       issuers: Sequence, years: Sequence) -> None:
        """Bulk ``add_signature`` (the rebuild path): ``sigs`` is an (n, num_perm) uint64 matrix;
        vectorised except for one dict entry per document. Ids already indexed are replaced."""
        ids = [str(x) for x in ids]
        for doc_id in ids:
            if doc_id in self._docs:
                self.remove(doc_id)
        n = len(ids)
        if not n:
            return
        sizes = np.asarray(sizes, np.int64)
        self._grow(n)
        base = self._n_rows
        for i, doc_id in enumerate(ids):
            row = base + i if sizes[i] else None
            year = years[i]
            self._docs[doc_id] = _Doc(issuers[i], None if year is None else int(year), int(sizes[i]), row, None)
            self._row_ids.append(doc_id if row is not None else None)
            if row is not None:
                self._row_of[doc_id] = row
        self._sigs[base : base + n] = sigs
        self._sizes[base : base + n] = sizes
        self._n_rows += n
        keep = np.flatnonzero(sizes > 0)
        self._bands.insert_many(base + keep, sigs[keep])

    def remove(self, doc_id: str) -> None:
        doc_id = str(doc_id)
        self._docs.pop(doc_id)
        row = self._row_of.pop(doc_id, None)
        if row is not None:
            self._row_ids[row] = None  # the band entries stay; dead rows are skipped at query
        self._cache.pop(doc_id, None)

    def signature(self, doc_id: str) -> tuple[np.ndarray, int]:
        d = self._docs[str(doc_id)]
        if d.row is None:
            return np.full(self.num_perm, np.iinfo(np.uint64).max, dtype=np.uint64), d.size
        return self._sigs[d.row].copy(), d.size

    # -- querying ---------------------------------------------------------------------------
    def _candidate_hashes(self, doc_id: str) -> np.ndarray | None:
        doc = self._docs.get(doc_id)
        if doc is not None and doc.hashes is not None:
            return doc.hashes
        if doc_id in self._cache:
            self._cache.move_to_end(doc_id)
            return self._cache[doc_id]
        if self.loader is None:
            return None
        h = shingle_hashes(self.loader(doc_id), self.k, self.normalized)
        self.stats["loaded"] += 1
        self._cache[doc_id] = h
        if len(self._cache) > HASH_CACHE_SIZE:
            self._cache.popitem(last=False)
        return h

    def _candidate_rows(self, sig: np.ndarray) -> np.ndarray:
        rows = self._bands.query(sig)
        return rows[[self._row_ids[r] is not None for r in rows]] if len(rows) else rows

    def _candidate_table(self, sig: np.ndarray, n_shingles: int | None = None
                         ) -> tuple[list[str], np.ndarray, np.ndarray, list, list]:
        """(ids, signatures (m, num_perm), set sizes, years, issuers) of the LSH candidates of ``sig``."""
        rows = self._candidate_rows(sig)
        ids = [self._row_ids[r] for r in rows.tolist()]
        docs = [self._docs[i] for i in ids]
        return ids, self._sigs[rows], self._sizes[rows], [d.year for d in docs], [d.issuer for d in docs]

    def candidates(self, text: str) -> list[str]:
        """Raw LSH candidates (unverified), for diagnostics."""
        _, sig = self.prepare(text)
        return sorted(self._candidate_table(sig)[0])

    def query(
        self,
        text: str,
        issuer: str | None = None,
        year: int | None = None,
        *,
        exclude: Iterable[str] = (),
    ) -> list[tuple[str, float]]:
        h, sig = self.prepare(text)
        return self.query_prepared(h, sig, issuer, year, exclude=exclude)

    def query_prepared(self, h, sig, issuer=None, year=None, *, exclude: Iterable[str] = ()) -> list[tuple[str, float]]:
        """``query`` for a text already hashed by ``prepare``."""
        exclude = {str(x) for x in exclude}
        year = None if year is None else int(year)
        self.stats["queries"] += 1
        if len(h) < MIN_SHINGLES:
            return []
        ids, sigs, sizes, years, issuers = self._candidate_table(sig, len(h))
        self.stats["candidates"] += len(ids)
        if not len(ids):
            return []
        est_j, est = prefilter_estimates(sig, len(h), sigs, sizes)
        out = []
        for cid, ej, es, size, c_year, c_issuer in zip(ids, est_j.tolist(), est.tolist(), sizes.tolist(),
                                                         years, issuers):
            if cid in exclude or es < PREFILTER_SCORE:
                continue
            if size < MIN_SHINGLES:
                continue
            if year is not None and c_year is not None and c_year != year:
                continue  # the year guard needs no verification
            ch = self._candidate_hashes(cid)
            if ch is not None:
                j, c, r = similarity(h, ch)
                self.stats["verified"] += 1
            else:  # estimate from signatures (see module docstring)
                j, c, r = ej, min(1.0, es), min(len(h), size) / max(len(h), size)
                c = min(1.0, max(ej * (len(h) + size) / (1 + ej) / len(h),
                                 ej * (len(h) + size) / (1 + ej) / size))
            score = pair_score(j, c, r)
            if score < self.verify_threshold:
                continue
            if guard_blocks(issuer, year, c_issuer, c_year, j):
                continue
            out.append((cid, round(score, 6)))
        out.sort(key=lambda x: (-x[1], x[0]))
        return out

    _query_prepared = query_prepared

    def add_or_match(
        self, doc_id: str, text: str, issuer: str | None = None, year: int | None = None
    ) -> list[tuple[str, float]]:
        """Query, then add; returns the matches found before adding (one hashing pass)."""
        h, sig = self.prepare(text)
        matches = self.query_prepared(h, sig, issuer, year)
        self.add_signature(doc_id, sig, len(h), issuer, year, h if self.keep_shingles else None)
        return matches

    # -- persistence ------------------------------------------------------------------------
    def to_bytes(self, include_shingles: bool = False) -> bytes:
        ids = list(self._docs)
        docs = [self._docs[i] for i in ids]
        header = {
            "version": 2,  # 2: one-permutation signatures
            "threshold": self.threshold,
            "num_perm": self.num_perm,
            "k": self.k,
            "verify_threshold": self.verify_threshold,
            "seed": self.seed,
            "ids": ids,
            "issuers": [d.issuer for d in docs],
            "years": [d.year for d in docs],
            "sizes": [d.size for d in docs],
            "shingles": bool(include_shingles),
        }
        hb = json.dumps(header, ensure_ascii=False).encode("utf-8")
        sigs = np.stack([self.signature(i)[0] for i in ids]) if docs else np.empty((0, self.num_perm), np.uint64)
        parts = [_MAGIC, struct.pack("<Q", len(hb)), hb, sigs.astype("<u8").tobytes()]
        if include_shingles:
            for d in docs:
                hs = d.hashes if d.hashes is not None else np.empty(0, np.uint64)
                parts.append(struct.pack("<Q", len(hs)))
                parts.append(hs.astype("<u8").tobytes())
        return b"".join(parts)

    @classmethod
    def from_bytes(
        cls, data: bytes, loader: Callable[[str], str] | None = None, keep_shingles: bool | None = None
    ) -> "NearDupIndex":
        if not data.startswith(_MAGIC):
            raise ValueError("not a NearDupIndex blob")
        pos = len(_MAGIC)
        (hlen,) = struct.unpack_from("<Q", data, pos)
        pos += 8
        header = json.loads(data[pos : pos + hlen].decode("utf-8"))
        pos += hlen
        n, p = len(header["ids"]), header["num_perm"]
        sigs = np.frombuffer(data, dtype="<u8", count=n * p, offset=pos).reshape(n, p).astype(np.uint64)
        pos += n * p * 8
        has_sh = header["shingles"]
        idx = cls(
            threshold=header["threshold"],
            num_perm=p,
            k=header["k"],
            verify_threshold=header["verify_threshold"],
            keep_shingles=has_sh if keep_shingles is None else keep_shingles,
            loader=loader,
            seed=header["seed"],
        )
        for i, doc_id in enumerate(header["ids"]):
            hs = None
            if has_sh:
                (m,) = struct.unpack_from("<Q", data, pos)
                pos += 8
                hs = np.frombuffer(data, dtype="<u8", count=m, offset=pos).astype(np.uint64)
                pos += 8 * m
            idx._insert(doc_id, _Doc(header["issuers"][i], header["years"][i], header["sizes"][i], None, hs), sigs[i])
        return idx


def joined_transaction(conn):
    """For ``with``: the caller's open transaction (its commit or rollback then decides), else a
    transaction of its own on ``conn``."""
    return nullcontext() if conn.in_transaction else conn


class SQLiteNearDupIndex(NearDupIndex):
    """``NearDupIndex`` whose signatures and LSH buckets live in SQLite (the archive's tables), so the
    memory it takes does not grow with the documents indexed.

    Tables (archive/schema.py; ``conn`` is the archive's connection, the caller owns transactions):

    * ``dedup_signatures(document_id, signature, n_shingles, year, issuer, text_sha256)``: one row per
      document, written by ``save_signature`` (the source of truth; the caller writes it in the same
      transaction as the document);
    * ``dedup_bands(band_key, document_id)``, key (band_key, document_id): the LSH buckets, one row per
      band of a banded signature (band keys as signed 64-bit integers), and ``dedup_bands_recent``,
      the same for the latest bands, merged into ``dedup_bands`` in bulk (see ``_merge_recent``);
    * ``dedup_pending(document_id)``: signatures saved but not banded yet (``save_signature`` adds
      the row in the caller's transaction, so a crash loses nothing: the next load bands them).

    Band rows are written in bulk: a saved signature's band keys wait in an in-memory tail of at most
    ``TAIL`` documents (~0.4 kB each, compared whole at query time), then go into ``dedup_bands_recent``
    in one transaction. One transaction per document dirtied ~37 random index pages (~3 ms per document
    measured at 20k documents); the bulk insert writes each touched page once per ``TAIL`` documents.

    A query looks up in SQLite only the band keys an in-memory bit filter (fixed 4 MB, see
    ``_ensure_filter``) says may be stored: most keys of a new text are not, and each lookup is a
    page-cache miss once the tables outgrow SQLite's cache.

    A band row is never updated or deleted when its document's signature changes or the document
    goes: a candidate counts only when its *current* signature (read from ``dedup_signatures``, which
    the query needs anyway for the prefilter) shares a band key with the query, so stale rows are
    skipped, and the candidate set is exactly the in-memory index's.

    Memory: the tail (<= ``TAIL`` documents), the filter (4 MB), the LRU of candidates' shingle hashes
    (``HASH_CACHE_SIZE``) and SQLite's page cache: constant in the number of documents. One writer per
    archive (the filter and the tail are this object's): the archive's own rule (cron lock).
    """

    TAIL = 1024
    FILTER_BITS = 25  # a 4 MB bit array (see _filter_has)
    MERGE_RATIO = 8
    MERGE_MIN_ROWS = 300_000  # ~8k documents' bands

    def __init__(self, conn, *, loader: Callable[[str], str] | None = None, normalized: bool = True,
                 threshold: float = LSH_THRESHOLD, num_perm: int = NUM_PERM, k: int = SHINGLE_K,
                 verify_threshold: float = VERIFY_THRESHOLD, seed: int = SEED) -> None:
        super().__init__(threshold=threshold, num_perm=num_perm, k=k, verify_threshold=verify_threshold,
                         keep_shingles=False, loader=loader, seed=seed, normalized=normalized)
        self.conn = conn
        self._set_tail([])
        self.stats["flushed"] = self.stats["merges"] = self.stats["lookups"] = 0
        self._query_sql = ("SELECT document_id FROM dedup_bands WHERE band_key = ? UNION ALL "
                           "SELECT document_id FROM dedup_bands_recent WHERE band_key = ?")
        self._filter = np.zeros(1 << (self.FILTER_BITS - 3), np.uint8)
        self._filter_ready = False

    # -- persistence ----------------------------------------------------------------------------
    @staticmethod
    def save_signature(conn, doc_id: int, sig, size: int, year, issuer, sha: str | None) -> None:
        """Write (or replace) a document's signature and mark it to be banded, in the caller's
        transaction; ``add_signature`` afterwards makes it queryable at once."""
        conn.execute(
            "INSERT INTO dedup_signatures (document_id, signature, n_shingles, year, issuer, text_sha256) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(document_id) DO UPDATE SET signature = excluded.signature, "
            "n_shingles = excluded.n_shingles, year = excluded.year, issuer = excluded.issuer, "
            "text_sha256 = excluded.text_sha256",
            [int(doc_id), np.asarray(sig, dtype="<u8").tobytes(), int(size), year, issuer, sha])
        if int(size):  # an empty text has no bands
            conn.execute("INSERT OR IGNORE INTO dedup_pending (document_id) VALUES (?)", [int(doc_id)])
        else:
            conn.execute("DELETE FROM dedup_pending WHERE document_id = ?", [int(doc_id)])

    def load(self) -> "SQLiteNearDupIndex":
        """Take the pending signatures into the tail; band every signature of an archive written
        before ``dedup_bands`` existed (once, in chunks). Call inside a transaction or outside one."""
        c = self.conn
        own = not c.in_transaction
        with joined_transaction(c):
            c.execute("DELETE FROM dedup_pending WHERE document_id NOT IN (SELECT document_id FROM dedup_signatures)")
            self._ensure_filter()
            if (c.execute("SELECT 1 FROM dedup_bands LIMIT 1").fetchone() is None
                    and c.execute("SELECT 1 FROM dedup_bands_recent LIMIT 1").fetchone() is None):
                # no band yet: every signature not pending was saved by an older lawgov
                last = -1
                while True:
                    rows = c.execute(
                        "SELECT document_id, signature FROM dedup_signatures WHERE document_id > ? AND n_shingles > 0 "
                        "AND document_id NOT IN (SELECT document_id FROM dedup_pending) "
                        "ORDER BY document_id LIMIT 20000",
                        [last]).fetchall()
                    if not rows:
                        break
                    last = rows[-1][0]
                    self._write_bands([r[0] for r in rows], self._keys_of([r[1] for r in rows]))
            rows = c.execute(
                "SELECT p.document_id, s.signature, s.n_shingles FROM dedup_pending p JOIN dedup_signatures s "
                "ON s.document_id = p.document_id WHERE s.n_shingles > 0 ORDER BY p.document_id").fetchall()
            self._set_tail([r[0] for r in rows], self._sigs_of([r[1] for r in rows]), [r[2] for r in rows])
        if own:
            self.flush_if_full()
        return self

    # -- the in-memory filter over stored band keys ------------------------------------------------
    # One bit per slot of the top FILTER_BITS bits of a band key (the keys are mixed hashes: uniform).
    # A query looks up in SQLite only the band keys whose bit is set: without it every query did 37
    # B-tree seeks, each a page-cache miss once the table outgrows SQLite's 2 MB cache (~0.5 ms per
    # document at 20k documents, growing with the archive). Fixed size: 2^25 bits = 4 MB whatever the
    # archive; the share of keys looked up for nothing is 1 - exp(-keys / 2^25): 1 % at 10k documents
    # (370k keys), 10 % at 100k, 67 % at 1M (still fewer seeks than none filtered).
    def _ensure_filter(self) -> None:
        """Set the bits of every stored band key (once per index: one scan of the band tables)."""
        if self._filter_ready:
            return
        self._filter_ready = True
        for table in ("dedup_bands", "dedup_bands_recent"):
            cur = self.conn.execute(f"SELECT band_key FROM {table}")
            while rows := cur.fetchmany(20_000):
                self._filter_add(np.fromiter((r[0] for r in rows), np.int64, len(rows)).view(np.uint64))

    def _filter_slots(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        slot = keys >> np.uint64(64 - self.FILTER_BITS)
        return (slot >> np.uint64(3)).astype(np.intp), (slot & np.uint64(7)).astype(np.uint8)

    def _filter_add(self, keys: np.ndarray) -> None:
        byte, bit = self._filter_slots(keys)
        np.bitwise_or.at(self._filter, byte, np.left_shift(np.uint8(1), bit))

    def _filter_has(self, keys: np.ndarray) -> np.ndarray:
        byte, bit = self._filter_slots(keys)
        return ((self._filter[byte] >> bit) & 1).astype(bool)

    def _sigs_of(self, blobs: Sequence[bytes]) -> np.ndarray:
        return np.frombuffer(b"".join(blobs), dtype="<u8").astype(np.uint64).reshape(len(blobs), self.num_perm)

    def _keys_of(self, blobs: Sequence[bytes]) -> np.ndarray:
        return self._bands.band_keys(self._sigs_of(blobs))

    # -- the tail: documents whose bands are not in SQLite yet ---------------------------------------
    # Per document: its band keys (matched whole at query time), and its signature and shingle count,
    # so that a query prefilters its tail candidates in memory (a text shares bands with many of the
    # latest reports when they share boilerplate paragraphs) and reads from SQLite only those that may
    # pass. A document is in the tail once, with its current signature (add_signature replaces).
    def _set_tail(self, ids: list[int], sigs: np.ndarray | None = None, sizes: list[int] | None = None) -> None:
        self._tail_ids = list(ids)
        self._tail_sigs = sigs if sigs is not None else np.empty((0, self.num_perm), np.uint64)
        self._tail_sizes = list(sizes or [])
        self._tail_keys = self._bands.band_keys(self._tail_sigs) if len(self._tail_sigs) else \
            np.empty((0, self._bands.b), np.uint64)

    def _write_bands(self, ids: Sequence[int], keys: np.ndarray, table: str = "dedup_bands") -> None:
        flat = keys.ravel().view(np.int64)
        doc = np.repeat(np.asarray(ids, np.int64), keys.shape[1])
        order = np.argsort(flat, kind="stable")  # in key order: each index page is touched once
        self._ensure_filter()
        self.conn.executemany(f"INSERT OR IGNORE INTO {table} (band_key, document_id) VALUES (?, ?)",
                              zip(flat[order].tolist(), doc[order].tolist()))
        self._filter_add(keys.ravel())

    def _merge_recent(self) -> None:
        """Move ``dedup_bands_recent`` into ``dedup_bands`` once it holds 1/MERGE_RATIO of it (at least
        MERGE_MIN_ROWS rows). Band keys are random: a bulk insert touches every page of the table it
        goes into, so flushing straight into the big table cost its whole size per flush (~0.8 ms per
        document at 100k documents); with a small table in front, both writes stay constant per
        document. Row counts are max(rowid): these tables are only appended to, or emptied whole."""
        n_recent = self.conn.execute("SELECT max(rowid) FROM dedup_bands_recent").fetchone()[0] or 0
        n_big = self.conn.execute("SELECT max(rowid) FROM dedup_bands").fetchone()[0] or 0
        if n_recent >= max(self.MERGE_MIN_ROWS, n_big // self.MERGE_RATIO):
            self.conn.execute("INSERT OR IGNORE INTO dedup_bands (band_key, document_id) "
                              "SELECT band_key, document_id FROM dedup_bands_recent ORDER BY band_key")
            self.conn.execute("DELETE FROM dedup_bands_recent")
            self.stats["merges"] += 1

    def flush(self) -> None:
        """Write the tail's band rows and clear their pending marks, in the caller's transaction if
        one is open (it then commits or rolls back with it), else in one of its own."""
        if not self._tail_ids:
            return
        with joined_transaction(self.conn):
            self._write_bands(self._tail_ids, self._tail_keys[: len(self._tail_ids)], "dedup_bands_recent")
            self.conn.executemany("DELETE FROM dedup_pending WHERE document_id = ?",
                                  [(i,) for i in self._tail_ids])
            self._merge_recent()
        self.stats["flushed"] += len(self._tail_ids)
        self._set_tail([])

    def flush_if_full(self) -> None:
        if len(self._tail_ids) >= self.TAIL:
            self.flush()

    # -- the NearDupIndex interface -------------------------------------------------------------
    def __len__(self) -> int:
        return self.conn.execute("SELECT count(*) FROM dedup_signatures").fetchone()[0]

    def __contains__(self, doc_id) -> bool:
        try:
            key = int(doc_id)
        except (TypeError, ValueError):
            return False
        return self.conn.execute("SELECT 1 FROM dedup_signatures WHERE document_id = ?", [key]).fetchone() is not None

    def add_signature(self, doc_id, sig: np.ndarray, size: int, issuer: str | None = None,
                      year: int | None = None, hashes: np.ndarray | None = None) -> None:
        """Make a document whose signature ``save_signature`` wrote queryable (its bands join the
        tail; the tail goes to SQLite once full and no transaction is open)."""
        doc_id = int(doc_id)
        self._cache.pop(str(doc_id), None)
        if doc_id in self._tail_ids:  # its signature changed: the tail keeps the current one only
            self._drop_from_tail(doc_id)
        if int(size):
            n = len(self._tail_ids)
            if n == len(self._tail_keys):  # grow (a transaction may add past TAIL before the flush)
                keys = np.empty((max(2 * n, self.TAIL), self._bands.b), np.uint64)
                keys[:n] = self._tail_keys[:n]
                sigs = np.empty((len(keys), self.num_perm), np.uint64)
                sigs[:n] = self._tail_sigs[:n]
                self._tail_keys, self._tail_sigs = keys, sigs
            sig = np.asarray(sig, np.uint64)
            self._tail_keys[n] = self._bands.band_keys(sig)
            self._tail_sigs[n] = sig
            self._tail_ids.append(doc_id)
            self._tail_sizes.append(int(size))
        if not self.conn.in_transaction:
            self.flush_if_full()

    def add_signatures(self, ids, sigs, sizes, issuers, years) -> None:
        raise NotImplementedError("SQLiteNearDupIndex is loaded from its tables (load), not rebuilt")

    def add(self, doc_id, text, issuer=None, year=None) -> None:
        h, sig = self.prepare(text)
        self._save_and_add(doc_id, h, sig, issuer, year)

    def add_or_match(self, doc_id, text, issuer=None, year=None) -> list[tuple[str, float]]:
        h, sig = self.prepare(text)
        matches = self.query_prepared(h, sig, issuer, year)
        self._save_and_add(doc_id, h, sig, issuer, year)
        return matches

    def _save_and_add(self, doc_id, h, sig, issuer, year) -> None:
        with joined_transaction(self.conn):
            self.save_signature(self.conn, int(doc_id), sig, len(h), year, issuer, None)
        self.add_signature(doc_id, sig, len(h), issuer, year)

    def remove(self, doc_id) -> None:
        """Forget a document (its ``dedup_signatures`` row is the caller's to delete; its band rows
        stay and are skipped)."""
        doc_id = int(doc_id)
        self._cache.pop(str(doc_id), None)
        if doc_id in self._tail_ids:
            self._drop_from_tail(doc_id)

    def _drop_from_tail(self, doc_id: int) -> None:
        """Remove a document from the tail in place: the last row takes its place (the tail's order
        means nothing: lookups collect sets, a flush writes rows). Rebuilding the arrays from the kept
        rows cost ~0.5 ms per drop with a full tail, paid by every changed text of a recent document
        (lawgov reprocess after a rule change)."""
        i, last = self._tail_ids.index(doc_id), len(self._tail_ids) - 1  # (an id is in the tail once)
        if i != last:
            self._tail_ids[i], self._tail_sizes[i] = self._tail_ids[last], self._tail_sizes[last]
            self._tail_keys[i], self._tail_sigs[i] = self._tail_keys[last], self._tail_sigs[last]
        self._tail_ids.pop()
        self._tail_sizes.pop()

    def signature(self, doc_id) -> tuple[np.ndarray, int]:
        row = self.conn.execute("SELECT signature, n_shingles FROM dedup_signatures WHERE document_id = ?",
                                [int(doc_id)]).fetchone()
        if row is None:
            raise KeyError(doc_id)
        if not row[1]:
            return np.full(self.num_perm, np.iinfo(np.uint64).max, dtype=np.uint64), 0
        return np.frombuffer(row[0], dtype="<u8").astype(np.uint64), row[1]

    def _candidate_table(self, sig: np.ndarray, n_shingles: int | None = None):
        sig = np.asarray(sig, np.uint64)
        qk = self._bands.band_keys(sig)
        self._ensure_filter()
        found = set()
        for key in qk.view(np.int64)[self._filter_has(qk)].tolist():  # most keys of a new text: none
            found.update(r[0] for r in self.conn.execute(self._query_sql, (key, key)))
        self.stats["lookups"] += len(found)
        if self._tail_ids:  # band j's key is salted with j: it can only equal band j's
            hit = np.flatnonzero((self._tail_keys[: len(self._tail_ids)] == qk).any(axis=1))
            if n_shingles and len(hit):  # a query: only tail candidates that may pass its prefilter
                sizes = np.asarray(self._tail_sizes, np.int64)[hit]
                _est_j, est = prefilter_estimates(sig, n_shingles, self._tail_sigs[hit], sizes)
                dropped = {self._tail_ids[i] for i in hit[est < PREFILTER_SCORE].tolist()}
                self.stats["candidates"] += len(dropped - found)  # counted, not read (once)
                hit = hit[est >= PREFILTER_SCORE]
            found.update(self._tail_ids[i] for i in hit.tolist())
        ids, blobs, sizes, years, issuers = [], [], [], [], []
        if found:
            found_l = sorted(found)
            for i in range(0, len(found_l), 500):
                part = found_l[i: i + 500]
                for row in self.conn.execute(
                        "SELECT document_id, signature, n_shingles, year, issuer FROM dedup_signatures "
                        f"WHERE document_id IN ({','.join('?' * len(part))}) AND n_shingles > 0", part):
                    ids.append(row[0]); blobs.append(row[1]); sizes.append(row[2])  # noqa: E702
                    years.append(row[3]); issuers.append(row[4])  # noqa: E702
        if not ids:
            return [], np.empty((0, self.num_perm), np.uint64), np.empty(0, np.int64), [], []
        sigs = self._sigs_of(blobs)
        # stale band rows (signature changed, document gone, id reused): the current signature decides
        live = (self._bands.band_keys(sigs) == qk).any(axis=1)
        keep = np.flatnonzero(live).tolist()
        return ([str(ids[i]) for i in keep], sigs[live], np.asarray(sizes, np.int64)[live],
                [None if years[i] is None else int(years[i]) for i in keep], [issuers[i] for i in keep])

    def to_bytes(self, include_shingles: bool = False) -> bytes:
        raise NotImplementedError("SQLiteNearDupIndex lives in its archive tables")




# -- canonical copy ------------------------------------------------------------------------------

def _get(copy, name, default=None):
    if isinstance(copy, dict):
        return copy.get(name, default)
    return getattr(copy, name, default)


def clean_lengths(texts: Sequence[str]) -> list[int]:
    """"Clean" length of each copy of one document: characters (whitespace removed) of its lines
    that also occur in at least one other copy. Lines only one copy has (an injected spam line,
    left-over chrome) do not count; a truncated copy has fewer shared lines. A lone copy counts
    whole."""
    line_sets = [{_WS.sub("", x) for x in (t or "").split("\n")} - {""} for t in texts]
    if len(texts) < 2:
        return [sum(len(x) for x in s) for s in line_sets]
    seen: dict[str, int] = {}
    for s in line_sets:
        for x in s:
            seen[x] = seen.get(x, 0) + 1
    return [sum(len(x) for x in s if seen[x] > 1) for s in line_sets]


def canonical_order(copies: Sequence) -> list:
    """Copies of one document, best canonical candidate first. The written rule, in order:

    1. **Simplified original over converted**: a copy with ``converted`` true (served through a
       Traditional gateway such as ``/gate/big5/`` and normalized back) ranks after every
       unconverted copy — conversion round trips can alter characters (著/着, 乾/干).
    2. **The issuer's own site over reposts**: ``portal_issuer`` equal to the document's
       ``issuer`` (equal ``issuer_key``; unlike the merge guard, a prefix is not enough: the
       city portal 台州市 reposting 椒江区's report is a repost) ranks first; unknown counts as a
       repost.
    3. **Longest clean text**: more characters of ``text`` (whitespace removed) first; a
       truncated copy loses. (``text_len`` is used when given instead of ``text``; the archive
       passes ``clean_lengths``: only lines another copy also has count, so an injected spam
       line or left-over chrome does not make a copy "longer".)
    4. **Earliest published**: smaller ``published`` first (ISO date strings or datetimes;
       missing = last).
    5. Ties: the original order (the sort is stable), e.g. the order copies were crawled.

    ``copies`` are dicts or objects with these attributes; a new list is returned.
    """

    def key(c):
        text = _get(c, "text")
        n = _get(c, "text_len")
        if n is None:
            n = len(_WS.sub("", text)) if text else 0
        pk, ik = issuer_key(_get(c, "portal_issuer")), issuer_key(_get(c, "issuer"))
        own = pk is not None and pk == ik  # strict: a city portal is not its district's own site
        pub = _get(c, "published")
        return (
            1 if _get(c, "converted") else 0,
            0 if own else 1,
            -int(n),
            (1, "") if pub is None else (0, str(pub)),
        )

    return sorted(copies, key=key)


# -- converted copies ----------------------------------------------------------------------------
# A copy served through a Traditional-script / pinyin gateway or declared Traditional: normalize
# makes its text identical to the original, so only the raw page says it was converted.
CONVERTED_URL_PATTERNS = (
    re.compile(r"/gate/big5/", re.I),  # TRS / Hanweb 繁體 gateways (www.x.gov.cn/gate/big5/host/...)
    re.compile(r"^https?://big5\.", re.I),  # big5.x.gov.cn mirrors
    re.compile(r"[?&](lang|language)=(zh[-_]?tw|zh[-_]?hant|big5|tw)\b", re.I),
)
CONVERTED_ENCODINGS = {"big5", "big5hkscs", "big5-hkscs", "cp950"}
CONVERTED_HTML_MARKERS = (
    re.compile(rb"<html[^>]*\blang=[\"']?zh[-_](tw|hk|hant)", re.I),
    re.compile(rb"<meta[^>]+content-language[^>]+zh[-_](tw|hk|hant)", re.I),
)


def is_converted(url: str | None, encoding: str | None = None, body: bytes | None = None) -> bool:
    """Was this copy served converted (Traditional gateway, Big5, zh-TW page)? See the rule tables."""
    if url and any(p.search(url) for p in CONVERTED_URL_PATTERNS):
        return True
    if encoding and encoding.lower().replace("_", "-") in CONVERTED_ENCODINGS:
        return True
    head = (body or b"")[:4096]
    return any(p.search(head) for p in CONVERTED_HTML_MARKERS)
