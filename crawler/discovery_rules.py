"""Where reports live on gov portals: the spider's knowledge, kept as data.

The spider (crawler/spiders/reports.py) applies these tables; it holds no site knowledge itself.
Sources: ../shared/REAL-WEB-NOTES.md (CMS families, pagination idioms, URL shapes).
"""

import re

# Anchor texts of links that lead towards the report column, best first. A link whose text matches
# REPORT_COLUMN_ANCHORS is the report column itself: every article listed in it is fetched.
REPORT_COLUMN_ANCHORS = re.compile(
    r"法治政府建设(?:年度)?(?:情况)?报告|法治政府建设年报|法治政府年度报告|法治建设年度报告"
)
# Columns that may hold reports among other things: walked, but only promising anchors are fetched.
NAVIGATION_ANCHORS = re.compile(
    r"^(?:.{0,12})(?:法治政府建设|法治政府|依法行政|法治建设|政府信息公开|信息公开|法定主动公开|主动公开|"
    r"政务公开|其他主动公开|通知公告|工作报告|规划计划|重要文件)(?:.{0,12})$"
)
# Anchor texts of articles worth fetching outside a report column (look-alikes included on purpose:
# the classifier decides, and rejected pages are kept with their reason).
ARTICLE_ANCHORS = re.compile(r"法治|依法行政|法制|報告|报告|總結|总结|法治政府")

# Article (detail) URL shapes of the CMS families, from real portals.
DETAIL_URL_PATTERNS = [
    re.compile(p)
    for p in (
        r"/t\d{8}_\d+(?:_\d+)?\.s?html?$",  # TRS WCM
        r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",  # Hanweb 大汉
        r"/\d{6}/[0-9a-f]{32}\.s?html?$",  # 开普云 UCAP
        r"/content/post_\d+\.html$",  # Guangdong intensive platform
        r"/content_\d+\.s?htm",  # www.gov.cn and ministries
        r"/(?:art|article|content|detail|info|view|show)\w*\.(?:s?html?|jsp|aspx?|php)\?.*\b(?:id|articleid|docid|infoid|newsid|contentid)=\w+",
        r"[?&](?:articleid|docid|infoid|newsid|contentid|ArticleID)=\w+",
        r"/\d{4}-?\d{2}(?:-?\d{2})?/[^/]+\.s?html?$",  # dated folders
    )
]

# Links that are never articles nor columns: files, scripts, mail, search forms.
SKIP_URL_PATTERNS = re.compile(
    r"^(?:javascript:|mailto:|tel:|#)|\.(?:jpe?g|png|gif|bmp|css|js|zip|rar|7z|exe|apk|mp4|mp3|flv|swf)(?:$|\?)",
    re.I,
)

# Pagination anchors ("下一页", page numbers) that lead to another page of the same list.
PAGINATION_ANCHORS = re.compile(r"^\s*(?:下一页|下页|后页|尾页|末页|\d{1,4}|>|>>|»|›)\s*$")

# TRS page scripts: createPageHTML(total, current, "index", "html") (0-based: index.html, index_1.html)
TRS_PAGER = re.compile(
    r"create(?:PageHTML|Page)\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w.-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
# Other TRS list variant: var countPage = 12 with index_{i}.shtml alongside
TRS_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")

# Hanweb jpage lists: records are POSTed for, 3 pages of `perpage` per request as the real script does.
JPAGE_PROXY = re.compile(r"/module/(?:web|jslib/jquery)/jpage/dataproxy\.jsp")
JPAGE_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid",
                "webname", "permissiontype")
JPAGE_DEFAULTS = {"col": "1", "appid": "1", "path": "/", "sourceContentType": "1",
                  "permissiontype": "0"}
JPAGE_PERPAGE = 15
JPAGE_BATCH = 45
# Records embedded in the page or returned by dataproxy.jsp
JPAGE_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
JPAGE_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")

# Start URLs with these paths are home pages (walked towards the column); any other start URL is
# taken to be the report column itself.
HOME_PATHS = re.compile(r"^/?(?:index\.(?:s?html?|jsp|aspx?|php))?$|^/(?:gate/big5/[^/]+/)?$", re.I)

# Links to a portal's Traditional-script gateway (/gate/big5/…): a second home page, walked like the
# first, so converted copies are seen and merged with their originals.
GATEWAY_ANCHORS = re.compile(r"^\s*(?:繁[體体](?:版|中文)?|正體|BIG5)\s*$", re.I)

# -- JavaScript-built lists, read without a browser (crawler/jslists.py) --------------------------
# Fujian TRS + avalon: listModel({... listArgs:{channelid:…, classsql:…}, pagebar:{prepage:10,
# recordCount:'20'}}); pages after maxStaticIndex come from a POST search endpoint answering JSON.
LISTMODEL_CALL = re.compile(r"\blistModel\s*\(\s*\{")
LISTMODEL_ENDPOINT = "/fjdzapp/search"  # the platform's default when the page names none
LISTMODEL_ENDPOINT_ARG = re.compile(r"\b(?:searchUrl|url|action)\s*:\s*['\"]([^'\"]*search[^'\"]*)['\"]")
LISTMODEL_SORT = "-docorderpri,-docreltime"
LISTMODEL_DEFAULT_PREPAGE = 10
# Records as JSON (an array in a <script>, or a search endpoint's answer): keys naming the link and title.
RECORD_URL_KEYS = ("url", "docpuburl", "linkurl", "link", "href", "docurl", "puburl", "path")
RECORD_TITLE_KEYS = ("title", "doctitle", "name", "subject", "topic", "t")
# Start of a JSON array of objects inside a script (var list = [{…}], window.__DATA__ = {"list":[…]}).
SCRIPT_JSON_START = re.compile(r"(?<=[=(:,])\s*(\[\s*\{|\{\s*\")")
# 站内搜索: what a portal's site search is asked when its report column is unknown.
SEARCH_QUERY = "法治政府建设年度报告"

# The date a list shows next to an article link (<li><a …>title</a><span>2024-03-28</span></li>,
# <td>[2024-03-28]</td>, 2024-3-28, 2024年03月28日): read from the link's list item, outside the
# anchor. A date later than the one archived for that URL means the page changed: it is fetched again
# (crawler/incremental.py).
LIST_ITEM_TEXT = "ancestor::*[self::li or self::tr or self::dd][1]//text()[not(ancestor::a)]"
LIST_DATE = re.compile(r"(20\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
