"""Benchmark: what a second crawl of the unchanged sample web costs next to the first.

    python -m lawgov.bench_incremental [--runs 3] [--web small|large|both]

Serves a sample web on loopback, crawls it into a fresh archive, then crawls it again unchanged.
Two webs: the small sample web (8+3 portals of every CMS family, a few articles per list, so list and
navigation pages are half of all requests), and a slice of the large sample web (sampleweb/large.py:
10 county portals x 100 articles, 20 per list page, as real report columns list them), where the
share of list pages, which every run must fetch, is closer to the real web's.
Prints, for both runs, the detail-page downloads (article GETs that reached the server, from its
request log), all requests, the wall time of the `lawgov crawl` process and the crawl's own time
(crawls.elapsed_s: spider open to close, without Python start-up), and the ratios second / first.
Targets (issue 7): <= 10 % of the downloads, <= 25 % of the time. Medians of --runs pairs.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTALS = ROOT / "sampleweb" / "portals.yaml"
DOWNLOAD_TARGET = 0.10
TIME_TARGET = 0.25


LARGE_PORTALS, LARGE_ARTICLES = 10, 100


def crawl_once(web, db: Path, article_paths: set, portals_file: Path = PORTALS) -> dict:
    before = len(web.requests)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "lawgov.cli", "crawl", "--portals", str(portals_file), "--db",
                           str(db), "--proxy", web.proxy_url, "--fast"],
                          cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit(f"bench_incremental: crawl failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    requests = web.requests[before:]
    conn = sqlite3.connect(db)
    elapsed = conn.execute("SELECT elapsed_s FROM crawls ORDER BY id DESC LIMIT 1").fetchone()[0]
    conn.close()
    return {
        "downloads": sum(1 for m, h, p in requests if m == "GET" and (h, p) in article_paths),
        "requests": len(requests),
        "wall_s": wall,
        "crawl_s": elapsed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="first/second crawl pairs (default: 3)")
    parser.add_argument("--web", choices=("small", "large", "both"), default="both",
                        help="which sample web to crawl (default: both)")
    args = parser.parse_args(argv)
    missed = False
    if args.web in ("small", "both"):
        missed |= bench_web("small sample web", *small_web(), args.runs)
    if args.web in ("large", "both"):
        missed |= bench_web(f"large sample web, {LARGE_PORTALS} portals x {LARGE_ARTICLES} articles",
                            *large_web(), args.runs)
    print("crawl time: spider open to close (crawls.elapsed_s); wall time adds ~1.5 s of Python start-up")
    if missed:
        print("a target was missed (see above)")
    return 0


def small_web():
    from sampleweb import truth
    from sampleweb.server import SampleWeb

    article_paths = {(d["host"], u.split(d["host"], 1)[1]) for d in truth.detail_pages() for u in d["part_urls"]}
    return SampleWeb(), PORTALS, article_paths, truth.served_urls()


def large_web():
    from sampleweb.large import large_portals, registry_yaml
    from sampleweb.server import SampleWeb

    portals = large_portals(LARGE_PORTALS, LARGE_ARTICLES)
    registry = Path(tempfile.mkdtemp(prefix="lawgov-bench-")) / "large.yaml"
    registry.write_text(registry_yaml(portals), encoding="utf-8")
    article_paths = {(p.host, a.path) for p in portals for a in p.articles}
    served = [f"http://{p.host}{a.path}" for p in portals for a in p.articles]
    return SampleWeb(portals), registry, article_paths, served


def bench_web(label, web, portals_file, article_paths, served, runs) -> bool:
    firsts, seconds = [], []
    with web, tempfile.TemporaryDirectory() as tmp:
        for u in served:  # render every page once: the server's first-render cost is not ours
            web.respond("GET", u)
        for i in range(runs):
            db = Path(tmp) / f"bench{i}.db"
            firsts.append(crawl_once(web, db, article_paths, portals_file))
            seconds.append(crawl_once(web, db, article_paths, portals_file))

    def med(runs, key):
        return statistics.median(r[key] for r in runs)

    print(f"incremental crawl of the unchanged {label} (median of {runs} pairs)")
    print(f"{'':<28}{'first':>10}{'second':>10}{'ratio':>9}  target")
    rows = (("detail-page downloads", "downloads", DOWNLOAD_TARGET), ("all requests", "requests", None),
            ("wall time (s)", "wall_s", None), ("crawl time (s)", "crawl_s", TIME_TARGET))
    missed = False
    for label, key, target in rows:
        a, b = med(firsts, key), med(seconds, key)
        ratio = b / a if a else 0.0
        verdict = ""
        if target is not None:
            ok = ratio <= target
            missed |= not ok
            verdict = f"<= {target:.0%} {'ok' if ok else 'MISSED'}"
        fmt = (lambda v: f"{v:>10.0f}") if key in ("downloads", "requests") else (lambda v: f"{v:>10.2f}")
        print(f"{label:<28}{fmt(a)}{fmt(b)}{ratio:>8.1%}  {verdict}")
    print()
    return missed


if __name__ == "__main__":
    sys.exit(main())
