"""`make bench`: where the time and the bytes go, as ratios measured in one run.

    python -m lawgov.bench [--repeat N] [--crawl-articles N] [--memory-pages N] [--search-docs N]
                           [--skip crawl,processing,reprocess,memory,search]

1. processing: per stage (decode+extract, normalize, classify+year, enrich+sections), the whole
   ``process_page``, and process + dedup + store into a real archive (one core), next to plain
   ``trafilatura.extract`` on the same sample-web article pages;
2. crawl throughput on the loopback large sample web (politeness off) next to a bare Scrapy spider
   fetching exactly the URLs our crawl fetched (same concurrency, same proxy) and doing nothing:
   alternating pairs, their median ratio with its 90 % bootstrap interval, and whether the target is
   met beyond that interval, missed beyond it, or inside it;
3. ``lawgov reprocess`` of that crawl's archive, articles/s on 1 and 2 worker processes, with the
   rules unchanged and after a rule change that altered every report's text;
4. a crawl of ``--memory-pages`` pages: the crawl process's peak RSS as it passes 25/50/100 % of
   them, and the archive's bytes per report (raw pages, text, sections, FTS index, other indexes);
5. Datasette search latency p50/p95 over HTTP on ``--search-docs`` synthetic report-length documents
   (built once, cached under data/bench/), canned ``search`` query and table search.

Figures vary on a shared machine: compare the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from lawgov.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA = ROOT / "data" / "bench"
SECTIONS = ("processing", "crawl", "reprocess", "memory", "search")


# -- 1. processing -------------------------------------------------------------------------------

def sample_pages() -> list[dict]:
    from pipelines.eval_extract import sample_web_pages

    return [{"url": gold["url"], "body": body, "content_type": gold["content_type"]}
            for _name, body, gold in sample_web_pages()]


def best_ms_per_page(fn, items, repeat: int, setup=None) -> float:
    if setup:
        setup()
    fn(items[0])  # warm-up: imports, converters, tables
    best = float("inf")
    for _ in range(repeat):
        if setup:
            setup()
        t = time.perf_counter()
        for it in items:
            fn(it)
        best = min(best, time.perf_counter() - t)
    return best * 1000 / len(items)


def bench_processing(repeat: int) -> None:
    import trafilatura

    from archive.writer import ArchiveWriter
    from pipelines.classify import classify, covered_year
    from pipelines.encoding import decode_html
    from pipelines.enrich import enrich
    from pipelines.extract import extract
    from pipelines.normalize import normalize_text, normalize_title
    from pipelines.process import process_page
    from pipelines.sections import split_sections

    pages = sample_pages()
    extracted = [extract(p["body"], url=p["url"], content_type=p["content_type"]) for p in pages]
    normalized = [(normalize_title(e["title"] or ""), normalize_text(e["text"] or "")) for e in extracted]
    tmp = tempfile.mkdtemp(prefix="lawgov-bench-")
    store = {"writer": None, "n": 0}

    def fresh_archive():  # each round stores into a new archive: every report is new again
        if store["writer"]:
            store["writer"].close()
        store["n"] += 1
        store["writer"] = ArchiveWriter(os.path.join(tmp, f"r{store['n']}.db"))

    def process_and_store(p):
        record = process_page([dict(p)])
        record["portal"] = "bench"
        store["writer"].store(record)

    stages = {
        "decode + extract": (lambda p: extract(p["body"], url=p["url"], content_type=p["content_type"]), pages, None),
        "normalize": (lambda e: (normalize_title(e["title"] or ""), normalize_text(e["text"] or "")), extracted, None),
        "classify + year": (lambda tt: (classify(*tt), covered_year(tt[0], tt[1], None)), normalized, None),
        "enrich + sections": (lambda tt: (enrich("南充市嘉陵区人民政府", "511304", "county", "2022-03-01", 2021),
                                          split_sections(tt[1])), normalized, None),
        "process_page (all)": (lambda p: process_page([dict(p)]), pages, None),
        "process + dedup + store": (process_and_store, pages, fresh_archive),
        "plain trafilatura.extract": (
            lambda p: trafilatura.extract(decode_html(p["body"], p["content_type"])[0],
                                          favor_precision=True, include_tables=True), pages, None),
    }
    print(f"1. processing, {len(pages)} sample-web article pages, one core, best of {repeat} rounds")
    figures = {}
    for name, (fn, items, setup) in stages.items():
        figures[name] = best_ms_per_page(fn, items, repeat, setup)
        print(f"  {name:<28} {figures[name]:7.2f} ms/page  {1000 / figures[name]:7.0f} docs/s")
    store["writer"].close()
    shutil.rmtree(tmp, ignore_errors=True)
    traf = figures["plain trafilatura.extract"]
    print(f"  process_page costs {figures['process_page (all)'] / traf:.2f}x plain trafilatura.extract; "
          f"with dedup + store {figures['process + dedup + store'] / traf:.2f}x (target <= 1.5x)")


# -- 2./3./4. crawls of the large sample web -----------------------------------------------------

class RequestWatch:
    """Samples the sample web's request count (and optionally a process's memory) in a thread:
    the fetch rate is the count over the time from the first to the last request served."""

    def __init__(self, web, pid: int | None = None, marks: tuple[int, ...] = ()):
        self.web, self.pid, self.marks = web, pid, list(marks)
        self.first = self.last = None
        self.count = 0
        self.peak_at: dict[int, int] = {}  # mark -> peak RSS (kB) when the count passed it
        # mark -> the sum of the peaks of the process and its descendants (writer process, processing
        # worker, forkserver): the crawl's memory, wherever its parts run
        self.tree_peak_at: dict[int, int] = {}
        self._tree_peaks: dict[int, int] = {}  # pid -> its VmHWM, last seen (kept after it exits)
        # pid -> [role, CPU seconds last seen] of the process and its descendants (sampled every
        # CPU_EVERY s: a process's last CPU_EVERY s before it exits can be missed)
        self.process_cpu: dict[int, list] = {}
        self._cpu_due = self._tree_due = 0.0
        self._tree: list[int] = []
        self.server_cpu_s = 0.0  # this (the bench) process: the sample web's server threads + this sampler
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    CPU_EVERY = 0.1

    def start(self):
        self._cpu0 = time.process_time()
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join()
        self._sample()
        self.server_cpu_s = time.process_time() - self._cpu0

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds of the watched process ("crawl") and its descendants, summed by role."""
        out: dict[str, float] = {}
        for role, cpu in self.process_cpu.values():
            out[role] = out.get(role, 0.0) + cpu
        return out

    def _sample_cpu(self, now: float) -> None:
        if now < self._cpu_due:
            return
        self._cpu_due = now + self.CPU_EVERY
        if now >= self._tree_due:  # walking /proc costs ~ms: the crawl's processes start early and stay
            self._tree_due, self._tree = now + 1.0, [self.pid, *_descendants(self.pid)]
        for pid in self._tree:
            cpu = _cpu_s(pid)
            if cpu is None:
                continue
            entry = self.process_cpu.setdefault(pid, [None, 0.0])
            # asked again until settled: a new child has no cmdline yet, and the writer opens the
            # archive only after it starts ("worker" until then)
            if entry[0] in (None, "other", "worker"):
                entry[0] = _role(pid, self.pid)
            entry[1] = cpu

    def _sample(self):
        n = len(self.web._requests)  # no copy: only the length is needed
        now = time.perf_counter()
        if n and self.first is None:
            self.first = now
        if n != self.count:
            self.count, self.last = n, now
        if self.pid:
            self._sample_cpu(now)
            hwm = _peak_rss_kb(self.pid)
            if self.marks:
                for pid in _descendants(self.pid):
                    self._tree_peaks[pid] = _peak_rss_kb(pid) or self._tree_peaks.get(pid, 0)
            while self.marks and n >= self.marks[0] and hwm:
                mark = self.marks.pop(0)
                self.peak_at[mark] = hwm
                self.tree_peak_at[mark] = hwm + sum(self._tree_peaks.values())

    def _run(self):
        while not self._stop.is_set():
            self._sample()
            time.sleep(0.02)

    @property
    def rate(self) -> float:
        return self.count / max(self.last - self.first, 1e-9) if self.first else 0.0


