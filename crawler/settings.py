"""Scrapy settings for lawgov. Defaults are polite: they are what the real web gets.

`lawgov crawl --fast` (used against the loopback sample web only) turns throttling off.
"""

import os

BOT_NAME = "lawgov"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Who we are, and how to reach the operator (set LAWGOV_CONTACT, e.g. an e-mail address).
LAWGOV_VERSION = "0.1.0"
LAWGOV_CONTACT = ""
USER_AGENT = "lawgov/0.1 (archival crawler for 法治政府建设年度报告; +https://github.com/lawgov/lawgov)"

# Politeness on the real web.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
COOKIES_ENABLED = True
REDIRECT_MAX_TIMES = 5
# Scrapy (2.13+, asyncio reactor) starts CONCURRENT_ITEMS tasks for the output of every callback,
# whatever it holds: the default 100 cost ~1 ms of reactor CPU per page. Our callbacks yield at
# most one item each (an article or a fetch error; requests are scheduled without waiting), so one
# task loses no parallelism.
CONCURRENT_ITEMS = 1
# Decompressed-size cap: Scrapy's HttpCompressionMiddleware (on by default; decompression-bomb
# protection since 2.11) stops inflating a gzip/deflate/br/zstd body once it passes DOWNLOAD_MAXSIZE
# and drops the response (IgnoreRequest): recorded as fetch error "too_large" by the spider.
COMPRESSION_ENABLED = True
HTTPCACHE_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
DUPEFILTER_CLASS = "crawler.dupefilter.SQLiteDupeFilter"  # seen-set on disk: memory flat over a long crawl
FEED_EXPORT_ENCODING = "utf-8"
# Scrapy checks every generator callback for a `return value` (a coding mistake) by reading its
# source and parsing it; the answer is cached per bound method, which dies with its request, so it
# re-parsed parse_article (~1.5 ms) many times over a crawl. Our callbacks are tested: no check.
WARN_ON_GENERATOR_RETURN_VALUE = False
STATS_CLASS = "crawler.stats.StatsCollector"  # Scrapy's, less a per-call deprecation shim
# Scrapy's HTTP/1.1 handler keeping enough idle connections when every request goes through one proxy
DOWNLOAD_HANDLERS = {"http": "crawler.handlers.HTTP11DownloadHandler",
                     "https": "crawler.handlers.HTTP11DownloadHandler"}

