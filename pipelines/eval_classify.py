"""Evaluate ``pipelines.classify.classify`` on the labelled set.

    python -m pipelines.eval_classify [path/to/labelled_titles.tsv]

The TSV has a header and the columns ``label`` (1 = a 法治政府建设年度报告, 0 = a look-alike),
``title`` and ``body_opening`` (may be empty). Line breaks inside a body are written ``\\n``
(and a literal backslash ``\\\\``). Prints precision, recall and F1 for the positive class, the
reasons used, and every misclassified row. Exit status 1 when below the targets.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

from pipelines.classify import classify

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "labelled_titles.tsv"
TARGET_PRECISION = 0.99
TARGET_RECALL = 0.98


def _unescape(field: str) -> str:
    out, i = [], 0
    while i < len(field):
        ch = field[i]
        if ch == "\\" and i + 1 < len(field):
            nxt = field[i + 1]
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(nxt, "\\" + nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def load_labelled(path: str | Path = DEFAULT_SET) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        if header[:3] != ["label", "title", "body_opening"]:
            raise ValueError(f"{path}: unexpected header {header!r}")
        for lineno, line in enumerate(fh, start=2):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            parts = line.split("\t")
            parts += [""] * (3 - len(parts))
            label, title, body = parts[:3]
            if label not in ("0", "1"):
                raise ValueError(f"{path}:{lineno}: label must be 0 or 1, got {label!r}")
            rows.append({"line": lineno, "label": label == "1", "title": _unescape(title),
                         "body": _unescape(body)})
    return rows


def evaluate(rows: list[dict]) -> dict:
    tp = fp = fn = tn = 0
    errors = []
    reasons: collections.Counter = collections.Counter()
    for row in rows:
        predicted, reason = classify(row["title"], row["body"])
        reasons[(predicted, reason)] += 1
        if predicted and row["label"]:
            tp += 1
        elif predicted and not row["label"]:
            fp += 1
            errors.append(("FP", row, reason))
        elif not predicted and row["label"]:
            fn += 1
            errors.append(("FN", row, reason))
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n": len(rows), "tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision,
            "recall": recall, "f1": f1, "errors": errors, "reasons": reasons}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=str(DEFAULT_SET))
    ap.add_argument("--reasons", action="store_true", help="also print how often each reason fired")
    args = ap.parse_args(argv)
    res = evaluate(load_labelled(args.path))
    print(f"rows {res['n']}  (positive {res['tp'] + res['fn']}, negative {res['fp'] + res['tn']})")
    print(f"tp {res['tp']}  fp {res['fp']}  fn {res['fn']}  tn {res['tn']}")
    print(f"precision {res['precision']:.4f}  recall {res['recall']:.4f}  f1 {res['f1']:.4f}")
    if args.reasons:
        for (pred, reason), n in sorted(res["reasons"].items(), key=lambda kv: (-kv[1], kv[0][1])):
            print(f"  {n:4d}  {'report   ' if pred else 'not-report'}  {reason}")
    if res["errors"]:
        print("misclassified:")
        for kind, row, reason in res["errors"]:
            body = row["body"].replace("\n", "\\n")
            body = f"  body={body[:60]!r}" if body else ""
            print(f"  {kind} line {row['line']}: {row['title']!r} -> {reason}{body}")
    else:
        print("misclassified: none")
    ok = res["precision"] >= TARGET_PRECISION and res["recall"] >= TARGET_RECALL
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