def _proc_stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state, ppid, ...; utime is [11], stime [12]),
    or None once the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _descendants(pid: int) -> list[int]:
    """The pids below ``pid`` in the process tree (children, their children ...), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _proc_stat(entry.name)):
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], list(children.get(pid, ()))
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, ()))
    return out


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a process so far, from /proc."""
    fields = _proc_stat(pid)
    return None if fields is None else (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _role(pid: int, root: int) -> str:
    """What a process of a crawl is: the crawl itself, the forkserver, the archive writer (it holds an
    archive open), a processing worker, or other (multiprocessing's resource tracker)."""
    if pid == root:
        return "crawl"
    fields = _proc_stat(pid)
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        parent = Path(f"/proc/{fields[1]}/cmdline").read_bytes()
        files = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except (OSError, TypeError):  # gone (fields None) or going
        return "other"
    if b"forkserver" not in cmd:
        return "other"
    if b"forkserver" not in parent:
        return "forkserver"
    return "writer" if any(f.endswith(".db") for f in files) else "worker"


def _peak_rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


CRAWL = r'''
import json, resource, sys
from lawgov.crawl import run_crawl
if __name__ == "__main__":  # the processing workers import __main__
    summary = run_crawl(sys.argv[1], sys.argv[2], proxy=sys.argv[3], fast=True,
                        overrides=json.loads(sys.argv[4]))
    ru = resource.getrusage(resource.RUSAGE_SELF)  # reactor + writer thread (not the workers)
    summary["process_cpu_s"] = ru.ru_utime + ru.ru_stime
    print(json.dumps(summary, default=str))
'''


def crawl_large(portals, db: Path, marks: tuple[int, ...] = (),
                overrides: dict | None = None) -> tuple[RequestWatch, float, str]:
    """Crawl the given sample-web portals as `lawgov crawl --fast` does (lawgov's default settings,
    with ``overrides``, e.g. a CRAWL_LAYOUTS layout); returns the watch, the wall time and the crawl
    script's stdout (its last line: the summary, see crawl_summary)."""
    overrides = dict(overrides or {})
    from sampleweb.large import registry_yaml
    from sampleweb.server import SampleWeb

    reg = db.with_suffix(".portals.yaml")
    reg.write_text(registry_yaml(portals), encoding="utf-8")
    with SampleWeb(portals) as web:
        web.prerender()  # the server's CPU per request: a static page's, as on a real CMS
        t = time.perf_counter()
        script = db.with_suffix(".crawl.py")
        script.write_text(CRAWL, encoding="utf-8")
        proc = subprocess.Popen([sys.executable, str(script), str(reg), str(db), web.proxy_url,
                                 json.dumps(overrides)],
                                cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        watch = RequestWatch(web, proc.pid, marks).start()
        out, err = proc.communicate()
        wall = time.perf_counter() - t
        watch.stop()
        watch.urls = [f"http://{h}{p}" for m, h, p in web.requests if m == "GET"]
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"crawl failed ({proc.returncode}): {err[-2000:]}")
    return watch, wall, out


BARE_SPIDER = r'''
import sys
import scrapy
from scrapy.crawler import CrawlerProcess
from lawgov.crawl import FAST_SETTINGS

urls = open(sys.argv[1], encoding="utf-8").read().split()
proxy = sys.argv[2]

class Bare(scrapy.Spider):
    name = "bare"
    async def start(self):
        for u in urls:
            yield scrapy.Request(u, dont_filter=True, meta={"proxy": proxy})
    def parse(self, response):
        return None

settings = dict(FAST_SETTINGS, LOG_LEVEL="WARNING", ROBOTSTXT_OBEY=False, TELNETCONSOLE_ENABLED=False,
                REQUEST_FINGERPRINTER_IMPLEMENTATION="2.7", HTTPERROR_ALLOW_ALL=True)
p = CrawlerProcess(settings)
p.crawl(Bare)
p.start()
import resource
ru = resource.getrusage(resource.RUSAGE_SELF)
print(ru.ru_utime + ru.ru_stime)
'''


def bare_crawl(portals, urls: list[str], tmp: Path) -> tuple[RequestWatch, float]:
    from sampleweb.server import SampleWeb

    url_file = tmp / "urls.txt"
    url_file.write_text("\n".join(urls), encoding="utf-8")
    with SampleWeb(portals) as web:
        web.prerender()
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", BARE_SPIDER, str(url_file), web.proxy_url], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        watch = RequestWatch(web, proc.pid).start()
        out, err = proc.communicate()
        wall = time.perf_counter() - t
        watch.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"bare spider failed: {err[-2000:]}")
    watch.cpu_s = float(out.split()[-1])
    return watch, wall


