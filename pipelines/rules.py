"""Declarative knowledge about Chinese government portal pages, used by ``pipelines.extract``
and ``pipelines.encoding``.

Data only (in the manner of trafilatura's ``xpaths.py``): body containers, comment markers,
chrome elements and chrome lines, metadata labels, <meta> names, title suffixes, date shapes and
charset aliases. ``pipelines/extract.py`` applies these tables and holds no site knowledge; to
teach the extractor a new portal family, add rows here.

Sources: docs/CONTRACTS.md, /work/shared/REAL-WEB-NOTES.md and the seed texts.
"""

from __future__ import annotations


def _cls(*names: str) -> str:
    """XPath predicate: the element has one of ``names`` as a class token (as spelled)."""
    return "(" + " or ".join(
        f"contains(concat(' ', normalize-space(@class), ' '), ' {n} ')" for n in names
    ) + ")"


def _cls_part(*parts: str) -> str:
    """XPath predicate: one of ``parts`` occurs inside the class attribute (as spelled)."""
    return "(" + " or ".join(f"contains(@class, '{p}')" for p in parts) + ")"


def _id_part(*parts: str) -> str:
    """XPath predicate: one of ``parts`` occurs inside the id attribute (as spelled)."""
    return "(" + " or ".join(f"contains(@id, '{p}')" for p in parts) + ")"


# ---------------------------------------------------------------------------------------------
# Text preparation
# ---------------------------------------------------------------------------------------------

# A "<" followed by a CJK character or full-width punctuation is text, not a tag
# (`<辽宁省贯彻法治中国建设规划实施方案(2021—2025年)>`): escaped before parsing.
LITERAL_LT_PATTERN = (
    r"<(?=[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f])"
)

