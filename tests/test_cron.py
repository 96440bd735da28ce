"""The scheduled-crawl wrapper: lock, log per run, exit codes."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SAMPLE_PORTALS

WRAPPER = ROOT / "cron" / "lawgov-cron.sh"


def run_wrapper(tmp_path, **env):
    home = tmp_path / "home"
    (home / ".venv" / "bin").mkdir(parents=True, exist_ok=True)
    link = home / ".venv" / "bin" / "lawgov"
    if not link.exists():
        link.symlink_to(Path(sys.executable).parent / "lawgov")  # the real installed command
    full = dict(os.environ, LAWGOV_HOME=str(home), LAWGOV_DB=str(tmp_path / "a.db"),
                LAWGOV_LOGDIR=str(tmp_path / "logs"), **env)
    return subprocess.run(["bash", str(WRAPPER)], env=full, capture_output=True, text=True, timeout=300)


def test_successful_run_writes_a_log(tmp_path, proxy):
    proc = run_wrapper(tmp_path, LAWGOV_PORTALS=str(SAMPLE_PORTALS),
                       LAWGOV_CRAWL_ARGS=f"--proxy {proxy} --fast")
    assert proc.returncode == 0, proc.stderr
    logs = list((tmp_path / "logs").glob("crawl-*.log"))
    assert len(logs) == 1
    text = logs[0].read_text()
    assert "crawl summary" in text and "exit=0" in text


def test_second_start_exits_at_once_while_locked(tmp_path):
    (tmp_path / "logs").mkdir()
    with open(tmp_path / "logs" / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = run_wrapper(tmp_path, LAWGOV_PORTALS=str(SAMPLE_PORTALS))
    assert proc.returncode == 75
    assert "another crawl is running" in proc.stderr
    assert not list((tmp_path / "logs").glob("crawl-*.log"))


def test_bad_portals_is_a_failure(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: x\n")
    proc = run_wrapper(tmp_path, LAWGOV_PORTALS=str(bad))
    assert proc.returncode == 2
    assert "failed (exit 2)" in proc.stderr
    log = next((tmp_path / "logs").glob("crawl-*.log")).read_text()
    assert "entry 1 (x): start_urls" in log


def test_recheck_days_reaches_the_crawl(tmp_path):
    proc = run_wrapper(tmp_path, LAWGOV_PORTALS=str(SAMPLE_PORTALS), LAWGOV_RECHECK_DAYS="-1")
    assert proc.returncode == 2
    log = next((tmp_path / "logs").glob("crawl-*.log")).read_text()
    assert "lawgov crawl: error: --recheck-days -1: must be 0 or more" in log
    assert not (tmp_path / "a.db").exists()

