"""Scrapy settings for lawgov. Defaults are polite: they are what the real web gets.

`lawgov crawl --fast` (used against the loopback sample web only) turns throttling off.
"""

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
HTTPCACHE_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

# lawgov's own settings
LAWGOV_DB = "data/archive.db"  # the archive the crawl writes into
LAWGOV_PROXY = ""  # send every request through this HTTP proxy (the sample web is reached this way)
LAWGOV_MAX_PAGES_PER_PORTAL = 2000  # list + detail requests per portal
LAWGOV_MAX_NAV_HOPS = 4  # home -> 政府信息公开 -> 法定主动公开内容 -> 其他主动公开内容 -> report column
LAWGOV_MAX_LIST_PAGES = 200  # pages of one paginated list
LAWGOV_MAX_ARTICLE_PARTS = 30  # pages of one split article (TRS _1, _2 ...)
LAWGOV_PROGRESS_INTERVAL = 10  # seconds between progress lines

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.ContactUserAgentMiddleware": 400,
    "crawler.middlewares.ProxyMiddleware": 740,
}
ITEM_PIPELINES = {
    "pipelines.item_pipelines.ProcessPipeline": 300,
    "pipelines.item_pipelines.ArchivePipeline": 800,
}
EXTENSIONS = {
    "crawler.extensions.Progress": 500,
}
