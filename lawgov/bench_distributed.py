"""`make bench`: crawl throughput of 1 vs 2 distributed workers on this machine.

    python -m lawgov.bench_distributed [--portals N] [--articles N]

Serves the large sample web (sampleweb/large.py: N county portals x N articles each) on loopback,
starts a private redis-server, and for 1 and then 2 workers (`lawgov crawl --redis … --fast`,
politeness off) enqueues the same registry in a fresh namespace and times from the workers' launch
until the shared queue and every in-flight request are empty. Prints pages/s for each and the ratio,
then drains the 2-worker run's records with one `lawgov ingest` (records/s of the single writer).
Everything here (web server, Redis, workers, writer) shares this machine's cores: the ratio says how
far a second worker helps on one machine, not how a crawl scales over several.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lawgov.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
LAWGOV = [sys.executable, "-m", "lawgov.cli"]


def _lawgov(*args, **kwargs):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([*LAWGOV, *map(str, args)], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def start_redis(workdir: Path, binary: str | None = None) -> tuple[subprocess.Popen, str]:
    """A private redis-server on a free loopback port in ``workdir``, without persistence (also used
    by tests/test_distributed.py). Raises RuntimeError when it is missing or does not answer."""
    binary = binary or shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install -y redis-server)")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir),
                             "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    conn = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            conn.ping()
            return proc, url
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"redis-server did not start on port {port}")


def timed_crawl(url: str, namespace: str, registry: Path, proxy: str, n_workers: int) -> dict:
    from crawler.redis_frontier import RedisFrontier

    enq = subprocess.run([*LAWGOV, "enqueue", "--redis", url, "--namespace", namespace, "--portals",
                          str(registry)], cwd=ROOT, capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    if enq.returncode != 0:
        raise SystemExit(f"bench_distributed: enqueue failed: {enq.stderr.strip()}")
    frontier = RedisFrontier(url, namespace)
    started = time.perf_counter()
    workers = [_lawgov("crawl", "--redis", url, "--namespace", namespace, "--proxy", proxy, "--fast",
                       "--until-idle", "0.5") for _ in range(n_workers)]
    busy_seen = False
    while True:  # done: something was fetched, and nothing is queued or in flight any more
        snap = frontier.snapshot()
        busy = snap["queued"] or snap["in_flight"]
        busy_seen = busy_seen or snap["in_flight"] > 0
        if busy_seen and not busy:
            break
        if all(w.poll() is not None for w in workers):
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    pages = 0
    for w in workers:
        out, err = w.communicate(timeout=120)
        if w.returncode not in (0, 1):
            raise SystemExit(f"bench_distributed: a worker failed:\n{out}{err}")
        line = next(ln for ln in out.splitlines() if ln.startswith("pages fetched"))
        pages += int(line.split()[-1])
    return {"pages": pages, "elapsed": elapsed, "rate": pages / elapsed,
            "items": frontier.conn.llen(frontier.keys.items)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--portals", type=int, default=16, help="county portals in the large sample web")
    ap.add_argument("--articles", type=int, default=80, help="articles per portal")
    args = ap.parse_args(argv)
    from sampleweb.large import large_portals, registry_yaml
    from sampleweb.server import SampleWeb

    portals = large_portals(args.portals, args.articles)
    with tempfile.TemporaryDirectory(prefix="lawgov-bench-") as tmp:
        tmp = Path(tmp)
        registry = tmp / "large.yaml"
        registry.write_text(registry_yaml(portals), encoding="utf-8")
        try:
            redis_proc, url = start_redis(tmp)
        except RuntimeError as e:
            raise SystemExit(f"bench_distributed: {e}") from None
        try:
            with SampleWeb(portals) as web:
                proxy = f"http://127.0.0.1:{web.port}"
                print(f"distributed crawl of the large sample web ({args.portals} portals x {args.articles} "
                      f"articles), politeness off, {os.cpu_count()} cores shared by web, Redis and workers")
                runs = {}
                for n in (1, 2):
                    runs[n] = r = timed_crawl(url, f"bench{n}", registry, proxy, n)
                    print(f"  {n} worker{'s' if n > 1 else ' '}  {r['pages']:6d} pages in {r['elapsed']:6.2f} s "
                          f"= {r['rate']:7.1f} pages/s  (launch to empty queue)")
                print(f"  2 workers / 1 worker: {runs[2]['rate'] / runs[1]['rate']:.2f}x")
            t = time.perf_counter()
            ingest = subprocess.run([*LAWGOV, "ingest", "--redis", url, "--namespace", "bench2", "--db",
                                     str(tmp / "bench.db"), "--until-idle", "0", "--progress", "0"],
                                    cwd=ROOT, capture_output=True, text=True,
                                    env=dict(os.environ, PYTHONPATH=str(ROOT)))
            elapsed = time.perf_counter() - t
            if ingest.returncode != 0:
                raise SystemExit(f"bench_distributed: ingest failed:\n{ingest.stdout}{ingest.stderr}")
            n_items = runs[2]["items"]
            print(f"  one ingest writer: {n_items} records in {elapsed:.2f} s = {n_items / elapsed:.1f} records/s "
                  f"(process start to exit)")
        finally:
            redis_proc.terminate()
            redis_proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
