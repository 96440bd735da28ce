"""Export an archive to files other tools read: JSON Lines, CSV, Parquet, plain text, WARC.

``export(db_path, fmt, out, year=..., province=..., level=...)`` returns the number of records
written (documents; for ``warc`` the number of ``response`` records, the leading ``warcinfo`` not
counted). The archive is opened read-only and read with cursors in batches, so memory stays flat
however big the archive is.

Formats
-------
jsonl    one JSON object per line and document: every ``documents`` column, plus ``sources``
         (list of {url, portal, fetched_at}). UTF-8, non-ASCII written as is.
csv      one row per document: every ``documents`` column plus ``source_urls`` (space-separated).
         Encoded ``utf-8-sig`` (UTF-8 with a BOM) so Excel, as used in China, opens it as UTF-8
         instead of guessing GBK; Python reads it back with ``encoding="utf-8-sig"``.
parquet  one row per document (every ``documents`` column plus ``sources`` as a list of structs),
         written in row groups of 500 with ``pyarrow.parquet.ParquetWriter``.
txt      a folder: ``OUT/<province or 未知>/<year or unknown>/<id>_<title>.txt`` holding exactly the
         document's text (UTF-8), plus ``OUT/manifest.csv`` (utf-8-sig: id, path, title, issuer, year,
         province, published, canonical_url; ``path`` relative to OUT, "/"-separated). Every path
         part comes from archive fields only (never a URL) and is sanitized: no "/" or "\\", no
         "..", no control or Windows-reserved characters, bounded length, and checked to stay
         inside OUT. OUT must not exist yet or be an empty folder.
warc     ``.warc.gz`` (gzip per record, WARC/1.1): one ``warcinfo`` record, then one ``response``
         record per stored raw page (``pages`` table, decompressed): WARC-Target-URI is the page
         URL, WARC-Date its fetched_at, the HTTP block is a reconstructed ``HTTP/1.1 <status>``
         line with Content-Type (and Content-Length) headers, the payload the raw bytes as fetched.
         Without filters every stored page is written, rejected look-alikes included (it is the
         raw crawl). With any filter only report pages (parts included) of the matching documents
         are written.

Filters (``year``, ``province``, ``level``) select documents, exact match, combined with AND.

Atomic-ish: single-file formats are written to ``OUT.part`` and renamed to OUT at the end; the txt
folder is built in ``OUT.part/`` and renamed. A crash or an error leaves no half file under OUT
(the ``.part`` is removed on errors raised in Python).

``progress(n)`` is called with the running count every 500 records and once at the end.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import unicodedata
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import Callable, Iterator

from archive.db import open_archive
from archive.pagebody import page_body

FORMATS = ("jsonl", "csv", "parquet", "txt", "warc")
BATCH = 500  # rows per fetchmany / parquet row group / progress tick
PAGE_BATCH = 20  # raw pages are bigger: fetch fewer at a time
MAX_NAME_BYTES = 150  # file name budget (most filesystems allow 255 bytes)
UNKNOWN_PROVINCE = "未知"
UNKNOWN_YEAR = "unknown"
MANIFEST_FIELDS = ("id", "path", "title", "issuer", "year", "province", "published", "canonical_url")


class ExportError(ValueError):
    """Bad export request the user can fix (unknown format, output folder missing, ...)."""


# -- helpers ------------------------------------------------------------------------------------
def _check_out(db_path: str | os.PathLike, out: str | os.PathLike, fmt: str) -> Path:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    out = Path(out)
    if not str(out) or out.name in ("", ".", ".."):
        raise ExportError(f"{out}: not a usable output name")
    parent = out.parent
    if not parent.is_dir():
        raise ExportError(f"{out}: output folder {parent} does not exist")
    if out.exists():
        if fmt == "txt":
            if not out.is_dir() or any(out.iterdir()):
                raise ExportError(f"{out}: exists and is not an empty folder")
        else:
            if out.is_dir():
                raise ExportError(f"{out}: is a folder, expected a file name")
            try:
                if os.path.samefile(out, db_path):
                    raise ExportError(f"{out}: is the archive itself")
            except OSError:
                pass
    return out


def _where(year, province, level) -> tuple[str, list]:
    clauses, params = [], []
    for col, val in (("year", year), ("province", province), ("level", level)):
        if val is not None:
            clauses.append(f"d.{col} = ?")
            params.append(val)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _doc_columns(conn) -> list[tuple[str, str]]:
    return [(r[1], (r[2] or "").upper()) for r in conn.execute("PRAGMA table_info(documents)")]


def _iter_documents(conn, year, province, level) -> Iterator[dict]:
    """Yield documents (dicts, column order) with their ``sources``, in id order, batch by batch."""
    cols = [c for c, _ in _doc_columns(conn)]
    where, params = _where(year, province, level)
    cur = conn.cursor()
    cur.execute(f"SELECT {', '.join('d.' + _q(c) for c in cols)} FROM documents d{where} ORDER BY d.id",
                params)
    src_cur = conn.cursor()
    while True:
        rows = cur.fetchmany(BATCH)
        if not rows:
            break
        for row in rows:
            doc = dict(zip(cols, row))
            src_cur.execute(
                "SELECT url, portal, fetched_at FROM sources WHERE document_id = ? ORDER BY id",
                [doc["id"]],
            )
            doc["sources"] = [{"url": u, "portal": p, "fetched_at": f} for u, p, f in src_cur.fetchall()]
            yield doc


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Ticker:
    def __init__(self, progress: Callable[[int], None] | None):
        self.progress = progress
        self.n = 0

    def tick(self) -> None:
        self.n += 1
        if self.progress and self.n % BATCH == 0:
            self.progress(self.n)

    def done(self) -> int:
        if self.progress and self.n % BATCH:
            self.progress(self.n)
        return self.n


def _part(out: Path) -> Path:
    return out.with_name(out.name + ".part")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


# -- formats ------------------------------------------------------------------------------------
def _write_jsonl(conn, part: Path, filters, ticker: _Ticker) -> None:
    with part.open("w", encoding="utf-8", newline="\n") as f:
        for doc in _iter_documents(conn, *filters):
            f.write(json.dumps(doc, ensure_ascii=False))
            f.write("\n")
            ticker.tick()


def _write_csv(conn, part: Path, filters, ticker: _Ticker) -> None:
    cols = [c for c, _ in _doc_columns(conn)]
    with part.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols + ["source_urls"])
        for doc in _iter_documents(conn, *filters):
            w.writerow([("" if doc[c] is None else doc[c]) for c in cols]
                       + [" ".join(s["url"] for s in doc["sources"])])
            ticker.tick()


def _arrow_type(pa, decl: str):
    if "INT" in decl:
        return pa.int64()
    if any(k in decl for k in ("REAL", "FLOA", "DOUB")):
        return pa.float64()
    if "BLOB" in decl:
        return pa.binary()
    return pa.string()


def _write_parquet(conn, part: Path, filters, ticker: _Ticker) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    source_type = pa.list_(pa.struct([("url", pa.string()), ("portal", pa.string()),
                                      ("fetched_at", pa.string())]))
    cols = _doc_columns(conn)
    schema = pa.schema([(c, _arrow_type(pa, t)) for c, t in cols] + [("sources", source_type)])
    names = schema.names

    def flush(writer, batch):
        table = pa.Table.from_pydict({n: [d[n] for d in batch] for n in names}, schema=schema)
        writer.write_table(table)

    with pq.ParquetWriter(str(part), schema, compression="zstd") as writer:
        batch: list[dict] = []
        for doc in _iter_documents(conn, *filters):
            batch.append(doc)
            ticker.tick()
            if len(batch) >= BATCH:
                flush(writer, batch)
                batch = []
        if batch or ticker.n == 0:
            flush(writer, batch)  # an empty export still gets a valid file with the schema


_BAD_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


def safe_component(value, fallback: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """One path component built from an archive field, safe on any filesystem.

    Removes path separators, control/format characters and characters Windows forbids, collapses
    runs of dots (no ".."), trims dots and spaces at the ends, bounds the UTF-8 length.
    """
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")  # Cc, Cf, Co, Cs, Cn
    text = _BAD_CHARS.sub("_", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\.{2,}", ".", text)
    text = text.strip(" .")
    encoded = text.encode("utf-8")
    if len(encoded) > max_bytes:
        text = encoded[:max_bytes].decode("utf-8", "ignore").rstrip(" .")
    if not text.strip("_ "):  # nothing meaningful left ("/", "..", control characters only)
        text = fallback
    elif _RESERVED.match(text):
        text = "_" + text
    return text


def _txt_relpath(doc: dict) -> str:
    province = safe_component(doc.get("province"), UNKNOWN_PROVINCE, 60)
    year = doc.get("year")
    year_dir = str(year) if isinstance(year, int) and 0 < year < 10000 else UNKNOWN_YEAR
    name = safe_component(doc.get("title"), "untitled")
    return f"{province}/{year_dir}/{int(doc['id'])}_{name}.txt"


def _write_txt(conn, part: Path, filters, ticker: _Ticker) -> None:
    part.mkdir()
    root = part.resolve()
    with (part / "manifest.csv").open("w", encoding="utf-8-sig", newline="") as mf:
        w = csv.writer(mf)
        w.writerow(MANIFEST_FIELDS)
        for doc in _iter_documents(conn, *filters):
            rel = _txt_relpath(doc)
            path = (root / rel).resolve()
            if root not in path.parents:  # belt and braces: sanitizing should make this impossible
                raise ExportError(f"document {doc['id']}: unsafe output path {rel!r}")
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as f:
                f.write(doc["text"] or "")
            w.writerow(["" if v is None else v for v in (
                doc["id"], rel, doc.get("title"), doc.get("issuer"), doc.get("year"),
                doc.get("province"), doc.get("published"), doc.get("canonical_url"))])
            ticker.tick()


def _warc_date(value) -> str:
    """fetched_at as WARC-Date (ISO 8601 UTC, 'Z'); the current time if missing or unreadable."""
    if value:
        s = str(value).strip()
        try:
            dt = datetime.fromisoformat(s.replace("Z", "+00:00").replace(" ", "T", 1))
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=timezone.utc)
            return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            pass
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _status_line(status) -> str:
    try:
        code = int(status)
    except (TypeError, ValueError):
        code = 200  # status not recorded: the crawler only stores pages it fetched successfully
    try:
        reason = HTTPStatus(code).phrase
    except ValueError:
        reason = "Unknown"
    return f"{code} {reason}"


def _write_warc(conn, part: Path, filters, ticker: _Ticker, db_path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    year, province, level = filters
    if any(v is not None for v in filters):
        where, params = _where(year, province, level)
        sql = ("SELECT p.url, p.status, p.content_type, p.fetched_at, p.body FROM pages p "
               "JOIN documents d ON d.id = p.document_id" + where + " AND p.is_report = 1 ORDER BY p.id")
    else:
        sql, params = ("SELECT p.url, p.status, p.content_type, p.fetched_at, p.body FROM pages p "
                       "ORDER BY p.id"), []
    with part.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        info = {
            "software": "lawgov export",
            "format": "WARC File Format 1.1",
            "description": "Raw pages of an archive of 法治政府建设年度报告 (lawgov)",
            "source-archive": os.path.basename(str(db_path)),
        }
        if any(v is not None for v in filters):
            info["filters"] = json.dumps({"year": year, "province": province, "level": level},
                                         ensure_ascii=False)
        writer.write_record(writer.create_warcinfo_record(os.path.basename(str(_final_name(part))),
                                                          info))
        cur = conn.cursor()
        cur.execute(sql, params)
        while True:
            rows = cur.fetchmany(PAGE_BATCH)
            if not rows:
                break
            for url, status, content_type, fetched_at, body in rows:
                payload = page_body(body) if body is not None else b""
                http_headers = StatusAndHeaders(
                    _status_line(status),
                    [("Content-Type", content_type or "application/octet-stream"),
                     ("Content-Length", str(len(payload)))],
                    protocol="HTTP/1.1",
                )
                record = writer.create_warc_record(
                    url, "response", payload=io.BytesIO(payload), length=len(payload),
                    http_headers=http_headers,
                    warc_headers_dict={"WARC-Date": _warc_date(fetched_at)},
                )
                writer.write_record(record)
                ticker.tick()


def _final_name(part: Path) -> Path:
    return part.with_name(part.name[: -len(".part")])


# -- entry point --------------------------------------------------------------------------------
def export(db_path, fmt: str, out, *, year: int | None = None, province: str | None = None,
           level: str | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Write the (filtered) archive at ``db_path`` to ``out`` in ``fmt``; return records written.

    Raises ArchiveError for a missing or unusable archive and ExportError for a bad request.
    """
    out = _check_out(db_path, out, fmt)
    db = open_archive(db_path, create=False, readonly=True)
    conn = db.conn
    part = _part(out)
    ticker = _Ticker(progress)
    filters = (year, province, level)
    try:
        _remove(part)  # a stale .part from an earlier crash
        if fmt == "jsonl":
            _write_jsonl(conn, part, filters, ticker)
        elif fmt == "csv":
            _write_csv(conn, part, filters, ticker)
        elif fmt == "parquet":
            _write_parquet(conn, part, filters, ticker)
        elif fmt == "txt":
            _write_txt(conn, part, filters, ticker)
        else:
            _write_warc(conn, part, filters, ticker, db_path)
        if fmt == "txt" and out.is_dir():
            out.rmdir()  # checked empty up front
        os.replace(part, out)
    except BaseException:
        _remove(part)
        raise
    finally:
        conn.close()
    return ticker.done()
