"""Bad input to every command: one line on stderr naming the input, exit code 2, no traceback, and
nothing written. The whole matrix runs lawgov.cli.main in this process (an uncaught exception fails
the test); one case also runs the real `lawgov` command in a child process."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from archive.db import open_archive
from archive.schema import SCHEMA_VERSION
from lawgov.cli import main
from tests.conftest import ROOT, SAMPLE_PORTALS, run_lawgov

BAD_PORTALS = ROOT / "tests" / "data" / "bad_portals"
REDIS = "redis://127.0.0.1:9/0"  # never reached: the bad file is found first


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "a_directory").mkdir()
    (d / "not_sqlite.db").write_bytes(b"this is no database\n" * 50)
    newer = d / "newer.db"
    with sqlite3.connect(newer) as conn:
        conn.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY)")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    (d / "page.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")
    (d / "random.bin").write_bytes(bytes(range(256)) * 8)
    (d / "empty.html").write_bytes(b"")
    (d / "page_dir.html").mkdir()
    return d


PORTAL_FILES = {
    "missing": "no/such/portals.yaml",
    "yaml syntax": str(BAD_PORTALS / "not_yaml.yaml"),
    "unknown field": str(BAD_PORTALS / "unknown_key.yaml"),
    "wrong value": str(BAD_PORTALS / "bad_level.yaml"),
}
ARCHIVES = {"directory": "a_directory", "not sqlite": "not_sqlite.db", "newer schema": "newer.db"}
PAGES = {"pdf": "page.pdf", "binary": "random.bin", "empty": "empty.html", "directory": "page_dir.html"}


def portal_commands(portals: str, tmp: Path) -> dict[str, list[str]]:
    return {
        "crawl": ["crawl", "--portals", portals, "--db", str(tmp / "new.db")],
        "enqueue": ["enqueue", "--portals", portals, "--redis", REDIS],
        "reprocess": ["reprocess", "--db", str(tmp / "new.db"), "--portals", portals],
    }


def archive_commands(db: str, tmp: Path) -> dict[str, list[str]]:
    return {
        "crawl": ["crawl", "--portals", str(SAMPLE_PORTALS), "--db", db],
        "stats": ["stats", "--db", db],
        "export": ["export", "--db", db, "--format", "jsonl", "--out", str(tmp / "out.jsonl")],
        "serve": ["serve", "--db", db, "--port", "1"],
        "reprocess": ["reprocess", "--db", db],
        "ingest": ["ingest", "--db", db, "--redis", REDIS],
    }


def assert_one_line(code, err, name):
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert name in lines[0], lines[0]


def run_main(capsys, argv):
    code = main(argv)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("kind", PORTAL_FILES)
@pytest.mark.parametrize("command", ["crawl", "enqueue", "reprocess"])
def test_bad_portals_file(inputs, tmp_path, capsys, kind, command):
    portals = PORTAL_FILES[kind]
    if command == "reprocess":  # reprocess needs an archive to re-process
        open_archive(tmp_path / "new.db").conn.close()
    code, err = run_main(capsys, portal_commands(portals, tmp_path)[command])
    assert_one_line(code, err, Path(portals).name)
    if command == "crawl":
        assert not (tmp_path / "new.db").exists()  # checked before anything is created or fetched


@pytest.mark.parametrize("kind", ARCHIVES)
@pytest.mark.parametrize("command", ["crawl", "stats", "export", "serve", "reprocess", "ingest"])
def test_bad_archive(inputs, tmp_path, capsys, kind, command):
    db = inputs / ARCHIVES[kind]
    before = sorted(p.name for p in inputs.iterdir())
    code, err = run_main(capsys, archive_commands(str(db), tmp_path)[command])
    assert_one_line(code, err, str(db))
    assert sorted(p.name for p in inputs.iterdir()) == before  # no -wal/-shm/journal left beside it
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
@pytest.mark.parametrize("command", ["crawl", "stats", "export", "reprocess"])
def test_unreadable_archive(tmp_path, capsys, command):
    db = tmp_path / "locked.db"
    sqlite3.connect(db).close()
    db.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    db.chmod(0)
    try:
        code, err = run_main(capsys, archive_commands(str(db), tmp_path)[command])
    finally:
        db.chmod(0o644)
    assert_one_line(code, err, str(db))


@pytest.mark.parametrize("kind", PAGES)
def test_page_that_is_not_html(inputs, capsys, kind):
    page = inputs / PAGES[kind]
    code, err = run_main(capsys, ["extract", str(page)])
    assert_one_line(code, err, str(page))
    assert capsys.readouterr().out == ""


def test_real_command(tmp_path):
    """One child process (each costs ~1-3 s of imports): the exit code and stderr of the real command."""
    proc = run_lawgov("crawl", "--portals", BAD_PORTALS / "not_yaml.yaml", "--db", tmp_path / "new.db", timeout=60)
    assert_one_line(proc.returncode, proc.stderr, "not_yaml.yaml")
    assert proc.stdout == "" and not (tmp_path / "new.db").exists()


def test_real_command_error_raised_in_a_subcommand_module(tmp_path):
    """Under `python -m lawgov.cli` the cli module is __main__: an error raised by another module
    (export_cmd) must still be the class main() catches, not a traceback with exit 1."""
    from archive.db import open_archive

    db = tmp_path / "a.db"
    open_archive(db).conn.close()
    out = tmp_path / "no-such-folder" / "out.jsonl"
    proc = run_lawgov("export", "--db", db, "--format", "jsonl", "--out", out, timeout=60)
    assert_one_line(proc.returncode, proc.stderr, "no-such-folder")
    assert not out.parent.exists()


def test_setting_without_a_value(tmp_path, capsys):
    assert main(["crawl", "--portals", str(SAMPLE_PORTALS), "--db", str(tmp_path / "a.db"), "-s", "LAWGOV_WRITE_GROUP"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("--set 'LAWGOV_WRITE_GROUP': expected NAME=VALUE") and "\n" not in err
    assert not (tmp_path / "a.db").exists()