def articles_split(n_articles: int) -> tuple[int, int]:
    """(portals, articles per portal) for about n articles: 50 articles per portal, at least 2 portals."""
    per = 50 if n_articles >= 100 else max(1, n_articles // 2)
    return max(2, round(n_articles / per)), per


# (label, settings) of the throughput crawls, this machine's default layout first (crawler/settings.py:
# processing in the writer up to 2 cores, else in a worker beside it). The first alternates with the
# bare spider CRAWL_PAIRS times (this machine's rates swing by 1.5x from run to run, so the ratio is
# taken per pair and the median printed); the others run once, against the median bare rate, to show
# what each layout is worth.
def _layouts():
    from crawler.settings import LAWGOV_PROCESS_IN_WRITER

    def layout(workers, writer_process, in_writer=False, **more):
        return {"LAWGOV_PROCESS_WORKERS": workers, "LAWGOV_WRITER_PROCESS": writer_process,
                "LAWGOV_PROCESS_IN_WRITER": in_writer, **more}
    in_writer = ("processing in the writer process, the reactor's when it is behind", layout(0, True, True))
    worker = ("1 processing worker, writer process", layout(1, True))
    first = (in_writer, worker) if LAWGOV_PROCESS_IN_WRITER else (worker, in_writer)
    return ((f"{first[0][0]} (default)", first[0][1]), first[1],
            ("processing in the writer process only", layout(0, True, True, LAWGOV_WRITER_BEHIND=0)),
            ("processing in the reactor, writer process", layout(0, True)),
            ("1 processing worker, writer thread", layout(1, False)),
            ("processing in the reactor, writer thread", layout(0, False)))


CRAWL_LAYOUTS = _layouts()
CRAWL_PAIRS = 5


def bench_crawl(n_articles: int, tmp: Path) -> Path:
    import statistics

    from sampleweb.large import large_portals

    portals = large_portals(*articles_split(n_articles))
    db = tmp / "crawl.db"
    label, layout = CRAWL_LAYOUTS[0]
    pairs = []  # (our watch, wall, stdout, archive), (bare watch, wall): alternating, same URLs
    for i in range(CRAWL_PAIRS):
        path = db if i == 0 else tmp / f"crawl-pair{i}.db"
        ours = (*crawl_large(portals, path, overrides=layout), path)
        pairs.append((ours, bare_crawl(portals, pairs[0][0][0].urls if pairs else ours[0].urls, tmp)))
    urls = pairs[0][0][0].urls
    ratios = [o[0].rate / b[0].rate for o, b in pairs]
    bare_rate = statistics.median(b[0].rate for _o, b in pairs)
    print(f"2. crawl throughput, large sample web ({len(portals)} portals, {len(urls)} requests), "
          "politeness off, loopback (rate: requests over first to last request served)")
    print(f"  lawgov crawl, {label}, alternating with a bare Scrapy spider fetching the same {len(urls)} URLs "
          "as start requests (same concurrency):")
    for i, ((o, ow, _out, _p), (b, bw)) in enumerate(pairs, 1):
        print(f"    pair {i}: lawgov {o.rate:6.1f} pages/s (wall {ow:4.1f} s)   bare {b.rate:6.1f} pages/s "
              f"(wall {bw:4.1f} s)   ratio {o.rate / b.rate:.2f}")
    lo, hi = median_interval(ratios)
    print(f"  ratio to bare: median {statistics.median(ratios):.2f}, 90 % bootstrap interval {lo:.2f}-{hi:.2f} "
          f"(pairs: {', '.join(f'{r:.2f}' for r in ratios)}); target >= {CRAWL_TARGET}: "
          f"{verdict(lo, hi, CRAWL_TARGET)}; this machine has {os.cpu_count()} cores for the server, the crawl, "
          "the writer and the processing")
    print_cpu_bound(pairs, n_art(db))
    runs = {label: (pairs[0][0][0], pairs[0][0][2], db)}
    print(f"  other layouts, one run each, against the median bare rate {bare_rate:.1f} pages/s:")
    for other, other_layout in CRAWL_LAYOUTS[1:]:
        path = tmp / f"crawl-{len(runs)}.db"
        watch, wall, out = crawl_large(portals, path, overrides=other_layout)
        runs[other] = (watch, out, path)
        print(f"    {other:<66} {watch.rate:6.1f} pages/s  ratio {watch.rate / bare_rate:.2f}  (wall {wall:.1f} s)")
    print("  CPU per article (ms; processing in the reactor or a worker, writes in the writer thread or process):")
    for name, (_watch, out, path) in runs.items():
        print(f"    {name:<66} {crawl_cpu_breakdown(path, out)}")
    bare = pairs[0][1][0]
    print(f"    {'bare spider':<66} crawl process total "
          f"{bare.cpu_s * 1000 / max(bare.count, 1) * len(urls) / max(n_art(db), 1):5.2f}"
          " (its CPU for the same requests, per article of ours)")
    return db


def print_cpu_bound(pairs, n_articles: int) -> None:
    """Where the pairs' CPU went, by process, and the ratio that CPU allows on this machine: the bare
    spider is bound by its one process, a lawgov crawl by the sum of its processes over the cores."""
    import statistics

    print("  CPU per article (ms) by process, from /proc (the sample web's server runs in this bench process):")
    bounds, alone_bounds = [], []
    for i, ((o, _ow, out, _p), (b, _bw)) in enumerate(pairs, 1):
        roles = o.cpu_by_role()
        roles["crawl"] = crawl_summary(out)["process_cpu_s"]  # exact: its own rusage
        ours = sum(roles.values()) + o.server_cpu_s
        bare = b.cpu_s
        bounds.append(os.cpu_count() * bare / max(ours, 1e-9))
        alone_bounds.append(bare / max(roles["crawl"], 1e-9))
        parts = "  ".join(f"{r} {roles[r] * 1000 / n_articles:5.2f}" for r in ("crawl", "worker", "writer") if r in roles)
        print(f"    pair {i}: lawgov {parts}  server {o.server_cpu_s * 1000 / n_articles:4.2f}  all "
              f"{ours * 1000 / n_articles:5.2f}   bare spider {bare * 1000 / n_articles:5.2f}  server "
              f"{b.server_cpu_s * 1000 / n_articles:4.2f}")
    alone, together = core_contention()
    print(f"  on {os.cpu_count()} cores the crawl's processes together can reach at most cores x bare / all = "
          f"{statistics.median(bounds):.2f} of the bare spider's rate (median of the pairs); and two busy processes "
          f"run {together / alone:.2f}x slower each than one alone here (a pure-Python loop: {alone:.2f} s alone, "
          f"{together:.2f} s when two run at once), which the bare spider, one busy process, does not pay. With a "
          f"core for each process, the crawl process alone would bound it: bare / crawl = "
          f"{statistics.median(alone_bounds):.2f}")


SPIN = "import time\nt = time.process_time()\nfor i in range(15_000_000): pass\nprint(time.process_time() - t)"


def core_contention() -> tuple[float, float]:
    """CPU seconds of a fixed pure-Python loop run alone, and the mean when two run at once."""
    def run(n: int) -> list[float]:
        procs = [subprocess.Popen([sys.executable, "-c", SPIN], stdout=subprocess.PIPE, text=True) for _ in range(n)]
        return [float(p.communicate()[0]) for p in procs]
    alone = min(run(1) + run(1))
    return alone, sum(run(2)) / 2


def crawl_summary(out: str) -> dict:
    """The summary the crawl script (CRAWL) prints last: run_crawl's, plus its process's CPU seconds."""
    return json.loads(out.strip().splitlines()[-1])


def crawl_stats(db: Path) -> dict:
    """The Scrapy stats of the archive's last crawl."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        return json.loads(conn.execute("SELECT stats_json FROM crawls ORDER BY id DESC LIMIT 1").fetchone()[0])


def n_art(db: Path) -> int:
    return crawl_stats(db).get("lawgov/articles", 0)


def crawl_cpu_breakdown(db: Path, out: str) -> str:
    """Where a crawl's CPU went, per article: from its stats (lawgov/cpu_s/*) and its process's rusage."""
    stats = crawl_stats(db)
    cpu = {k.removeprefix("lawgov/cpu_s/"): v for k, v in stats.items() if k.startswith("lawgov/cpu_s/")}
    n = max(stats.get("lawgov/articles", 0), 1)
    total = crawl_summary(out).get("process_cpu_s", 0.0)
    process = cpu.pop("process_page", 0.0)
    in_writer = "process_and_store" in cpu  # its CPU holds process_page's (but the reactor's share)
    # with LAWGOV_WRITER_BEHIND the reactor processed some articles itself: its share, by count
    here = stats.get("lawgov/processed_in_reactor", 0) / n if in_writer else 0.0
    store = cpu.pop("store", 0.0) + cpu.pop("process_and_store", 0.0) - (process * (1 - here) if in_writer else 0.0)
    other = sum(cpu.values())  # fetch errors, start/finish, incremental marks
    # the rest of the crawl process: the reactor thread (Scrapy, spider, middlewares) and helper threads
    writer_elsewhere = bool(stats.get("lawgov/writer_process"))
    in_process = 0.0 if writer_elsewhere else store + other + (process * (1 - here) if in_writer else 0.0)
    in_reactor = not in_writer and not stats.get("lawgov/process_workers")
    reactor = total - in_process - (process if in_reactor else process * here)
    where = (f"writer, {here:.0%} in the reactor" if in_writer else ("reactor" if in_reactor else "worker"))
    return (f"process_page ({where}) {process * 1000 / n:5.2f}  store {store * 1000 / n:5.2f}  other writes "
            f"{other * 1000 / n:5.2f}  crawl process total {total * 1000 / n:5.2f} "
            f"(reactor and Scrapy {reactor * 1000 / n:5.2f}) over {n} articles")


def bench_reprocess(db: Path, tmp: Path) -> None:
    from lawgov.reprocess import reprocess

    print("3. lawgov reprocess of that archive (re-extract every stored page, no network)")
    for label, tamper in (("rules unchanged", None),
                          ("after a rule change that altered every report's text", older_rules_texts)):
        rates = {}
        for jobs in (1, 2):
            copy = tmp / f"reprocess{jobs}.db"
            _backup(db, copy)
            if tamper:
                tamper(copy)
            t = time.perf_counter()
            changes = reprocess(str(copy), jobs=jobs, progress=open(os.devnull, "w"))
            rates[jobs] = changes.articles / (time.perf_counter() - t)
            print(f"  {label}, --jobs {jobs}  {rates[jobs]:7.1f} articles/s  ({changes.articles} articles, "
                  f"{len(changes.texts_changed)} texts changed)")
        print(f"  {label}, speed-up on 2 cores  {rates[2] / rates[1]:5.2f}x")


def older_rules_texts(db: Path) -> None:
    """Make every report's stored text one that older rules would have given (a leaked line at its
    end; its hash and the near-duplicate signature's hash follow), so reprocess sets every text again."""
    import hashlib
    import sqlite3

    with sqlite3.connect(db) as conn:
        for doc_id, text in conn.execute("SELECT id, text FROM documents").fetchall():
            text += "\n旧规则多提取的一行：打印本页 关闭窗口"
            sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
            conn.execute("UPDATE documents SET text = ?, text_sha256 = ?, chars = ? WHERE id = ?",
                         [text, sha, len(text), doc_id])
            conn.execute("UPDATE dedup_signatures SET text_sha256 = ? WHERE document_id = ?", [sha, doc_id])


def _backup(src: Path, dst: Path) -> None:
    import sqlite3

    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)


