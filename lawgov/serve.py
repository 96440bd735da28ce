"""`lawgov serve`: browse and search an archive with Datasette, read-only.

Wire it into lawgov/cli.py's build_parser() with::

    from lawgov.serve import add_serve_parser
    add_serve_parser(sub)

(`sub` being the subparsers object; `serve` sets ``func`` like the other commands, and an unusable
archive raises ArchiveError, which cli.main() already prints as one line with exit code 2.)

Read-only by construction: the file is opened by Datasette as *immutable* (``-i``), so no connection
can write to it, and Datasette 0.65 has no write endpoints anyway (no write plugins are installed or
loaded). Arbitrary SQL stays on (``?sql=``, the SQL editor): Datasette only accepts SELECT-like
statements, and on an immutable file they cannot change anything; time-limited by
``sql_time_limit_ms``. The full-text index needs a write, so it is created (or rebuilt, when out of step) *before* serving,
then the WAL is checkpointed into the main file (an immutable open does not read the -wal file).
Immutable also means: a crawl writing the same archive while it is served will not show until
`lawgov serve` is restarted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

METADATA_FILE = Path(__file__).resolve().parent.parent / "archive" / "datasette-metadata.yaml"
TEMPLATE_DB = "archive"  # the database name the metadata file is written for
DEFAULT_PORT = 8001
DEFAULT_HOST = "127.0.0.1"
SETTINGS = {
    "sql_time_limit_ms": "3000",  # full-text scans (search_short) of a big archive can take a while
    "max_returned_rows": "2000",
    "default_page_size": "50",
    # A search matching most of a big archive: configured facets give up (listed as timed out)
    # rather than holding the page; suggested facets (a query per column) are off for the same reason.
    "facet_time_limit_ms": "50",
    "suggest_facets": "off",
    "allow_download": "off",  # no raw download of the .db through the web (use the file itself)
}


def add_serve_parser(subparsers) -> argparse.ArgumentParser:
    """Register `serve` on a subparsers object (argparse's add_subparsers())."""
    p = subparsers.add_parser(
        "serve", help="browse and search an archive in the browser (Datasette, read-only)",
        description="Build or refresh the archive's full-text index, then serve the archive "
                    "read-only with Datasette: faceted tables (province, level, year, issuer kind, "
                    "published late), Chinese full-text search, and canned queries (coverage, late, "
                    "per_province_year, search, search_short). Search needs 3+ characters; use the "
                    "search_short query for 1-2 characters. Stop with Ctrl-C.",
        epilog="example: lawgov serve --db data/archive.db  (then open http://127.0.0.1:8001/)",
    )
    p.add_argument("--db", required=True, metavar="PATH", help="archive SQLite file")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="N",
                   help=f"port to listen on (default: {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument("--host", default=DEFAULT_HOST, metavar="HOST",
                   help=f"address to listen on (default: {DEFAULT_HOST}, this machine only; "
                        "0.0.0.0 exposes the archive to the network)")
    p.set_defaults(func=run_serve)
    return p


def prepare_archive(path: str | os.PathLike) -> int:
    """Check the archive, build its FTS index if missing or out of step (a rebuild of a big archive
    takes minutes, so an index in step is kept), and fold the WAL into the file.

    Raises ArchiveError for a missing or foreign file. Returns the number of documents indexed.
    """
    from archive.db import open_archive
    from archive.fts import ensure_fts, fts_in_step

    db = open_archive(path, create=False)
    try:
        n = ensure_fts(db, rebuild=not fts_in_step(db))
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.conn.close()
    return n


def metadata_for(db_path: str | os.PathLike) -> dict:
    """The metadata file, with its database re-keyed to the name Datasette gives ``db_path``."""
    import yaml

    meta = yaml.safe_load(METADATA_FILE.read_text(encoding="utf-8"))
    name = Path(db_path).stem
    if name != TEMPLATE_DB:
        meta["databases"] = {name: meta["databases"].pop(TEMPLATE_DB)}
        if "description_html" in meta:
            meta["description_html"] = meta["description_html"].replace(
                f'href="/{TEMPLATE_DB}/', f'href="/{name}/')
    return meta


def write_metadata(db_path: str | os.PathLike) -> Path:
    """Write the re-keyed metadata as JSON to a per-name temp file (same name -> same content)."""
    name = Path(db_path).stem
    uid = os.getuid() if hasattr(os, "getuid") else 0
    out = Path(tempfile.gettempdir()) / f"lawgov-datasette-{uid}-{name}.json"
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(metadata_for(db_path), ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, out)
    return out


def datasette_argv(db_path: str | os.PathLike, metadata: str | os.PathLike, host: str, port: int) -> list[str]:
    argv = [sys.executable, "-m", "datasette", "serve", "-i", str(db_path),
            "--metadata", str(metadata), "--host", host, "--port", str(port)]
    for key, value in SETTINGS.items():
        argv += ["--setting", key, value]
    return argv


def run_serve(args) -> int:
    """`lawgov serve`: prepare the archive, then replace this process with Datasette."""
    n = prepare_archive(args.db)
    metadata = write_metadata(args.db)
    argv = datasette_argv(args.db, metadata, args.host, args.port)
    shown = "localhost" if args.host in ("127.0.0.1", "::1") else args.host
    print(f"lawgov serve: {n} reports indexed; serving {args.db} read-only at "
          f"http://{shown}:{args.port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    sys.stdout.flush()
    # exec: Datasette gets this process's pid and signals, so stopping `lawgov serve` stops it.
    os.execv(sys.executable, argv)
    return 0  # not reached
