"""`lawgov export`: write an archive out as JSON Lines, CSV, Parquet, text files or WARC.

Registered by lawgov/cli.py's build_parser(). A missing or foreign archive raises ArchiveError (already printed by cli.main() as one line, exit
code 2); a bad request (missing output folder, non-empty txt folder, ...) raises
archive.export.ExportError, which ``run_export`` turns into lawgov.errors.BadInput (same handling).
See archive/export.py for what each format contains.
"""

from __future__ import annotations

import argparse
import sys
import time

from archive.export import FORMATS
from lawgov.errors import BadInput

EPILOG = """\
examples:
  lawgov export --db data/archive.db --format jsonl --out reports.jsonl
  lawgov export --db data/archive.db --format csv --out 2023.csv --year 2023 --province 广东省
  lawgov export --db data/archive.db --format txt --out reports/      (one .txt per report + manifest.csv)
  lawgov export --db data/archive.db --format warc --out raw.warc.gz  (raw pages, WARC/1.1)
  lawgov export --db data/archive.db --format parquet --out cities.parquet --level city

formats:
  jsonl    one JSON object per report: all document fields + sources [{url, portal, fetched_at}]
  csv      one row per report + source_urls; UTF-8 with BOM (utf-8-sig) so Excel opens it right
  parquet  one row per report (pyarrow), sources as a list of structs
  txt      OUT/<province|未知>/<year|unknown>/<id>_<title>.txt + OUT/manifest.csv;
           OUT must not exist or be an empty folder
  warc     .warc.gz of the raw pages as fetched (warcinfo + one response record per page); with a
           filter, only the report pages of the matching reports; without, every stored page

The output is written to OUT.part and renamed when complete."""


def add_export_parser(subparsers) -> argparse.ArgumentParser:
    """Register `export` on a subparsers object (argparse's add_subparsers())."""
    p = subparsers.add_parser(
        "export", help="export an archive as jsonl, csv, parquet, txt files or warc",
        description="Export the reports of an archive (optionally only one year, province or\n"
                    "administrative level) to a file or folder other tools can read.\n"
                    "The archive is opened read-only; progress goes to stderr on long runs.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--db", required=True, metavar="PATH", help="archive SQLite file")
    p.add_argument("--format", required=True, choices=FORMATS, dest="format",
                   help="output format")
    p.add_argument("--out", required=True, metavar="PATH",
                   help="output file (a folder for txt); its parent folder must exist")
    p.add_argument("--year", type=int, metavar="YYYY", help="only reports covering this year")
    p.add_argument("--province", metavar="NAME", help="only reports of this province, as archived "
                   "(e.g. 广东省)")
    p.add_argument("--level", metavar="LEVEL", help="only reports of this administrative level: "
                   "central, province, city, county or township")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=run_export)
    return p


def run_export(args) -> int:
    from archive.export import ExportError, export

    started = time.monotonic()
    show = not getattr(args, "quiet", False)

    def progress(n: int) -> None:
        # long runs only: every 500 records (and the final count once past 500 or 1 s)
        if show and (n >= 500 or time.monotonic() - started > 1):
            print(f"lawgov export: {n} records written ({time.monotonic() - started:.1f}s)",
                  file=sys.stderr, flush=True)

    try:
        n = export(args.db, args.format, args.out, year=args.year, province=args.province,
                   level=args.level, progress=progress)
    except ExportError as e:
        raise BadInput(str(e)) from None
    unit = "pages" if args.format == "warc" else "reports"
    print(f"exported {n} {unit} to {args.out} ({args.format})")
    return 0