def bench_memory(n_pages: int, tmp: Path) -> None:
    from crawler.dupefilter import SQLiteDupeFilter
    from crawler.settings import LAWGOV_FRONTIER_SOFT_MAX as FRONTIER_SOFT_MAX
    from crawler.urls import canonical_url
    from pipelines.dedup import HASH_CACHE_SIZE, SQLiteNearDupIndex
    from sampleweb.large import large_portals

    portals = large_portals(*articles_split(n_pages))
    marks = (n_pages // 4, n_pages // 2, n_pages)
    db = tmp / "memory.db"
    watch, wall, _ = crawl_large(portals, db, marks=marks)
    print(f"4. crawl of {watch.count} requests ({n_pages} articles wanted) in {wall:.1f} s: peak RSS (VmHWM) "
          "of the crawl process, and of all its processes (+ writer process, processing worker, forkserver: "
          "the sum of their peaks)")
    for mark in marks:
        kb, tree = watch.peak_at.get(mark), watch.tree_peak_at.get(mark)
        print(f"  after {mark:>6} requests   {kb / 1024 if kb else float('nan'):7.1f} MB   all processes "
              f"{tree / 1024 if tree else float('nan'):7.1f} MB")
    for label, peaks in (("crawl process", watch.peak_at), ("all processes", watch.tree_peak_at)):
        for lo, hi in zip(marks, marks[1:]):
            a, b = peaks.get(lo), peaks.get(hi)
            if a and b:
                print(f"  {label}: growth {lo:>6} -> {hi:>6} requests: {(b - a) / 1024:5.1f} MB = "
                      f"{(b - a) * 1000 / (hi - lo) / 1024:.2f} MB per 1k requests "
                      f"({(b - a) * 1024 / (hi - lo):.0f} B/request)")
    print(f"  largest frontier seen (requests queued in memory, stat lawgov/frontier_max): "
          f"{crawl_stats(db).get('lawgov/frontier_max', 'n/a')}")
    rfp, ours = dupefilter_bytes(watch.count), dupefilter_bytes(watch.count, sqlite=True)
    print("  what grew before (issue 11, tracemalloc diff inside the crawl): the near-duplicate index (~1.9 kB "
          "per report in memory) and Scrapy's seen-set; both now live in SQLite:")
    print(f"    seen-set: crawler.dupefilter.SQLiteDupeFilter holds {ours / 1024:.0f} kB of Python memory after "
          f"{watch.count} requests (at most {SQLiteDupeFilter.BATCH} fingerprints); Scrapy's RFPDupeFilter would hold "
          f"{rfp / 1024:.0f} kB ({rfp / max(watch.count, 1):.0f} B/request)")
    print(f"    near-duplicate index: LSH buckets in dedup_bands, signatures read for candidates only; in memory "
          f"at most {SQLiteNearDupIndex.TAIL} unflushed documents' band keys (~0.3 kB each), a fixed "
          f"{(1 << SQLiteNearDupIndex.FILTER_BITS) // 8 // 2**20} MB key filter and "
          f"{HASH_CACHE_SIZE} candidates' shingle hashes (LRU, ~100 kB per report)")
    print("  Scrapy's frontier (requests discovered, not yet fetched, ~3 kB each: Request, meta, Referer "
          "headers, caches keyed by it) grew with the number of portals: opened all at once, portals walk their "
          "lists in lockstep (Scrapy serves every started site in turn), so portals x list length requests waited "
          "at each list page (issue 11, 400 portals: up to 8500 queued, ~7000 = +22 MB traced 15k requests in, and "
          "glibc's heap kept the freed space: RSS rose a step per wave). The spider now opens portals as the "
          f"frontier drains (crawler/settings.py LAWGOV_FRONTIER_SOFT_MAX = {FRONTIER_SOFT_MAX}, "
          "LAWGOV_PORTALS_OPENING; 0 restores the old order; the progress line shows the frontier, the crawl's "
          "stats keep its peak in lawgov/frontier_max)")
    print("  what remains is bounded but still filling at 10k requests (tracemalloc, issue 11: ~1 kB/request "
          "of Python memory while they fill): the LRU of candidates' shingle hashes (~0.6 kB/request until "
          f"{HASH_CACHE_SIZE} entries), the lru_caches of URL decisions (canonical_url, trap_reason: ~0.4 kB/request "
          f"until {canonical_url.cache_info().maxsize} entries each); and not per page: SQLite page caches (~2 MB "
          f"per connection), the frontier (~{FRONTIER_SOFT_MAX} requests + the lists of the portals opening), "
          "transient peaks (write queue) that VmHWM keeps")
    archive_size(db)


def dupefilter_bytes(n: int, sqlite: bool = False) -> int:
    """Python memory a seen-set keeps after n distinct requests: Scrapy's RFPDupeFilter (a set of 20-byte
    fingerprints) or, with ``sqlite``, crawler.dupefilter.SQLiteDupeFilter (its SQLite page cache is
    C memory, bounded by SQLite at ~2 MB, not traced here)."""
    import tracemalloc

    from scrapy import Request
    from scrapy.dupefilters import RFPDupeFilter
    from scrapy.utils.request import RequestFingerprinter

    from crawler.dupefilter import SQLiteDupeFilter

    cls = SQLiteDupeFilter if sqlite else RFPDupeFilter
    tracemalloc.start()
    df = cls(fingerprinter=RequestFingerprinter())
    for i in range(n):  # one request at a time: the fingerprinter's weak cache dies with each
        df.request_seen(Request(f"http://www.a.gov.cn/col/{i}.html"))
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    df.close("finished")
    return size


ARCHIVE_PARTS = (  # dbstat object name prefix -> part of the archive (first match)
    ("dedup_bands", "near-duplicate LSH bands"), ("sqlite_autoindex_dedup_bands", "near-duplicate LSH bands"),
    ("dedup_pending", "near-duplicate LSH bands"),
    ("documents_fts", "FTS index"), ("idx_pages", "indexes (pages)"), ("sqlite_autoindex_pages", "indexes (pages)"),
    ("idx_", "indexes (other)"), ("sqlite_", "indexes (other)"), ("pages", "raw pages (zstd)"),
    ("documents", "report text + metadata"), ("revisions", "revisions (texts of past versions)"),
    ("dedup_signatures", "near-duplicate signatures"), ("sections", "sections"), ("sources", "sources"),
)


def archive_size(db: Path) -> None:
    import sqlite3

    c = sqlite3.connect(db)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    reports = c.execute("SELECT count(*) FROM documents").fetchone()[0]
    pages = c.execute("SELECT count(*) FROM pages").fetchone()[0]
    sizes: dict[str, int] = {}
    for name, size in c.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
        part = next((p for prefix, p in ARCHIVE_PARTS if name.startswith(prefix)), "other")
        sizes[part] = sizes.get(part, 0) + size
    c.close()
    total = sum(sizes.values())
    print(f"  archive: {total / 2**20:.1f} MB for {reports} reports ({pages} pages stored) = "
          f"{total / max(reports, 1) / 1024:.1f} kB per report:")
    for part, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"    {part:<24} {size / max(reports, 1) / 1024:7.1f} kB/report")


