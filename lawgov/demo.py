"""`lawgov demo`: serve the sample web on loopback, crawl it, build the archive, print a summary."""

from __future__ import annotations

from pathlib import Path

from archive.db import open_archive
from archive.queries import archive_stats
from lawgov.crawl import format_summary, run_crawl

SAMPLE_PORTALS = Path(__file__).resolve().parent.parent / "sampleweb" / "portals.yaml"


def _remove_archive(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(db) + suffix)
        if p.exists():
            p.unlink()


def run_demo(db: str, keep: bool = False) -> int:
    from sampleweb.server import SampleWeb

    db_path = Path(db)
    if not keep:
        _remove_archive(db_path)
    with SampleWeb() as web:
        proxy = f"http://127.0.0.1:{web.port}"
        print(f"sample web serving on {proxy} (portals: {SAMPLE_PORTALS})", flush=True)
        summary = run_crawl(str(SAMPLE_PORTALS), str(db_path), proxy=proxy, fast=True)
    print(format_summary(summary))
    stats = archive_stats(open_archive(db_path, create=False, readonly=True))
    print(f"\narchive {db_path}: {stats['documents']} documents, {stats['sources']} sources, "
          f"{stats['pages']} pages ({stats['stored_bytes'] // 1024} KiB stored)")
    print("query it:  .venv/bin/lawgov stats --db " + str(db_path))
    return 0 if summary["errors"] == 0 else 1
