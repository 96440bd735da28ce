"""The fork server the archive writer process and processing workers start from.

multiprocessing's "forkserver" start method: children fork from a clean server process, not from the
crawl (no copy of the reactor, its threads or its sockets). Started on first use, the server is a
fresh interpreter, so the writer then imported its modules (~0.5 s, its processing rules included)
after the spider opened, and the crawl waited for it: a re-crawl with nothing new spent a third of its
time there. start() starts the server as a crawl begins, importing those modules in it on another
core while Scrapy loads and sets up; the writer forks with them loaded.
"""

from __future__ import annotations

import multiprocessing

# what the writer process imports: its own module, and the processing rules when it runs them
PRELOAD = ("archive.writer_thread", "pipelines.process")


def start() -> None:
    """Start the fork server now (once per process) with PRELOAD imported in it (archive.writer_preload)."""
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(["__main__", "archive.writer_preload"])
    forkserver.ensure_running()