# Characters between which a source line break is dropped instead of becoming a space
# (CSS segment-break transformation for wide scripts).
WIDE_CHARS = (
    r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff"
    r"\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)

# ---------------------------------------------------------------------------------------------
# Body location
# ---------------------------------------------------------------------------------------------

# Pairs of markers: the body is everything between them in document order (first start, then the
# first end after it). Tried before the containers.
BODY_MARKERS: list[dict] = [
    {   # Hanweb 大汉
        "name": "hanweb-zjeg-comments",
        "start": "//comment()[contains(., 'ZJEG_RSS.content.begin')]",
        "end": ("//comment()[contains(., 'ZJEG_RSS.content.end')]"
                "[preceding::comment()[contains(., 'ZJEG_RSS.content.begin')]]"),
        "hint": "zjeg_rss.content.begin",
    },
    {   # Hanweb: <meta name="ContentStart"> … <meta name="ContentEnd">
        "name": "hanweb-content-meta",
        "start": "//meta[@name='ContentStart']",
        "end": "//meta[@name='ContentEnd'][preceding::meta[@name='ContentStart']]",
        "hint": "contentstart",
    },
]

# Body containers, most specific first. The first rule that matches an element whose text has
# at least ``min_chars`` non-space characters wins; among several matches of one rule the one
# with the longest text is taken. ``hint``: a string (lower case) the page source must contain
# for the rule to be tried at all (saves the XPath on most pages).
BODY_CONTAINERS: list[dict] = [
    {"name": "ucap-content", "xpath": "//ucapcontent", "min_chars": 1, "hint": "ucapcontent"},
    {"name": "gov.cn-ucap", "xpath": "//*[@id][@id='UCAP-CONTENT']", "min_chars": 1,
     "hint": "ucap-content"},
    {"name": "trs-ueditor", "xpath": f"//div[@class][{_cls('TRS_UEDITOR', 'trs_ueditor')}]",
     "min_chars": 1, "hint": "trs_ueditor"},
    {"name": "trs-editor", "xpath": f"//div[@class][{_cls('TRS_Editor', 'TRS_EDITOR', 'trs_editor')}]",
     "min_chars": 1, "hint": "trs_editor"},
    {"name": "zoom", "xpath": "//*[@id][@id='zoom' or @id='Zoom' or @id='ZOOM']", "min_chars": 1,
     "hint": "zoom"},
    {"name": "fontzoom", "xpath": "//*[@id][@id='fontzoom' or @id='fontZoom' or @id='FontZoom']",
     "min_chars": 1, "hint": "fontzoom"},
    {"name": "pages-content", "xpath": f"//*[@class][{_cls('pages_content')}]", "min_chars": 1,
     "hint": "pages_content"},
    {"name": "zoomcon", "xpath": "//*[@id][@id='zoomcon' or @id='zoomCon']", "min_chars": 1,
     "hint": "zoomcon"},
    {"name": "article-content", "xpath": (
        f"//*[@class][{_cls('article-content', 'article_content', 'articleContent', 'article-con', 'art_con')}]"),
     "min_chars": 30, "hint": "art"},
    {"name": "td-content", "xpath": f"//td[@class][{_cls('content', 'bt_content')}]",
     "min_chars": 30, "hint": "content"},
    {"name": "view", "xpath": (
        f"//div[{_cls('view', 'zw', 'zwnr', 'con_txt', 'news_content', 'detail-content', 'xxgk_content')}"
        " or @id='content-text' or @id='mainText']"),
     "min_chars": 50},
    # old hand-made layouts: the body is text between <br>s straight inside a <td> or <div>
    {"name": "br-text-block", "xpath": "//*[self::td or self::div or self::p][count(br) >= 4]",
     "min_chars": 300, "hint": "<br"},
]

# A table cell with more text than this, holding <p>/<br>/<div>, makes its table a layout table
# (its cells are read as blocks, not as one line per row).
LAYOUT_CELL_CHARS = 300

# Elements dropped from the body before its text is taken (XPaths relative to the body; they
# are joined into one union and compiled once).
CHROME_ELEMENTS: list[str] = [
    # never text
    ".//script", ".//style", ".//noscript", ".//template", ".//iframe", ".//object",
    ".//embed", ".//svg", ".//select", ".//button", ".//input", ".//textarea", ".//nav",
    ".//footer",
    # hidden
    ".//*[@style][contains(translate(@style, ' ', ''), 'display:none')]",
    ".//*[@style][contains(translate(@style, ' ', ''), 'visibility:hidden')]",
    # share bars, font-size widgets, print/close buttons, QR codes
    ".//*[@class]["
    + _cls_part("share", "Share", "bdshare", "fenxiang", "jiathis", "fontsize", "fontSize",
                "font-size", "font_size", "zihao", "ziti", "print", "Print", "dayin", "closewin",
                "guanbi", "qrcode", "QRcode", "ewm", "erweima", "scan-code")
    + " or " + _cls("font", "close") + "]",
    ".//*[@id][" + _id_part("share", "fontsize", "font_size", "print", "qrcode") + "]",
    # breadcrumbs
    ".//*[@class][" + _cls_part("breadcrumb", "Breadcrumb", "crumb", "location", "dqwz", "weizhi")
    + " or " + _cls("position", "bread") + "]",
    ".//*[@id][" + _id_part("location", "breadcrumb", "position") + "]",
    # related links, previous / next
    ".//*[@class][" + _cls_part("related", "relevant", "xgwz", "xglj", "xgxx", "prevnext",
                                "prev-next", "pre_next", "pre-next", "nextpage", "shangxia")
    + " or " + _cls("prev", "next", "pre") + "]",
    ".//*[@id][" + _id_part("related") + "]",
    # footers
    ".//*[@class][" + _cls_part("footer", "copyright", "banquan") + " or " + _cls("bottom") + "]",
    ".//*[@id][" + _id_part("footer", "bottom", "copyright") + "]",
    # metadata tables / info bars kept out of the text
    ".//*[@class][" + _cls_part("xxgk_table", "xxgk-table", "xxgk_head", "xxgk-head", "zwgk_head",
                                "article-info", "articleinfo", "art-info", "article_info",
                                "pages-date", "pages_date", "doc-info")
    + " or " + _cls("xxgk", "info", "source", "meta") + "]",
]

# ---------------------------------------------------------------------------------------------
# Chrome lines
# ---------------------------------------------------------------------------------------------
# Reports use many of the same words as page chrome (无障碍环境建设, 扫码亮证, 网站访问量,
# 适老化改造), so the patterns carry chrome context: a colon, a bracket, a line start, or a
# phrase no report uses.

# Searched in body lines of at most CHROME_LINE_MAX_CHARS characters (footers can be long).
CHROME_LINE_MAX_CHARS = 160
CHROME_LINES: list[str] = [
    # 【字体：大 中 小】, 字号：默认 大 超大, 文字大小 (also traditional, from /gate/big5/ copies)
    r"(字\s*[体體]|字\s*[号號]|文字大小)\s*[:：]?\s*[【\[(（]?\s*(大|默认|默認)\s*[】\])）]?\s*[【\[(（]?\s*(中|大)",
    r"打印本[页頁]|打印此[页頁]|打印本文|打印文章|打印正文|我要打印|[【\[]\s*打\s*印\s*[】\]]",
    r"[关關][闭閉]窗口|[关關][闭閉]本[页頁]|[关關][闭閉][页頁]面|[【\[]\s*[关關]\s*[闭閉]\s*[】\]]",
    r"分享到|分享至",
    r"扫一扫在手机|掃一掃在手機|手机打开当前页|手機打開當前頁|扫码阅读|扫码查看|手机扫码访问|用手机扫描|"
    r"扫描二维码(分享|阅读|打开)",
    r"[当當]前位置\s*[:：]|您现在的位置|您現在的位置|您的位置\s*[:：]|所在位置\s*[:：]|现在位置\s*[:：]",
    r"^首\s*[页頁]\s*[>》›/]",
    r"^[【\[]?\s*[上下]\s*一\s*[篇条條]|[上下]\s*一\s*[篇条條]\s*[:：]",
    r"(浏览|瀏覽|访问|訪問|阅读|閱讀|点击|點擊)(次数|次數|量|数|數)\s*[:：]",
    r"^(主办|承办|协办|主辦|承辦|協辦)(单位|單位)?\s*[:：]|[|｜丨]\s*(主办|承办|主辦|承辦)(单位|單位)?\s*[:：]",
    r"网站标识码|網站標識碼|ICP\s*备|ICP\s*備|ICP\s*证|ICP\s*證|公网安备|公網安備",
    r"技术支持\s*[:：]|技術支持\s*[:：]|技术支撑\s*[:：]",
    r"版权所有|版權所有|Copyright|©",
    r"无障碍(浏览|阅读|服务)|無障礙(瀏覽|閱讀)|长者模式|長者模式|关怀版|長者版|长者版",
    r"收藏本页|加入收藏|设为首页|設為首頁|返回顶部|返回頂部|网站地图|網站地圖|联系我们|聯繫我們|我要纠错",
    r"^(【|\[)?(发布|發佈|發布|发表|更新|信息)(时间|時間|日期)\s*[:：]",
]
# Whole short lines that are widgets ("打印", "大 中 小", "【纠错】", "无障碍").
CHROME_SHORT_LINE_MAX_CHARS = 24
CHROME_SHORT_LINES: list[str] = [
    r"^[【\[(（]?\s*大\s*[】\])）]?\s*[【\[(（]?\s*中\s*[】\])）]?\s*[【\[(（]?\s*小\s*[】\])）]?$",
    r"^([【\[]?\s*(打印|关闭|關閉|收藏|纠错|分享|返回|顶部|无障碍|無障礙|繁體|简体|簡體|繁体|登录|注册|"
    r"扫一扫|掃一掃|手机版|English|RSS)\s*[】\]]?\s*[|｜/]?\s*)+$",
]

# A short line that opens a related-links block: it and everything after it are dropped.
TAIL_MARKER_MAX_CHARS = 40
TAIL_MARKERS: list[str] = [
    r"^[【\[]?(相关链接|相关文章|相关阅读|相关新闻|相关文件|相关稿件|相关信息|相关推荐|延伸阅读|"
    r"推荐阅读|热点推荐|猜你喜欢)[】\]]?\s*[:：]?$",
]

# A line with no letter, digit or CJK character ("|", "——") is layout debris.
DEBRIS_LINE = r"^[\W_]*$"

# ---------------------------------------------------------------------------------------------
# Metadata
# ---------------------------------------------------------------------------------------------

# Visible labels (spaces inside are ignored when matching) → field. None: a known label whose
# value is not kept (it still ends the previous value and marks the line as metadata chrome).
# Longer labels are tried first.
METADATA_LABELS: dict[str, str | None] = {
    "索引号": "index_no", "信息索引号": "index_no", "索取号": "index_no", "内容索引号": "index_no",
    "文号": "doc_no", "发文字号": "doc_no", "发文文号": "doc_no", "文件编号": "doc_no",
    "文件文号": "doc_no",
    "发布机构": "issuer", "发文机关": "issuer", "制发机构": "issuer", "发文单位": "issuer",
    "发布单位": "issuer", "发布机关": "issuer", "发文机构": "issuer", "公开主体": "issuer",
    "信息公开主体": "issuer",
    "成文日期": "written", "成文时间": "written", "印发日期": "written", "发文日期": "written",
    "发布日期": "published", "发布时间": "published", "公开日期": "published",
    "公开时间": "published", "信息发布时间": "published", "发表时间": "published",
    "发表日期": "published", "日期": "published", "时间": "published",
    "标题": "title", "名称": "title", "文件名称": "title", "信息名称": "title",
    "来源": "source", "信息来源": "source", "文章来源": "source", "稿件来源": "source",
    "稿源": "source",
    "主题词": "keywords", "关键词": "keywords", "关键字": "keywords",
    # labels whose values are not kept
    "分类": None, "主题分类": None, "体裁分类": None, "组配分类": None, "主题": None,
    "服务对象分类": None, "服务对象": None, "有效性": None, "是否有效": None, "时效": None,
    "生效时间": None, "生效日期": None, "终止时间": None, "废止时间": None, "废止日期": None,
    "失效时间": None, "公开方式": None, "公开范围": None, "公开形式": None, "公开时限": None,
    "访问次数": None, "浏览次数": None, "阅读次数": None, "点击数": None, "点击次数": None,
    "浏览量": None, "阅读量": None, "字体": None, "字号": None, "作者": None, "编辑": None,
    "责任编辑": None, "审核": None, "发布人": None, "所属机构": None, "信息类别": None,
    "载体类型": None, "语种": None, "统一编号": None, "登记号": None, "内容概述": None,
    "摘要": None, "有效期": None, "机构": None, "信息分类": None,
    "所属主题": None, "生成日期": None,
}
# The same labels as a /gate/big5/ gateway serves them (Traditional characters).
METADATA_LABELS.update({
    "索引號": "index_no", "信息索引號": "index_no", "文號": "doc_no", "發文字號": "doc_no",
    "發佈機構": "issuer", "發布機構": "issuer", "發文機關": "issuer", "制發機構": "issuer",
    "成文時間": "written", "發文日期": "written",
    "發佈日期": "published", "發布日期": "published", "發佈時間": "published",
    "發布時間": "published", "公開日期": "published", "公開時間": "published", "時間": "published",
    "標題": "title", "名稱": "title", "文件名稱": "title",
    "來源": "source", "信息來源": "source", "文章來源": "source",
    "主題詞": "keywords", "關鍵詞": "keywords",
    "分類": None, "主題分類": None, "體裁分類": None, "信息分類": None, "有效性": None,
    "公開方式": None, "瀏覽次數": None, "訪問次數": None, "點擊數": None, "字體": None,
    "字號": None, "作者": None, "責任編輯": None, "生效時間": None, "廢止時間": None,
})

# Characters that may stand right before a label inside a line (besides the line start).
LABEL_BEFORE = r"\s|｜丨/【\[（(;；,，"
# A metadata line starts with a label, after these characters, or after a bare date and time
# (www.gov.cn: "2024-03-28 17:30 来源：水利部网站").
LABEL_PREFIX_IGNORED = " \t\u3000\xa0【[（(|｜"
LABEL_DATE_PREFIX = (
    r"^[\s\xa0\u3000]*(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?"
    r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?[\s\xa0\u3000|｜]*$"
)
# Brackets around labels ("【发布时间：…】") and the colons that end them.
LABEL_OPEN_BRACKETS = "【[（("
LABEL_CLOSE_BRACKETS = "】]）)"
LABEL_COLONS = ":："
# What separates a label from its value (Beijing: "[发文机构] 北京市…", the label in brackets).
LABEL_AFTER = r"[ \u3000\xa0]*(?:[:：]|[\]】]|\t|$)"
# A value stops at one of these (besides the next label).
VALUE_STOP = r"\t|[ \u3000\xa0]{2,}|[|｜丨【\[]"
# Values that mean "none".
EMPTY_VALUES = {"", "无", "暂无", "-", "--", "—", "——", "/", "null", "none", "空"}
# Metadata lines are short; longer lines are body text and are not searched for labels.
METADATA_LINE_MAX_CHARS = 300
# Characters trimmed off values.
VALUE_TRIM = " \t\u3000\xa0|｜丨:：】]）)【[（(;；,，"

# <meta name=… content=…> (names lower-cased) → field. "generated" (page generation time) is a
# last-resort publication date.
META_FIELDS: dict[str, str] = {
    "articletitle": "title",
    "pubdate": "published", "publishdate": "published", "firstpublishedtime": "published",
    "publishtime": "published", "dc.date": "published",
    "maketime": "generated", "others": "generated",
    "contentsource": "source",
    "sitename": "site_name",
    "columnname": "column",
    "keywords": "keywords",
}
# Attributes on <meta> tags that carry a value themselves (UCAP: others="页面生成时间 …").
META_VALUE_ATTRIBUTES: dict[str, str] = {"others": "generated"}

# ---------------------------------------------------------------------------------------------
# Title
# ---------------------------------------------------------------------------------------------

# Candidate headings, in order of preference (each is checked against the <title> text).
TITLE_HEADINGS: list[str] = [
    "//*[@class]["
    + _cls_part("article-title", "article_title", "articletitle", "articleTitle", "Article-title",
                "detail-title", "con-title", "con_title", "xxgk_title", "share-title",
                "news_title", "content-title", "content_title")
    + " or " + _cls("title", "tit", "bt") + "]",
    "//*[@id='title' or @id='ivs_title']",
    "//h1", "//h2", "//h3",
    "//td[@class][" + _cls_part("title", "biaoti") + "]",
]
TITLE_MIN_CHARS = 5
TITLE_MAX_CHARS = 150

# Separators between the article title and the site name in <title>.
TITLE_SEPARATORS = r"\s*[_＿|｜]\s*|\s+[-—–]{1,2}\s+|\s*-{2,}\s*"
# A dash-joined tail that is stripped only when it looks like a site name.
TITLE_DASH_TAIL = r"\s*[-—–－]{1,2}\s*([^-—–－]{2,40})$"
# What a site name looks like (also used to reject logo headings).
SITE_NAME = (
    r"^[\u4e00-\u9fff]{0,24}(人民政府|人民政府网|政府网|政府网站|门户网站|政务网|政务服务网|网站|"
    r"门户|政府|司法局|办公室|办公厅|委员会|人民政府办公室)$"
)

# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

DATE_PATTERNS: list[str] = [
    # 2024-03-04, 2024- 03- 04 16: 22, 2024/03/04, 2024.03.04, 2024年3月4日
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)",
    # 20240304
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)",
]

