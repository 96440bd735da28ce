"""Benchmark the archive writer alone: CPU per record of ``ArchiveWriter.store`` on real crawl records.

    python -m lawgov.bench_store [--articles N] [--rounds R] [--profile N] [--variant SPEC ...]
    python -m lawgov.bench_store --search-docs 100000 [--search-limit N] [--variant SPEC ...]

The records are those of a crawl of the large sample web (``lawgov.bench.crawl_large``, ~N articles:
half reports, half look-alikes), rebuilt from its ``pages`` by ``process_page`` and cached under
data/bench/ (pickled; delete the file after changing the processing). Each round stores every record
into a fresh archive in groups of 64 (``begin_group``/``commit_group``, as the writer thread does) and
the CPU time (thread_time) of store + commit is divided by the records; the best round is printed.
``--profile N`` prints cProfile's top N functions of one more round (of the last variant).
``--variant`` picks how full-text search is written (deferred to the group's commit, or immediate as
before) and FTS5 options (automerge, crisismerge, usermerge, pgsz); several variants alternate round
by round, so their ratios come from one run.

``--search-docs N`` instead copies the cached search archive of ``lawgov.bench`` (its first
``--search-limit`` documents) into one new archive per variant, in groups of 64 as the writer does, so
each has the FTS segments that variant leaves behind, and times the canned search over HTTP on all of
them (and on the original, whose index is rebuilt and optimized) in turn.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pickle
import pstats
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from archive.writer_thread import WriterThread
from lawgov.bench import BENCH_DATA, articles_split, crawl_large

GROUP = WriterThread.GROUP_MAX  # records per commit, as the writer groups them at most


def crawl_records(n_articles: int) -> list[dict]:
    """The records a crawl of ~n articles of the large sample web stores, in crawl order (cached)."""
    cache = BENCH_DATA / f"store-records-{n_articles}.pickle"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from lawgov.reprocess import article_groups, load_portals_for, stored_article
    from pipelines.process import process_page
    from sampleweb.large import large_portals

    BENCH_DATA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lawgov-bench-store-") as tmp:
        db = Path(tmp) / "crawl.db"
        print(f"crawling ~{n_articles} articles of the large sample web ...", file=sys.stderr, flush=True)
        crawl_large(large_portals(*articles_split(n_articles)), db)
        conn = sqlite3.connect(db)
        portals = load_portals_for(conn, str(db.with_suffix(".portals.yaml")))
        records = []
        for _first, ids in article_groups(conn):
            parts, portal, fetched_at = stored_article(conn, ids)
            record = process_page(parts, portals.get(portal))
            record.update(portal=portal, fetched_at=fetched_at, list_date=None)
            records.append(record)
        conn.close()
    cache.write_bytes(pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL))
    return records


def variant(spec: str):
    """``deferred`` (the writer as it is), ``immediate`` (every document indexed by its insert trigger, as
    before deferred indexing), either followed by ``:K=V,...`` FTS5 options set on the fresh archive
    (over archive.fts.FTS_OPTIONS: ``immediate:automerge=4`` is the writer before issue 11)."""
    mode, _, opts = spec.partition(":")
    if mode not in ("deferred", "immediate"):
        raise SystemExit(f"unknown variant {spec!r}: deferred[:K=V,...] or immediate[:K=V,...]")
    config = dict(kv.split("=", 1) for kv in filter(None, opts.split(",")))

    def setup(writer) -> None:
        import archive.fts
        import archive.writer

        archive.writer.defer_indexing = archive.fts.defer_indexing if mode == "deferred" else (lambda conn: None)
        with writer.db.conn:
            for key, value in config.items():
                archive.fts.set_option(writer.db.conn, key, value)
    return setup


def store_round(records: list[dict], path: Path, setup=None, profile: cProfile.Profile | None = None) -> float:
    """CPU seconds of storing every record into a fresh archive at ``path``, in groups of 64."""
    from archive.writer import ArchiveWriter

    writer = ArchiveWriter(str(path))
    if setup:
        setup(writer)
    writer.dedup  # noqa: B018 -- opened on the first report in a crawl too; not what is measured here
    gc.collect()
    cpu = 0.0
    for start in range(0, len(records), GROUP):
        t = time.thread_time()
        if profile:
            profile.enable()
        writer.begin_group()
        for record in records[start:start + GROUP]:
            writer.store(record, crawl_id=None)
        writer.commit_group()
        if profile:
            profile.disable()
        cpu += time.thread_time() - t
    writer.close()
    return cpu


def build_incremental(src: Path, dst: Path, spec: str, limit: int | None = None) -> float:
    """Copy the documents of archive ``src`` into a new archive, in groups of 64 with a savepoint per
    document as the writer stores them, so its FTS index has the segments a crawl leaves behind (the
    cached search archive's index is rebuilt and optimized: one segment). Returns CPU seconds."""
    from archive.db import open_archive
    from archive.fts import defer_indexing, index_deferred, segment_count, set_option

    mode, _, opts = spec.partition(":")
    db = open_archive(dst)
    conn = db.conn
    with conn:
        for kv in filter(None, opts.split(",")):
            set_option(conn, *kv.split("=", 1))
    conn.execute("ATTACH DATABASE ? AS src", [str(src)])
    cols = ", ".join(f'"{r[1]}"' for r in conn.execute("PRAGMA src.table_info(documents)"))
    n = min(conn.execute("SELECT max(id) FROM src.documents").fetchone()[0], limit or 1 << 62)
    t = time.thread_time()
    for start in range(1, n + 1, GROUP):
        conn.execute("BEGIN")
        if mode == "deferred":
            defer_indexing(conn)
        for i in range(start, min(start + GROUP, n + 1)):
            conn.execute("SAVEPOINT record")
            conn.execute(f"INSERT INTO documents ({cols}) SELECT {cols} FROM src.documents WHERE id = ?", [i])
            conn.execute("RELEASE record")
        if mode == "deferred":
            index_deferred(conn)
        conn.execute("COMMIT")
        if start % 10000 < GROUP:
            print(f"    {spec}: {start + GROUP - 1} documents, {time.thread_time() - t:.0f} s CPU",
                  file=sys.stderr, flush=True)
    cpu = time.thread_time() - t
    print(f"  built {spec:<28} {cpu * 1000 / n:6.3f} ms CPU/document, {segment_count(conn)} FTS segments",
          flush=True)
    conn.execute("DETACH DATABASE src")
    db.conn.close()
    return cpu


def search_latency(paths: dict[str, Path], rounds: int) -> None:
    """p50/p95 of the canned search over HTTP on each archive; one request per archive in turn."""
    import contextlib
    import urllib.parse
    import urllib.request

    from lawgov.bench import RARE_QUERY, SEARCH_QUERY, p50_p95, serving

    with contextlib.ExitStack() as servers:
        bases = {label: servers.enter_context(serving(path)) + "/search.json?" for label, path in paths.items()}
        for q in (SEARCH_QUERY, RARE_QUERY):
            times: dict[str, list[float]] = {label: [] for label in bases}
            for r in range(rounds + 1):
                for label, base in bases.items():
                    t = time.perf_counter()
                    urllib.request.urlopen(base + urllib.parse.urlencode({"q": q}), timeout=60).read()
                    if r:  # the first round warms up
                        times[label].append((time.perf_counter() - t) * 1000)
            for label, ts in times.items():
                p50, p95 = p50_p95(ts)
                print(f"  canned search {q}  {label:<36} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=2000, help="articles of the crawl (default 2000)")
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds, best kept (default 3)")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="print cProfile's top N of one more round")
    ap.add_argument("--variant", action="append", metavar="SPEC",
                    help="deferred[:K=V,...] or immediate[:K=V,...] (FTS5 options such as automerge=8); "
                         "repeat to alternate several in one run (default: deferred)")
    ap.add_argument("--search-docs", type=int, default=0, metavar="N",
                    help="instead: rebuild the cached N-document search archive (lawgov.bench) once per "
                         "variant, as a crawl writes it, and compare the canned search's p50/p95")
    ap.add_argument("--search-rounds", type=int, default=40)
    ap.add_argument("--search-limit", type=int, metavar="N", help="with --search-docs: copy only its first N")
    ap.add_argument("--keep", type=Path, metavar="DIR", help="with --search-docs: build (or reuse) them here")
    args = ap.parse_args(argv)
    if args.search_docs:
        from lawgov.bench import synthetic_archive

        src = synthetic_archive(args.search_docs)
        with tempfile.TemporaryDirectory(prefix="lawgov-bench-store-") as tmp:
            where = args.keep or Path(tmp)
            paths = {"rebuilt + optimized (lawgov.bench)": src}
            for n, spec in enumerate(args.variant or ["immediate", "deferred"]):
                path = where / f"v{n}-{args.search_limit or args.search_docs}-{spec.replace(':', '-').replace('=', '').replace(',', '-')}.db"
                if not path.exists():
                    build_incremental(src, path, spec, args.search_limit)
                paths[spec] = path
            search_latency(paths, args.search_rounds)
        return 0
    records = crawl_records(args.articles)
    reports = sum(1 for r in records if r["is_report"])
    print(f"{len(records)} records ({reports} reports), groups of {GROUP}")
    variants = [(spec, variant(spec)) for spec in args.variant or ["deferred"]]
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="lawgov-bench-store-") as tmp:
        n = 0
        for _ in range(args.rounds):
            for label, setup in variants:
                n += 1
                cpu = store_round(records, Path(tmp) / f"r{n}.db", setup)
                best[label] = min(best.get(label, cpu), cpu)
                print(f"  round {n:2d} {label:<28} {cpu * 1000 / len(records):6.3f} ms/record", flush=True)
        for label, _setup in variants:
            print(f"store CPU {label:<28} best {best[label] * 1000 / len(records):6.3f} ms/record")
        if args.profile:
            prof = cProfile.Profile()
            store_round(records, Path(tmp) / "profile.db", variants[-1][1], prof)
            pstats.Stats(prof).sort_stats("tottime").print_stats(args.profile)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