# lawgov's own settings
LAWGOV_DB = "data/archive.db"  # the archive the crawl writes into
LAWGOV_PROXY = ""  # send every request through this HTTP proxy (the sample web is reached this way)
LAWGOV_MAX_PAGES_PER_PORTAL = 2000  # list + detail requests per portal
LAWGOV_MAX_NAV_HOPS = 4  # home -> 政府信息公开 -> 法定主动公开内容 -> 其他主动公开内容 -> report column
LAWGOV_MAX_LIST_PAGES = 200  # pages of one paginated list
LAWGOV_MAX_ARTICLE_PARTS = 30  # pages of one split article (TRS _1, _2 ...)
LAWGOV_PROGRESS_INTERVAL = 10  # seconds between progress lines
# The garbage collector in the crawl process (crawler.extensions.GCTuning). Freeze what exists once the
# spider is open (Scrapy, Twisted, lxml, the rules: full collections no longer rescan them): GC CPU in a
# 2,000-article loopback crawl 688 -> 420-580 ms, memory unchanged (10k web, crawl process 0.30 vs 0.20 MB
# per 1k requests from 5k to 10k, one run each). LAWGOV_GC_THRESHOLD > 0 collects the youngest generation
# every that many allocations instead of 700: less GC CPU (267 ms at 10000) for memory that grows with
# the crawl (0.9-1.2 MB per 1k requests at 10000, 0.40 at 2000), so 0 (Python's own) is the default.
LAWGOV_GC_FREEZE = True
LAWGOV_GC_THRESHOLD = 0
# The next portal's start requests wait while this many requests (discovered, not yet fetched) are
# queued in memory for LAWGOV_FRONTIER_MIN_DOMAINS sites or more, or while LAWGOV_PORTALS_OPENING
# portals have their start pages unanswered: all portals opened at once kept portals x list length
# requests queued (issue 11: ~8000, ~25 MB on 400 portals). 0: open all portals at once.
LAWGOV_FRONTIER_SOFT_MAX = 1000
LAWGOV_FRONTIER_MIN_DOMAINS = 32
LAWGOV_PORTALS_OPENING = 8
# Worker processes running process_page (pipelines.item_pipelines.ProcessPipeline); 0: in the reactor
# thread. Processing is pure CPU: in the reactor it shares the GIL with downloading. With the writer in
# its own process too (LAWGOV_WRITER_PROCESS), `make bench` on 2 cores measured the loopback crawl at
# 0.63 of a bare spider with one worker against 0.50 without (0.42 / 0.35 with the writer thread).
# One worker keeps the order records reach the writer (first seen stays canonical).
LAWGOV_PROCESS_WORKERS = 1 if (os.cpu_count() or 1) >= 2 else 0
# process_page in the archive writer (its process, LAWGOV_WRITER_PROCESS), just before the store:
# an article's parts go to the writer and only its outcome comes back, where a worker process sends
# the whole record back to the crawl and the crawl on to the writer (two pickles and four thread
# wake-ups less per article, one Python process less). On 2 cores, 5 alternating pairs of loopback
# crawls: CPU per article 10.9 -> 9.4 ms (all processes) at the same rate, the writer then being the
# busiest process; with more cores a separate worker (LAWGOV_PROCESS_WORKERS) runs processing beside
# the writer, so this is the default only up to 2 cores. True: LAWGOV_PROCESS_WORKERS is not used.
LAWGOV_PROCESS_IN_WRITER = (os.cpu_count() or 1) <= 2
# With LAWGOV_PROCESS_IN_WRITER: while this many archive writer calls wait to be sent to the writer
# (archive.writer_thread's queue), the writer is the busier process, and the next article is processed
# in the reactor instead; both kinds of record reach the writer in the order they came. The two
# processes then share the work (about half the articles each in a loopback crawl on 2 cores):
# 217 -> 241 pages/s, median of 3 alternating runs (2, 4 and 8 gave 242, 241 and 238). 0: never.
LAWGOV_WRITER_BEHIND = 4
# Archive writes queued for the writer (archive.writer_thread) before downloading waits for it.
# Each holds a record with its raw pages (~50-100 kB): 256 let a lagging writer add ~20 MB to the
# crawl's peak memory (`make bench` section 4: 194 vs 180 MB at 10k requests) for no speed gain.
LAWGOV_WRITE_QUEUE = 32
# Records stored under one commit at most while they queue up for the writer (archive.writer_thread);
# 1: one commit per record.
LAWGOV_WRITE_GROUP = 64
# Writer process only: an open group waits this long (s) for one more store before committing. Each
# commit indexes its group's reports in one FTS5 segment (archive/fts.py); a crawl's records arrive a
# few ms apart, so without the wait most groups held 1-3 records. 0.1: writer CPU per article -10 to
# -16 % in a loopback crawl (3 paired runs); commits come 0.1 s later, which only a kill can notice
# (uncommitted records were never reported stored and are fetched again).
LAWGOV_WRITE_GROUP_WAIT = 0.1
# The archive writer in a process of its own (archive.writer_thread.serve_process) instead of a
# thread of the crawl process: SQLite's CPU (FTS5 index, signatures, zlib) then runs beside the reactor
# rather than under its GIL (crawl process CPU per article 7.2 vs 12.6 ms with one worker, `make bench`).
# Same contract either way: results after the commit, a kill loses only what was never reported.
LAWGOV_WRITER_PROCESS = True
# Distributed mode (`lawgov crawl --redis`, crawler/redis_queue.py; set by lawgov.distributed).
LAWGOV_REDIS_URL = ""  # redis://HOST:6379/0
LAWGOV_REDIS_NAMESPACE = "lawgov:reports"  # key prefix: one crawl per namespace
LAWGOV_REDIS_ROLE = "worker"  # or "enqueue": push the start requests only
LAWGOV_REDIS_UNTIL_IDLE = 60.0  # a worker stops once the whole crawl was idle this long (s)
LAWGOV_REDIS_HEARTBEAT_TTL = 30.0  # a worker silent this long is dead: its in-flight requests go back
# Retries wait base * 2^(n-1) s before the n-th retry, at most MAX (crawler.middlewares.RetryBackoffMiddleware:
# Scrapy's own retries are immediate). Fault and trap rules: crawler/fault_rules.py.
LAWGOV_RETRY_BACKOFF_BASE = 2.0
LAWGOV_RETRY_BACKOFF_MAX = 60.0
# Incremental crawls (crawler/incremental.py): archived articles are not downloaded again unless the
# list shows a later date or they are due for a conditional recheck, every ~LAWGOV_RECHECK_DAYS days.
LAWGOV_INCREMENTAL = True
LAWGOV_RECHECK_DAYS = 30

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.TrapGuardMiddleware": 60,  # right after OffsiteMiddleware (50)
    "crawler.middlewares.ContactUserAgentMiddleware": 400,
    "crawler.middlewares.RetryBackoffMiddleware": 545,
    # after decompression (590), before RetryMiddleware (550): challenge pages, binary junk
    "crawler.middlewares.ResponseGuardMiddleware": 560,
    "crawler.incremental.IncrementalMiddleware": 650,  # sees 3xx/304/404 before RedirectMiddleware (600)
    "crawler.middlewares.ProxyMiddleware": 740,
}
ITEM_PIPELINES = {
    "pipelines.item_pipelines.ProcessPipeline": 300,
    "pipelines.item_pipelines.ArchivePipeline": 800,
}
EXTENSIONS = {
    "crawler.extensions.Progress": 500,
    "crawler.extensions.GCTuning": 0,
}
