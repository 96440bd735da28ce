"""Benchmark: what a second crawl of the unchanged sample web costs next to the first.

    python -m lawgov.bench_incremental [--runs 3]

Serves the sample web on loopback, crawls it into a fresh archive, then crawls it again unchanged.
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


def crawl_once(web, db: Path, article_paths: set) -> dict:
    before = len(web.requests)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "lawgov.cli", "crawl", "--portals", str(PORTALS), "--db",
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
    args = parser.parse_args(argv)

    from sampleweb import truth
    from sampleweb.server import SampleWeb

    article_paths = {(d["host"], u.split(d["host"], 1)[1]) for d in truth.detail_pages() for u in d["part_urls"]}
    firsts, seconds = [], []
    with SampleWeb() as web, tempfile.TemporaryDirectory() as tmp:
        for u in truth.served_urls():  # render every page once: the server's first-render cost is not ours
            web.respond("GET", u)
        for i in range(args.runs):
            db = Path(tmp) / f"bench{i}.db"
            firsts.append(crawl_once(web, db, article_paths))
            seconds.append(crawl_once(web, db, article_paths))

    def med(runs, key):
        return statistics.median(r[key] for r in runs)

    print(f"incremental crawl of the unchanged sample web (median of {args.runs} pairs)")
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
    print("crawl time: spider open to close (crawls.elapsed_s); wall time adds ~1.5 s of Python start-up")
    if missed:
        print("a target was missed (see above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
