"""The `lawgov` command: crawl, extract, stats, demo, serve, export.

Bad input (a malformed portal file, a foreign archive, a missing page file) gives one line naming
the input and the problem, and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from lawgov.errors import BadInput

EXIT_BAD_INPUT = 2




def _cmd_crawl(args) -> int:
    if args.redis:
        from lawgov.distributed import cmd_worker

        return cmd_worker(args)
    if not args.portals or not args.db:
        raise BadInput("--portals and --db are required (or --redis URL: a distributed worker)")
    overrides = dict(_setting(v) for v in args.set)
    if args.recheck_days is not None:
        if args.recheck_days < 0:
            raise BadInput(f"--recheck-days {args.recheck_days:g}: must be 0 or more")
        overrides["LAWGOV_RECHECK_DAYS"] = args.recheck_days
    from archive import forkserver

    forkserver.start()  # before Scrapy's import (~0.5 s): the writer's imports run beside it
    from lawgov.crawl import format_summary, run_crawl

    summary = run_crawl(args.portals, args.db, proxy=args.proxy, fast=args.fast,
                        contact=args.contact, log_level=args.log_level, overrides=overrides)
    print(format_summary(summary))
    if summary.get("finish_reason") == "shutdown":  # Ctrl-C or SIGTERM: Scrapy stopped gracefully
        print("lawgov crawl: stopped before the end; what was stored is committed, the same command "
              "resumes", file=sys.stderr)
        return 130
    return 0 if summary["errors"] == 0 else 1


def _setting(value: str) -> tuple[str, str]:
    name, eq, val = value.partition("=")
    if not eq or not name.strip():
        raise BadInput(f"--set {value!r}: expected NAME=VALUE")
    return name.strip(), val


def _cmd_extract(args) -> int:
    from pipelines.process import process_page

    path = Path(args.page)
    try:
        body = path.read_bytes()
    except OSError as e:
        raise BadInput(f"{path}: cannot read page ({e.strerror})") from None
    if not body.strip():
        raise BadInput(f"{path}: empty file, not an HTML page")
    from crawler.middlewares import binary_reason  # the crawl's own test: file signatures (PDF …), control bytes

    if binary_reason(body):
        raise BadInput(f"{path}: binary file, not an HTML page")
    url = args.url or path.resolve().as_uri()
    record = process_page([{"url": url, "body": body, "content_type": args.content_type}])
    out = {k: record.get(k) for k in (
        "title", "text", "published", "written", "issuer", "year", "is_report", "class_reason",
        "index_no", "doc_no", "source", "site_name", "column", "keywords", "issuer_kind", "level",
        "region_code", "province", "city", "county", "published_late", "sections")}
    out["encoding"] = record["pages"][0].get("encoding")
    out["url"] = url
    json.dump(out, sys.stdout, ensure_ascii=False, indent=None if args.compact else 2)
    print()
    return 0


def _cmd_stats(args) -> int:
    from archive.db import open_archive
    from archive.queries import archive_stats

    if not Path(args.db).exists():
        raise BadInput(f"{args.db}: no such archive")
    db = open_archive(args.db, create=False, readonly=True)
    stats = archive_stats(db)
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return 0
    print(f"archive {args.db}")
    for key in ("documents", "sources", "pages", "pages_rejected", "crawls"):
        print(f"  {key:<15} {stats[key]:>8}")
    print(f"  {'raw bytes':<15} {stats['raw_bytes']:>8}  (stored compressed: {stats['stored_bytes']})")
    if stats["by_year"]:
        print("reports by year covered: " + ", ".join(f"{r['year']}: {r['documents']}" for r in stats["by_year"]))
    if stats["rejected_reasons"]:
        print("rejected pages by reason: " + ", ".join(
            f"{r['class_reason']}: {r['pages']}" for r in stats["rejected_reasons"]))
    if stats["last_crawls"]:
        print(f"last {len(stats['last_crawls'])} crawls:")
        print(format_crawl_runs(stats["last_crawls"]))
    return 0


# Columns of the `lawgov stats` crawl table: (header, crawls column).
CRAWL_TABLE = (
    ("#", "id"), ("started", "started_at"), ("finished", "finished_at"), ("status", "status"),
    ("pages", "pages_fetched"), ("304", "not_modified"), ("skipped", "skipped_known"),
    ("new", "reports_archived"), ("revised", "revisions_new"), ("merged", "duplicates_merged"),
    ("gone", "gone"), ("errors", "errors"), ("s", "elapsed_s"),
)


def format_crawl_runs(runs: list[dict]) -> str:
    """The last crawl runs as an aligned table, newest first; errors by kind under each run."""
    def cell(run, key):
        v = run.get(key)
        if key in ("started_at", "finished_at"):
            return (v or "-").replace("T", " ").rstrip("Z")
        return "-" if v is None else str(v)

    rows = [[h for h, _ in CRAWL_TABLE]] + [[cell(r, k) for _, k in CRAWL_TABLE] for r in runs]
    widths = [max(len(row[i]) for row in rows) for i in range(len(CRAWL_TABLE))]
    lines = []
    for i, row in enumerate(rows):
        lines.append("  " + "  ".join(c.ljust(w) if j in (1, 2, 3) else c.rjust(w)
                                      for j, (c, w) in enumerate(zip(row, widths))))
        kinds = runs[i - 1].get("errors_by_kind") if i else None
        if kinds:
            lines.append("      errors: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    return "\n".join(lines)


def _cmd_demo(args) -> int:
    from lawgov.demo import run_demo

    return run_demo(args.db, keep=args.keep)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lawgov",
        description="Archive China's annual reports on building a law-based government "
                    "(法治政府建设年度报告) from government portals into SQLite.",
        epilog="Run `lawgov COMMAND --help` for each command's options.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "crawl", help="crawl the portals of a registry into an archive",
        description="Crawl every portal listed in a registry YAML file and archive the reports found "
                    "(created if missing). Politeness is on by default: robots.txt, 2 requests per "
                    "site, AutoThrottle. Exit code 0: clean run; 1: finished with fetch errors; "
                    "2: bad input.",
        epilog="example: lawgov crawl --portals portals.yaml --db data/archive.db --contact you@example.org",
    )
    p.add_argument("--portals", metavar="FILE", help="portal registry (YAML; required without --redis)")
    p.add_argument("--db", metavar="PATH", help="archive SQLite file (required without --redis)")
    p.add_argument("--proxy", metavar="URL", help="send every request through this HTTP proxy "
                   "(the sample web is reached this way: see `python -m sampleweb serve`)")
    p.add_argument("--contact", metavar="EMAIL_OR_URL", default=os.environ.get("LAWGOV_CONTACT"),
                   help="operator contact added to the User-Agent (default: $LAWGOV_CONTACT)")
    p.add_argument("--fast", action="store_true",
                   help="no throttling, 8 requests per site: only for servers you run yourself")
    p.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                   help="Scrapy log level (default: WARNING; progress lines are printed regardless)")
    p.add_argument("--recheck-days", type=float, metavar="DAYS",
                   help="archived articles are downloaded again only when a list shows a later date, or "
                        "with a conditional request (a 304 when unchanged) about every DAYS days, "
                        "spread over time (default: 30; 0: recheck every archived article now)")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a Scrapy or lawgov setting for this crawl, as Scrapy's own -s (repeatable; "
                        "e.g. -s LAWGOV_PROCESS_IN_WRITER=0 -s LAWGOV_PROCESS_WORKERS=1 for a processing worker beside the "
                        "writer, -s LAWGOV_WRITE_GROUP=1; crawler/settings.py lists them)")
    from lawgov.distributed import add_worker_arguments

    add_worker_arguments(p)
    p.set_defaults(func=_cmd_crawl)

    p = sub.add_parser(
        "extract", help="extract one saved page and print it as JSON",
        description="Read one saved HTML page (any encoding: it decides itself) and print one JSON "
                    "object: title, text, published, written, issuer, year, is_report and the other "
                    "metadata lawgov archives.",
        epilog="example: lawgov extract page.html --url http://www.example.gov.cn/t20240304_1.html",
    )
    p.add_argument("page", metavar="PAGE.html", help="a saved page (bytes as served)")
    p.add_argument("--url", help="the page's URL (used for relative links and provenance)")
    p.add_argument("--content-type", help="the Content-Type header it was served with, if known")
    p.add_argument("--compact", action="store_true", help="one line of JSON")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser("stats", help="print what an archive holds",
                       description="Counts of documents, sources and pages, reports per year, "
                                   "rejections by reason, and the last crawl runs.")
    p.add_argument("--db", required=True, metavar="PATH", help="archive SQLite file")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=_cmd_stats)

    p = sub.add_parser(
        "demo", help="serve the sample web on loopback, crawl it, print a summary",
        description="Start the shipped sample web on 127.0.0.1, crawl all its portals into the "
                    "archive (fresh each time), and print the crawl summary and the archive's stats. "
                    "This is what `make demo` runs.",
    )
    p.add_argument("--db", default="data/archive.db", metavar="PATH", help="archive to build "
                   "(default: data/archive.db; replaced)")
    p.add_argument("--keep", action="store_true", help="keep an existing archive (incremental re-run)")
    p.set_defaults(func=_cmd_demo)

    from lawgov.serve import add_serve_parser

    add_serve_parser(sub)

    from lawgov.export_cmd import add_export_parser

    add_export_parser(sub)

    from lawgov.distributed import add_distributed_parsers

    add_distributed_parsers(sub)

    from lawgov.reprocess import add_reprocess_parser

    add_reprocess_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from archive.db import ArchiveError
    from crawler.portals import PortalFileError

    from lawgov.distributed import DistributedError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (BadInput, PortalFileError, ArchiveError, DistributedError) as e:
        print(f"lawgov {args.command}: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # `lawgov extract … | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"lawgov {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