# ---------------------------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------------------------

# Declared charset (lower-cased) → codec actually used.
CHARSET_ALIASES: dict[str, str] = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "gb_2312": "gb18030",
    "x-gbk": "gb18030", "cp936": "gb18030", "ms936": "gb18030", "windows-936": "gb18030",
    "csgb2312": "gb18030", "euc-cn": "gb18030", "x-euc-cn": "gb18030", "chinese": "gb18030",
    "iso-ir-58": "gb18030", "gb18030": "gb18030", "hz-gb-2312": "gb18030",
    "big5": "big5hkscs", "x-big5": "big5hkscs", "cn-big5": "big5hkscs", "big5-hkscs": "big5hkscs",
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "utf-8": "utf-8",
    "unicode": "utf-16", "ucs-2": "utf-16",
}
# Declarations that are almost always wrong on Chinese pages (a Western single-byte charset):
# the bytes are checked against UTF-8 and detection first.
WEAK_CHARSETS = {"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii"}
# Detector answers taken as they are; any other (a Western single-byte charset) loses to a strict
# GB18030 decode.
TRUSTED_DETECTIONS = {"utf-8", "gb18030", "big5hkscs", "utf-16-le", "utf-16-be", "utf-32-le",
                      "utf-32-be"}
# Fallbacks tried, in order, when the declared charset fails strictly.
FALLBACK_CHARSETS = ["utf-8", "gb18030", "big5hkscs"]
# Decoded text with more than this share of control / replacement characters in its first
# BINARY_SNIFF_CHARS characters is not a page (an image, a gzip stream): nothing is extracted.
BINARY_SNIFF_CHARS = 2000
# File signatures of things fetched where a page was expected (report attachments: PDF, DOC/WPS,
# DOCX/OFD zip; images; compressed streams).
BINARY_MAGIC = (
    b"%PDF-", b"\xd0\xcf\x11\xe0", b"PK\x03\x04", b"\x89PNG", b"GIF87a", b"GIF89a",
    b"\xff\xd8\xff", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf", b"II*\x00", b"MM\x00*",
)
BINARY_MAX_SHARE = 0.1
# Bytes are UTF-8 when at most one character in this many is damaged.
UTF8_MAX_ERROR_RATIO = 100
# A page that fails its declared charset keeps it when at most one character in this many is
# damaged (a byte cut out of the middle of a character).
DAMAGED_PAGE_MAX_ERROR_RATIO = 1000
# Where <meta charset> is looked for.
META_SNIFF_BYTES = 4096
