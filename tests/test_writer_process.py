"""The archive writer in a process of its own (LAWGOV_WRITER_PROCESS, archive.writer_thread.serve_process).

Same contract as the writer thread: calls run in submission order, queued stores share a commit,
a failing record rolls back alone and its caller gets the exception; if the process dies, every
call waiting on it fails (never hangs) and so does every later one.
"""

import os
import platform
import signal
import sqlite3
import subprocess
import sys

import pytest
from twisted.python.failure import Failure

from archive.db import ArchiveError
from archive.writer import NEW_REPORT
from archive.writer_thread import WriterThread
from tests.test_archive import record
from tests.test_record_groups import broken, counts


def outcomes(results):
    return [r.value if isinstance(r, Failure) else r for r in results]


def test_the_writer_process_stores_in_order_and_hands_back_a_failing_records_exception(tmp_path):
    path = str(tmp_path / "a.db")
    wt = WriterThread(path, maxsize=64, process=True)
    recs = [record(f"http://a.test/{i}.html", f"第{i}号报告的正文，各不相同。") for i in range(6)]
    recs.insert(3, broken("http://a.test/bad.html"))
    results = []
    for rec in recs:  # queued before the process starts: it finds them all waiting (one group)
        wt.submit("store", rec).addBoth(results.append)
    wt.submit("record_fetch_error", None, "http://a.test/x.html", "p1", "http_500").addBoth(results.append)
    wt.acquire()
    assert wt.pid and wt.pid != os.getpid()
    crawl_id = wt.call("start_crawl", "portals.yaml", 1)  # a blocking call, after the queued ones
    wt.release()
    got = outcomes(results)
    assert got[:3] == [NEW_REPORT] * 3 and got[4:7] == [NEW_REPORT] * 3
    assert isinstance(got[3], KeyError)  # the record's own exception, not a stand-in
    assert any("archive writer process" in note for note in got[3].__notes__)
    assert got[7] is None  # record_fetch_error's result
    c = counts(path)
    assert (c["documents"], c["pages"]) == (6, 6)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM fetch_errors").fetchone()[0] == 1
        assert conn.execute("SELECT id FROM crawls").fetchall() == [(crawl_id,)]
    assert wt.cpu_s["store"] > 0  # the process's CPU per method comes back with its answers


def test_a_writer_process_that_cannot_open_the_archive_fails_acquire_with_the_same_error(tmp_path):
    bad = tmp_path / "not-an-archive.db"
    bad.write_bytes(b"this is a text file, not SQLite" * 10)
    errors = []
    for process in (False, True):
        with pytest.raises(ArchiveError) as e:
            WriterThread(str(bad), process=process).acquire()
        errors.append(str(e.value))
    assert errors[0] == errors[1] and str(bad) in errors[0]


def test_when_the_writer_process_dies_waiting_and_later_calls_fail_instead_of_hanging(tmp_path):
    path = str(tmp_path / "a.db")
    wt = WriterThread(path, process=True).acquire()
    assert wt.call("store", record("http://a.test/1.html", "第一份报告的正文。")) == NEW_REPORT
    os.kill(wt.pid, signal.SIGKILL)
    results = []
    for i in range(3):
        wt.submit("store", record(f"http://a.test/{i + 2}.html", f"第{i + 2}份报告。")).addBoth(results.append)
    with pytest.raises(RuntimeError, match="archive writer process died"):
        wt.call("store", record("http://a.test/9.html", "又一份报告。"))
    wt.release()  # returns: nothing left waiting on the dead process
    assert len(results) == 3 and all(isinstance(r, Failure) for r in results)
    assert all("archive writer process died" in str(r.value) for r in results)
    assert counts(path)["documents"] == 1  # what it had committed stays



@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_the_writer_process_pins_glibcs_mmap_threshold():
    # in a child, so this pytest process keeps its malloc settings. What the pin is for (the writer's
    # heap stops growing with the records stored) is a memory figure: `make bench` prints it
    code = "from archive.writer_thread import pin_mmap_threshold as p; print(p())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True"]


def test_the_writer_process_imports_its_preload_modules_before_it_is_ready(tmp_path):
    """LAWGOV_PROCESS_IN_WRITER: the processing rules load before the crawl's first request; a module
    that cannot be imported fails acquire() with its own error, like an archive that cannot be opened."""
    wt = WriterThread(str(tmp_path / "a.db"), process=True, preload=("pipelines.process",)).acquire()
    wt.release()
    with pytest.raises(ModuleNotFoundError, match="no_such_rules"):
        WriterThread(str(tmp_path / "b.db"), process=True, preload=("pipelines.no_such_rules",)).acquire()


FORKSERVER_CHILD = """
import multiprocessing, sys
from archive import forkserver

def loaded(queue):  # in the child, before it imports anything: what the fork server had imported
    queue.put([m in sys.modules for m in forkserver.PRELOAD])

if __name__ == "__main__":
    if sys.argv[1] == "start":
        forkserver.start()
    ctx = multiprocessing.get_context("forkserver")
    queue = ctx.Queue()
    child = ctx.Process(target=loaded, args=(queue,))
    child.start()
    print(queue.get())
    child.join()
"""


@pytest.mark.parametrize("start,expected", [("start", "[True, True]"), ("bare", "[False, False]")])
def test_the_writer_process_forks_with_its_modules_loaded(tmp_path, start, expected):
    """archive.forkserver.start() (a crawl's first step): the fork server imports the writer's modules,
    so the writer process is ready without importing them after the spider opened; without it, a
    child of the fork server starts with none of them."""
    script = tmp_path / "child.py"
    script.write_text(FORKSERVER_CHILD, encoding="utf-8")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, str(script), start], capture_output=True, text=True, cwd=root,
                         env=dict(os.environ, PYTHONPATH=root), timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[0] == expected


BROKEN_PRELOAD = """
import sys
from archive import forkserver
forkserver.PRELOAD = ("broken_rules",)  # as if a rule table raised at import

if __name__ == "__main__":
    forkserver.start()
    from archive.writer_thread import WriterThread
    try:
        WriterThread(sys.argv[1], process=True, preload=forkserver.PRELOAD).acquire()
    except Exception as e:
        print(type(e).__name__, e)
"""


def test_a_module_failing_in_the_fork_server_is_reported_by_the_writer(tmp_path):
    """The fork server swallows the error (it would otherwise die, and every child fail on a closed
    socket); the writer process imports the module again and acquire() raises its own error."""
    (tmp_path / "broken_rules.py").write_text("raise ValueError('rule table 7: bad pattern')\n", encoding="utf-8")
    script = tmp_path / "start.py"
    script.write_text(BROKEN_PRELOAD, encoding="utf-8")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, str(script), str(tmp_path / "a.db")], capture_output=True, text=True,
                         cwd=root, env=dict(os.environ, PYTHONPATH=f"{root}:{tmp_path}"), timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ValueError rule table 7: bad pattern"
