"""`make bench`: where processing time goes, as ratios measured in one run.

    python -m lawgov.bench [--repeat N]

Prints, on every article page of the sample web (bytes as served): ms per page for each stage
(decode+extract, normalize, classify+year, enrich+sections) and for the whole `process_page`, next
to plain `trafilatura.extract` on the same pages, and a real crawl of the sample web (pages/s).
Figures vary between runs on a shared machine: compare the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipelines.classify import classify, covered_year
from pipelines.encoding import decode_html
from pipelines.enrich import enrich
from pipelines.eval_extract import sample_web_pages
from pipelines.extract import extract
from pipelines.normalize import normalize_text, normalize_title
from pipelines.process import process_page
from pipelines.sections import split_sections

ROOT = Path(__file__).resolve().parent.parent


def sample_pages() -> list[dict]:
    return [{"url": gold["url"], "body": body, "content_type": gold["content_type"]}
            for _name, body, gold in sample_web_pages()]


def best_ms_per_page(fn, items, repeat: int) -> float:
    fn(items[0])  # warm-up: imports, converters, tables
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for it in items:
            fn(it)
        best = min(best, time.perf_counter() - t)
    return best * 1000 / len(items)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="timing rounds; the best is kept")
    args = ap.parse_args(argv)
    import trafilatura

    pages = sample_pages()
    extracted = [extract(p["body"], url=p["url"], content_type=p["content_type"]) for p in pages]
    normalized = [(normalize_title(e["title"] or ""), normalize_text(e["text"] or "")) for e in extracted]
    stages = {
        "decode + extract": (lambda p: extract(p["body"], url=p["url"], content_type=p["content_type"]), pages),
        "normalize": (lambda e: (normalize_title(e["title"] or ""), normalize_text(e["text"] or "")), extracted),
        "classify + year": (lambda tt: (classify(*tt), covered_year(tt[0], tt[1], None)), normalized),
        "enrich + sections": (lambda tt: (enrich("南充市嘉陵区人民政府", "511304", "county", "2022-03-01", 2021),
                                          split_sections(tt[1])), normalized),
        "process_page (all)": (lambda p: process_page([dict(p)]), pages),
        "plain trafilatura.extract": (
            lambda p: trafilatura.extract(decode_html(p["body"], p["content_type"])[0],
                                          favor_precision=True, include_tables=True), pages),
    }
    print(f"processing, {len(pages)} sample-web article pages, best of {args.repeat} rounds")
    figures = {}
    for name, (fn, items) in stages.items():
        figures[name] = best_ms_per_page(fn, items, args.repeat)
        print(f"  {name:<28} {figures[name]:7.2f} ms/page")
    ratio = figures["process_page (all)"] / figures["plain trafilatura.extract"]
    print(f"  process_page costs {ratio:.2f}x plain trafilatura.extract per page")

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        from sampleweb.server import SampleWeb

        with SampleWeb() as web:
            t = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "lawgov.cli", "crawl", "--portals", str(ROOT / "sampleweb" / "portals.yaml"),
                 "--db", str(db), "--proxy", f"http://127.0.0.1:{web.port}", "--fast"],
                capture_output=True, text=True, cwd=ROOT)
            elapsed = time.perf_counter() - t
            served = len(web.requests)
        if proc.returncode != 0:
            print(proc.stdout + proc.stderr, file=sys.stderr)
            return 1
        print(f"crawl of the sample web (process start to exit, --fast): {served} requests in "
              f"{elapsed:.2f} s = {served / elapsed:.1f} requests/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
