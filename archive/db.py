"""Opening an archive: create it if missing, refuse files that are not ours."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

from archive.fts import FTS_TABLE, apply_options, ensure_fts, has_fts
from archive.schema import SCHEMA_VERSION, TABLES


class ArchiveError(Exception):
    """The archive file cannot be used (not SQLite, written by a newer lawgov, unreadable)."""


def _check_header(path: Path) -> None:
    # A SQLite file starts with this 16-byte magic; anything else is someone else's file.
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as f:
            magic = f.read(16)
    except OSError as e:
        raise ArchiveError(f"{path}: cannot read archive ({e.strerror})") from None
    if magic != b"SQLite format 3\x00":
        raise ArchiveError(f"{path}: not a SQLite archive (file header is not SQLite's)")


def open_archive(path: str | os.PathLike, *, create: bool = True, readonly: bool = False) -> sqlite_utils.Database:
    """Open (and, unless ``create`` is False, create or migrate) the archive at ``path``."""
    path = Path(path)
    _check_header(path)
    if not path.exists():
        if not create:
            raise ArchiveError(f"{path}: no such archive")
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        else:
            conn = sqlite3.connect(str(path))
        db = sqlite_utils.Database(conn)
        version = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise ArchiveError(f"{path}: not a usable SQLite archive ({e})") from None
    if version > SCHEMA_VERSION:
        raise ArchiveError(
            f"{path}: archive schema version {version} is newer than this lawgov supports "
            f"({SCHEMA_VERSION}); upgrade lawgov"
        )
    if readonly:
        return db
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=10000")
    if version < SCHEMA_VERSION or not schema_current(db):
        ensure_schema(db)
    elif has_fts(db):  # a current schema can still carry an earlier default FTS5 option (one SELECT)
        with db.conn:
            apply_options(db.conn)
    return db


def _columns(db: sqlite_utils.Database, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info([{table}])")]


def _tail_in_place(columns: list[str], tail: list[str]) -> bool:
    present = [c for c in tail if c in columns]
    return columns[len(columns) - len(present):] == present


def schema_current(db: sqlite_utils.Database) -> bool:
    """True when every declared table and column exists and the tail columns are last.

    Cheap (one PRAGMA per table): an archive made earlier at the same user_version can still lack
    tables or columns declared since, and is then migrated on open.
    """
    for name, spec in TABLES.items():
        columns = _columns(db, name)
        if not columns or not set(spec["columns"]) <= set(columns):
            return False
        if not _tail_in_place(columns, spec.get("tail", [])):
            return False
    return True


def _move_tail_last(db: sqlite_utils.Database, name: str, tail: list[str]) -> None:
    """Rebuild the table with its tail columns (the big text) after every other column.

    sqlite-utils' transform copies the rows into a new table and renames it; ids are kept, so the
    external-content FTS index stays valid, but the old table's triggers go with it (recreated by
    ensure_fts). Foreign keys pointing at the table name survive the rename.
    """
    columns = _columns(db, name)
    if _tail_in_place(columns, tail):
        return
    order = [c for c in columns if c not in tail] + [c for c in tail if c in columns]
    db[name].transform(column_order=order)


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create missing tables, columns and indexes; set the schema version."""
    with db.conn:
        for name, spec in TABLES.items():
            table = db[name]
            if not table.exists():
                table.create(
                    spec["columns"],
                    pk=spec["pk"],
                    not_null=spec.get("not_null") or None,
                    foreign_keys=spec.get("foreign_keys") or None,
                )
            else:
                existing = set(table.columns_dict)
                for col, typ in spec["columns"].items():
                    if col not in existing:
                        table.add_column(col, typ)
                _move_tail_last(db, name, spec.get("tail", []))
            for cols in spec.get("unique", []):
                table.create_index(cols, unique=True, if_not_exists=True)
            for cols in spec.get("indexes", []):
                table.create_index(cols, if_not_exists=True)
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    # the trigram full-text index and its triggers, so every write keeps it in step from the start;
    # built from the rows when an older archive had none (its update triggers need indexed rows)
    ensure_fts(db, rebuild=not db[FTS_TABLE].exists())