# -- 5. search latency -----------------------------------------------------------------------------

SEARCH_QUERY = "行政复议"  # 4 characters, in most reports: the worst case for ranking
RARE_QUERY = "公正文明"


def synthetic_archive(n_docs: int, seed: int = 11) -> Path:
    """An archive of n report-length documents, cached under data/bench/ by its parameters."""
    import sqlite_utils

    from archive.db import open_archive
    from archive.fts import ensure_fts
    from sampleweb.text import BODIES

    path = BENCH_DATA / f"search-{n_docs}-s{seed}.db"
    if path.exists():
        return path
    BENCH_DATA.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    for f in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        f.unlink(missing_ok=True)
    rng = random.Random(seed)
    lines = [ln.strip() for f in sorted(BODIES.glob("*.txt")) if "big5" not in f.name
             for ln in f.read_text(encoding="utf-8").splitlines() if len(ln.strip()) > 20]
    provinces = ("浙江省", "四川省", "辽宁省", "湖北省", "江苏省", "广东省", "河南省", "山东省")
    db = open_archive(tmp)
    db.execute("DROP TRIGGER IF EXISTS documents_fts_ai")  # index built once at the end (faster)
    # a cache file, rebuilt if lost: no journal, no syncs, a big page cache
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-500000")
    t = time.perf_counter()
    batch = 2000
    for start in range(0, n_docs, batch):
        rows = []
        for i in range(start, min(start + batch, n_docs)):
            text = "\n".join(rng.sample(lines, rng.randint(15, 40)))
            text = f"第{i}号报告。" + text  # distinct
            year = 2019 + i % 6
            rows.append({"id": i + 1, "title": f"{provinces[i % 8]}第{i}县人民政府关于{year}年度法治政府建设工作的报告",
                         "text": text, "text_sha256": f"{i:064x}", "year": year, "province": provinces[i % 8],
                         "level": "county", "issuer_kind": "government", "issuer": f"第{i}县人民政府",
                         "published_late": i % 5 == 0, "published": f"{year + 1}-03-{1 + i % 28:02d}",
                         "n_sources": 1, "chars": len(text)})
        with db.conn:
            db["documents"].insert_all(rows, batch_size=500)
        print(f"  building {n_docs} synthetic reports: {min(start + batch, n_docs)} inserted "
              f"({time.perf_counter() - t:.0f} s)", file=sys.stderr, flush=True)
    ensure_fts(db)
    db.execute("PRAGMA journal_mode=WAL")  # as lawgov's archives are
    db.conn.close()
    os.replace(tmp, path)
    print(f"  built {path} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return path


def bench_search(n_docs: int, rounds: int = 40) -> None:
    path = synthetic_archive(n_docs)
    n_hits = {}
    import sqlite3

    c = sqlite3.connect(path)
    for q in (SEARCH_QUERY, RARE_QUERY):
        n_hits[q] = c.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?",
                              [f'"{q}"']).fetchone()[0]
    c.close()
    with serving(path) as base:
        print(f"5. datasette search latency over HTTP, {n_docs} synthetic reports "
              f"({path.stat().st_size / 2**20:.0f} MB), {rounds} requests each")
        for label, route, params in (
            ("canned search", "/search.json", {"q": SEARCH_QUERY}),
            ("table search", "/documents.json", {"_search": SEARCH_QUERY}),
            ("canned search (rare)", "/search.json", {"q": RARE_QUERY}),
            ("table search (rare)", "/documents.json", {"_search": RARE_QUERY}),
            # where a table search's time goes: facets (each up to facet_time_limit_ms), the count
            ("  without facets", "/documents.json", {"_search": SEARCH_QUERY, "_nofacet": "1"}),
            ("  without facets/count", "/documents.json", {"_search": SEARCH_QUERY, "_nofacet": "1",
                                                           "_nocount": "1"}),
        ):
            q = params.get("q") or params.get("_search")
            url = base + route + "?" + urllib.parse.urlencode(params)
            urllib.request.urlopen(url, timeout=60).read()  # warm-up
            times = []
            for _ in range(rounds):
                t = time.perf_counter()
                body = urllib.request.urlopen(url, timeout=60).read()
                times.append((time.perf_counter() - t) * 1000)
            rows = len(json.loads(body).get("rows", []))
            p50, p95 = p50_p95(times)
            print(f"  {label:<22} {q} ({n_hits[q]} matches, {rows} rows shown)  "
                  f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  (target p95 <= 100 ms)")


@contextlib.contextmanager
def serving(path: Path):
    """datasette serving the archive at ``path`` on a free loopback port, as `lawgov serve` does, once
    it answers; yields the database's base URL."""
    from lawgov import serve

    serve.prepare_archive(path)
    port = free_port()
    proc = subprocess.Popen(serve.datasette_argv(path, serve.write_metadata(path), "127.0.0.1", port), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/{path.stem}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


CRAWL_TARGET = 0.7  # issue 11: the crawl at >= 0.7 of the bare spider's rate


def median_interval(values: list[float], level: float = 0.9, rounds: int = 2000, seed: int = 11) -> tuple[float, float]:
    """Bootstrap percentile interval of the median of ``values``: how far the median of so few
    pairs could move on this machine (its rates swing by 1.5x from run to run). Seeded: the same
    pairs always print the same interval."""
    import random

    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(rounds))
    cut = int(rounds * (1 - level) / 2)
    return medians[cut], medians[rounds - 1 - cut]


def verdict(lo: float, hi: float, target: float) -> str:
    """Whether the target (a minimum) is met beyond the interval, missed beyond it, or inside it."""
    if lo >= target:
        return "met"
    if hi < target:
        return "missed"
    return "inside the interval: not settled by these pairs"


def p50_p95(times_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(times_ms)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="processing timing rounds; the best is kept")
    ap.add_argument("--crawl-articles", type=int, default=2000, metavar="N",
                    help="articles of the large sample web for the throughput crawls (default 2000)")
    ap.add_argument("--memory-pages", type=int, default=10000, metavar="N",
                    help="articles of the memory crawl (default 10000)")
    ap.add_argument("--search-docs", type=int, default=100000, metavar="N",
                    help="synthetic reports for the search latency (default 100000; cached in data/bench/)")
    ap.add_argument("--skip", default="", metavar="LIST", help=f"comma-separated, of: {','.join(SECTIONS)}")
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    if skip - set(SECTIONS):
        ap.error(f"--skip: unknown section(s) {', '.join(sorted(skip - set(SECTIONS)))}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lawgov-bench-") as tmp:
        tmp = Path(tmp)
        if "processing" not in skip:
            bench_processing(args.repeat)
        if not {"crawl", "reprocess"} <= skip:
            db = bench_crawl(args.crawl_articles, tmp)
            if "reprocess" not in skip:
                bench_reprocess(db, tmp)
        if "memory" not in skip:
            bench_memory(args.memory_pages, tmp)
    if "search" not in skip:
        bench_search(args.search_docs)
    print(f"bench done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
