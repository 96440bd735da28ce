"""Evaluate near-duplicate detection on tests/data/dedup_pairs.jsonl.

    python -m pipelines.eval_dedup [--pairs PATH] [--k 5] [--no-guards]

For every labelled pair, document ``a`` is added to a fresh ``NearDupIndex`` and ``b`` is queried;
the pair is predicted "same" when ``a`` comes back. Prints pairwise precision / recall (text only,
i.e. without issuer/year metadata, and with the metadata guards), per-kind results, and the score
distribution of same vs different pairs (min same, max different) from which the thresholds in
``pipelines.dedup`` are chosen. ``--k 3,4,5,6,7`` compares shingle sizes (exact J/C only).
Exit status 1 when precision or recall is below 1.0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from pipelines.dedup import (
    MIN_SIZE_RATIO,
    NearDupIndex,
    pair_score,
    shingle_hashes,
    similarity,
)

DEFAULT_PAIRS = Path(__file__).resolve().parents[1] / "tests" / "data" / "dedup_pairs.jsonl"


def load_pairs(path: Path = DEFAULT_PAIRS) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def predict(pair: dict, guards: bool = True, **index_kw) -> tuple[bool, float]:
    idx = NearDupIndex(**index_kw)
    if guards:
        idx.add("a", pair["a"], pair.get("issuer_a"), pair.get("year_a"))
        res = idx.query(pair["b"], pair.get("issuer_b"), pair.get("year_b"))
    else:
        idx.add("a", pair["a"])
        res = idx.query(pair["b"])
    return bool(res), (res[0][1] if res else 0.0)


def prf(labels: list[bool], preds: list[bool]) -> tuple[float, float, int, int, int]:
    tp = sum(1 for y, p in zip(labels, preds) if y and p)
    fp = sum(1 for y, p in zip(labels, preds) if not y and p)
    fn = sum(1 for y, p in zip(labels, preds) if y and not p)
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    return prec, rec, tp, fp, fn


def scores(pairs: list[dict], k: int) -> list[tuple[float, float, float, float]]:
    """(J, C, size ratio, score) per pair with exact shingle sets of size k."""
    out = []
    for p in pairs:
        j, c, r = similarity(shingle_hashes(p["a"], k), shingle_hashes(p["b"], k))
        out.append((j, c, r, pair_score(j, c, r)))
    return out


def evaluate(pairs: list[dict], k: int = 5) -> dict:
    labels = [bool(p["same"]) for p in pairs]
    text_only = [predict(p, guards=False, k=k)[0] for p in pairs]
    guarded = [predict(p, guards=True, k=k)[0] for p in pairs]
    sc = scores(pairs, k)
    same = [s[3] for s, y in zip(sc, labels) if y]
    diff = [s[3] for s, y in zip(sc, labels) if not y]
    return {
        "n": len(pairs),
        "text_only": prf(labels, text_only),
        "guarded": prf(labels, guarded),
        "min_same": min(same) if same else None,
        "max_diff": max(diff) if diff else None,
        "scores": sc,
        "pred_text": text_only,
        "pred_guard": guarded,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS)
    ap.add_argument("--k", default="5", help="shingle size, or a comma list to compare (e.g. 3,4,5,6,7)")
    args = ap.parse_args(argv)
    pairs = load_pairs(args.pairs)
    ks = [int(x) for x in args.k.split(",")]
    if len(ks) > 1:
        print("k  min_same  max_diff  gap   (score = max(J,C) if size ratio >= %.2f else J)" % MIN_SIZE_RATIO)
        for k in ks:
            sc = scores(pairs, k)
            same = [s[3] for s, p in zip(sc, pairs) if p["same"]]
            diff = [s[3] for s, p in zip(sc, pairs) if not p["same"]]
            sj = [s[0] for s, p in zip(sc, pairs) if p["same"] and p["kind"] != "truncated"]
            dj = [s[0] for s, p in zip(sc, pairs) if not p["same"]]
            print(f"{k}  {min(same):.3f}     {max(diff):.3f}     {min(same) - max(diff):.3f}"
                  f"   (J only, non-truncated: min same {min(sj):.3f}, max diff {max(dj):.3f})")
        return 0
    k = ks[0]
    r = evaluate(pairs, k)
    print(f"pairs: {r['n']} ({sum(p['same'] for p in pairs)} same, {sum(not p['same'] for p in pairs)} different), k={k}")
    for name in ("text_only", "guarded"):
        p, rec, tp, fp, fn = r[name]
        print(f"{name:10s} precision {p:.3f}  recall {rec:.3f}  (tp {tp}, fp {fp}, fn {fn})")
    by_kind: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        by_kind[p["kind"]].append(i)
    print("\nkind            same  n   correct(text) correct(guard)  J range        C range        score range")
    for kind, ids in by_kind.items():
        lab = pairs[ids[0]]["same"]
        ct = sum(r["pred_text"][i] == bool(pairs[i]["same"]) for i in ids)
        cg = sum(r["pred_guard"][i] == bool(pairs[i]["same"]) for i in ids)
        js = [r["scores"][i][0] for i in ids]
        cs = [r["scores"][i][1] for i in ids]
        ss = [r["scores"][i][3] for i in ids]
        print(f"{kind:15s} {str(lab):5s} {len(ids):2d}  {ct:2d}/{len(ids):<2d}         {cg:2d}/{len(ids):<2d}"
              f"          {min(js):.3f}-{max(js):.3f}    {min(cs):.3f}-{max(cs):.3f}    {min(ss):.3f}-{max(ss):.3f}")
    print(f"\nscore distribution: min same {r['min_same']:.3f}, max different {r['max_diff']:.3f}")
    hi = sorted(((s[3], pairs[i]["kind"], pairs[i]["note"]) for i, s in enumerate(r["scores"]) if not pairs[i]["same"]), reverse=True)[:3]
    lo = sorted((s[3], pairs[i]["kind"], pairs[i]["note"]) for i, s in enumerate(r["scores"]) if pairs[i]["same"])[:3]
    print("lowest same:", "; ".join(f"{s:.3f} {k} {n}" for s, k, n in lo))
    print("highest different:", "; ".join(f"{s:.3f} {k} {n}" for s, k, n in hi))
    ok = r["text_only"][:2] == (1.0, 1.0) and r["guarded"][:2] == (1.0, 1.0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
