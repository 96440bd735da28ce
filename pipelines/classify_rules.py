"""Rule tables for ``pipelines.classify`` (data only; the code that applies them is in classify.py).

Everything here is matched against *normalized* text (``normalize_title`` / ``normalize_text``):
Simplified, NFKC (so ASCII ``( ) : ,``), no spaces between CJK characters.

How a page is decided
---------------------
1. The title is split at CMS separators (``TITLE_SEPARATORS``); segments that are only a site
   name, breadcrumb, meeting subtitle or date (``SITE_SEGMENT``) are dropped. The *core* is the
   remaining segment that names the topic, with trailing parentheticals (``(全文)``,
   ``(2024年3月)``), file extensions, document numbers and 【】 prefix tags removed
   (``TITLE_CORE_STRIP``) and a wrapping 《》 unwrapped.
2. ``TITLE_RULES`` are tried in order; the first match wins. Each rule is
   ``(conditions, verdict, reason)``; ``conditions`` maps a field to a pattern and all must be
   found. Fields: ``"main"`` (the normalized title without site-name / breadcrumb /
   meeting-subtitle segments, trailing parentheticals kept, so "(征求意见稿)" still counts) and
   ``"core"`` (the segment naming the topic, parentheticals cut). ``verdict`` is ``True`` (a
   report), ``False`` (a look-alike), or one of the two "let the body decide" values below.
   ``reason`` may contain ``{0}``, filled with the text the first pattern matched (or its first
   group).
3. When the title leaves the decision to the body (or the title is empty), ``BODY_RULES`` are
   tried in order on the body's opening. ``BODY`` allows every body rule; ``BODY_STRICT`` (titles
   that look like news or that only mention the topic) skips the rules marked ``weak``.
   If no body rule fires, the title rule's reason stands (verdict False).
"""

from __future__ import annotations

# Verdicts besides True / False.
BODY = "body"                # the title is neutral: any body rule may decide
BODY_STRICT = "body-strict"  # the title leans away from a report: only strong body evidence counts

# --- vocabulary ---------------------------------------------------------------------------------

# The subject of the report.
TOPIC_PRIMARY = r"法治政府"
# Older / departmental names for the same report ("2021年度依法行政工作报告", "法治建设工作情况…的
# 报告", "法治公安建设"), accepted only after the 第一责任人/述法 look-alike rule.
TOPIC_SECONDARY = (
    r"依法行政|法治建设|法治(?:公安|税务|财政|交通|交通运输|卫健|卫生健康|教育|民政|海关|水利|"
    r"自然资源|生态环境|环境|环保|市场监管|人社|城管|城市管理|商务|统计|审计|应急|农业农村|住建|"
    r"文旅|林业|气象|医保|退役军人|机关|部门|检察|法院)建设"
)
TOPIC_ANY = rf"(?:{TOPIC_PRIMARY}|{TOPIC_SECONDARY})"

# How a report's title ends (after the core has been cut).
REPORT_ENDING = r"(?:报告|总结|汇报|年报)书?$"

# A covered-year-like token in a title: Arabic or Chinese-numeral year.
YEAR_TOKEN = r"(?:(?:19|20)\d\d|[一二][〇零○O0一二三四五六七八九]{3})"

# Words of news items about meetings, publications and achievements; a report title has none of
# them before its subject.
NEWS_WORDS = (
    r"召开|举行|举办|召集|主持|出席|听取|审议|部署|调度|视察|走访|观摩|发布|公布|印发|转发|获评|荣获|"
    r"入选|成功|亮点|纪实|会议|推进会|座谈会|培训|动员|启动|见成效|结硕果|取得|"
    r"向[^,]{0,15}(?:人大|常委会|政协)"
)

# --- title core -----------------------------------------------------------------------------------

# Separators a CMS puts between a title and the site name / subtitle.
# Dashes count only between non-digits, so ranges like "(2021—2025年)" stay whole.
# (normalize_title has already removed the spaces around a dash between CJK characters.)
TITLE_SEPARATORS = r"\s*(?:_|\||｜|(?<!\d)(?:——|--|—|–|-)(?!\d))\s*"
# A segment is dropped when it looks like a site or organisation name, a breadcrumb, a meeting
# subtitle or a date, and mentions neither the topic nor a report ending.
SITE_SEGMENT = (
    r"(?:人民政府|政府网|门户网站?|网站|网|平台|频道|栏目|首页|政府|司法局|司法厅|委员会|办公室|"
    r"办公厅|中心|局|厅|委|办|信息公开|政务公开|政府信息公开专栏|公开目录|会议上(?:的报告)?|会议|"
    r"(?:19|20)\d\d年\d{1,2}月(?:\d{1,2}日)?)$"
)
# Pieces removed from the end (repeatedly) or start of the core.
TITLE_CORE_STRIP = [
    r"\.(?:pdf|docx?|wps|ofd|html?|shtml|jsp)$",                      # file names used as titles
    r"\s*(?:\([^()]{0,40}\)|【[^【】]{0,40}】|\[[^\[\]]{0,40}\]|〔[^〔〕]{0,40}〕)$",  # (全文) (2024年3月)
    # trailing document number, cut right after the report word ("…的报告X政发〔2024〕5号")
    r"(?<=报告|总结|汇报|年报)\s*[\u4e00-\u9fffA-Za-z]{1,10}〔(?:19|20)\d\d〕\d+号$",
    r"\s*(?:19|20)\d\d(?:[-/.]\d{1,2}[-/.]\d{1,2}|年\d{1,2}月\d{1,2}日)$",  # trailing date
    r"^\s*[【\[][^】\]]{1,12}[】\]]\s*",                                # 【转载】 [图文] prefixes
]

# --- title rules ----------------------------------------------------------------------------------

# (conditions, verdict, reason). conditions: {field: pattern}; every pattern must be found
# (re.search) in its field. "{0}" in reason is replaced by the first condition's first group (or
# whole match).
TITLE_RULES: list[tuple[dict[str, str], object, str]] = [
    # -- look-alikes that no body can rescue --------------------------------------------------
    ({"main": r"征求意见|意见征集|草案|送审稿|讨论稿"}, False, "title:lookalike:征求意见稿"),
    ({"main": r"信息公开|政务公开"}, False, "title:lookalike:政府信息公开年度报告"),
    ({"main": r"解读|图解|一图|图说|图读|读懂|看懂|问答|答记者问|答问|动漫|微视频|视频|海报|长图|H5"},
     False, "title:lookalike:解读"),
    ({"main": r"讲话|致辞|发言|述职|述法|访谈|专访|采访"}, False, "title:lookalike:讲话述法"),
    ({"main": r"评估|测评|评价报告|评议|评查|自评|自查|满意度"}, False, "title:lookalike:第三方评估"),
    ({"main": r"调研报告|调查报告|研究报告|分析报告|审计报告|调研|课题|论文|浅析|浅谈|探析|思考|对策|"
              r"启示"},
     False, "title:lookalike:调研文章"),
    ({"main": r"如何|怎样|怎么|为何|为什么|写好|写作|范文|模板|参考格式|范本|样本|蓝皮书|白皮书|发展报告|"
              r"指数|研究院|研究会|学会|知识竞赛|知识测试"},
     False, "title:lookalike:文章书刊"),
    ({"main": r"年鉴|大事记|地方志"}, False, "title:lookalike:年鉴"),
    ({"main": r"考核|考评|督察|督查|督导|巡查|检查|通报|排名|得分|等次|整改"}, False,
     "title:lookalike:考核督察"),
    ({"main": r"(?<!法治)政府工作报告"}, False, "title:lookalike:政府工作报告"),
    ({"main": r"示范(?:创建|区|市|县|单位|项目|地区|乡镇|街道|镇|点)|创建.{0,10}示范|示范创建"}, False,
     "title:lookalike:示范创建"),
    ({"main": r"一览表|统计表|汇总表|情况表|目录|名录|清单|台账|名单|索引|列表|专栏"}, False,
     "title:lookalike:列表"),
    ({"core": r"上半年|下半年|半年度?|[一二三四1-4]季度|前三季度|月份|\d{1,2}-\d{1,2}月|月报|周报"},
     False, "title:lookalike:非年度"),
    ({"core": r"十三五|十四五|五年|三年来|五年来|中期"}, False, "title:lookalike:多年总结"),
    # -- a report followed by next year's plan: "…工作总结暨2024年工作要点", "…情况报告及2024年工作计划"
    ({"core": rf"{TOPIC_ANY}.*(?:报告|总结|情况)(?:暨|和|及|与|以及|、)(?:{YEAR_TOKEN})年度?(?:工作)?"
              r"(?:要点|计划|安排|打算|思路)$"},
     True, "title:report-pattern:with-plan"),
    # -- a notice publishing a report: the page may carry the report itself -------------------
    ({"core": r"报告.{0,4}(公告|公示|公开|公布)$"}, BODY_STRICT, "title:ambiguous:公开公告"),
    # -- the document type named at the end of the title is not a report -----------------------
    ({"core": r"(通知|通告|公告|通报|复函|函|批复|请示|议案|决定|决议|意见|建议|提案|办法|规定|细则|"
              r"规则|制度|方案|要点|计划|规划|纲要|安排|指引|指南|标准|公开|纪要|简报|动态|综述|回顾|"
              r"巡礼|掠影|侧记|展播|快讯|报道|新闻|文章|作品|手册|汇编|问卷|倡议书|承诺书|责任书|结果)$"},
     False, "title:lookalike:文种:{0}"),
    # -- the formal "(issuer)关于…的报告" with no news verb before 关于 ("…及2024年工作部署的报告")
    ({"core": rf"^(?:(?!{NEWS_WORDS}).)*关于.*{TOPIC_PRIMARY}.*的(?:报告|汇报|总结)$"}, True,
     "title:report-pattern"),
    # -- news and notices: only a body that is itself a report turns these around --------------
    ({"core": NEWS_WORDS}, BODY_STRICT, "title:lookalike:新闻动态"),
    ({"core": r"报送|上报|提交|编制|撰写|做好|抓紧|按时|及时"}, BODY_STRICT, "title:ambiguous:报送"),
    # -- the report itself ---------------------------------------------------------------------
    # topic + report ending, with a year or with something (issuer, "关于") before the topic
    ({"core": rf"{TOPIC_PRIMARY}.*{REPORT_ENDING}", "main": YEAR_TOKEN}, True, "title:report-pattern"),
    ({"core": rf"^.+{TOPIC_PRIMARY}.*{REPORT_ENDING}"}, True, "title:report-pattern"),
    # a bare generic name ("法治政府建设年度报告") is also a column or list heading
    ({"core": rf"^{TOPIC_PRIMARY}.*{REPORT_ENDING}"}, BODY, "title:generic-report-name"),
    # the 第一责任人 / 述法 report is a different document unless it names 法治政府建设 (above)
    ({"core": r"第一责任人|履职|履行.{0,8}职责"}, False, "title:lookalike:第一责任人履职报告"),
    ({"core": rf"(?:{TOPIC_SECONDARY}).*{REPORT_ENDING}", "main": YEAR_TOKEN}, True,
     "title:report-pattern:secondary-topic"),
    ({"core": rf"^.+(?:{TOPIC_SECONDARY}).*{REPORT_ENDING}"}, True,
     "title:report-pattern:secondary-topic"),
    ({"core": rf"^(?:{TOPIC_SECONDARY}).*{REPORT_ENDING}"}, BODY, "title:generic-report-name"),
    # -- undecided by the title ----------------------------------------------------------------
    # "XX县2021年度法治政府建设工作情况": probably the report under a clipped title
    ({"core": rf"{TOPIC_ANY}.*(?:情况|工作)$", "main": YEAR_TOKEN}, BODY,
     "title:topic-year-without-report"),
    ({"core": TOPIC_ANY}, BODY_STRICT, "title:topic-without-report"),
    ({"core": REPORT_ENDING}, BODY, "title:generic-report"),
    ({"core": r"."}, BODY_STRICT, "no-report-signal"),
]

# --- body rules -----------------------------------------------------------------------------------

BODY_WINDOW = 2500      # characters of the (normalized) body considered "the opening"
TITLE_LINE_MAX = 80     # a body line this short, without sentence punctuation, may be the title
TITLE_LINE_SCAN = 25    # how many leading body lines are looked at for a title line
SENTENCE_PUNCT = r"[。,;!?]"
# Lines that name a report without being the page's title: attachments, download links.
TITLE_LINE_EXCLUDE = r"^附件|附件[:\d]|下载|\.(?:pdf|docx?|wps|xlsx?|ofd|zip|rar)$"

# "现将2023年度法治政府建设情况报告如下" and its variants. The topic must occur in the same line
# before the phrase (the first paragraph usually names 法治政府建设 before "现将有关情况报告如下").
REPORT_OPENING = (
    r"(?:现将|现就|特将|兹将|现把)[^。\n]{0,80}?(?:报告|汇报|总结|报送)如下"
    r"|(?:具体|有关|相关|主要)?(?:工作)?情况(?:报告|汇报)如下"
)
# A line that is only an addressee: "县人大常委会:", "市委、市政府:", "市委依法治市办:". A report
# goes to one superior; a distribution list ("各县(市、区)人民政府,市政府各部门:") is a notice.
ADDRESSEE_LINE = (
    r"^(?!各)(?!.*(?:各部门|各单位|有关单位|各级|各有关))[^,。;]{0,30}"
    r"(?:人大常委会|人民代表大会常务委员会|人民政府|政府|党委|党组|委员会|依法治[省市县区旗]办|"
    r"依法治[省市县区旗]委员会办公室|司法局|司法厅|市委|县委|区委|州委|旗委)(?:[、,][^,。;]{0,20})?:$"
)
# A line that opens with the covered year: "2023年,…" / "2020年度,我区法治政府建设工作…"
YEAR_OPENING = r"^(?:19|20)\d\d年度?(?:以来)?(?!\d{1,2}月)"
YEAR_OPENING_TOPIC_WITHIN = 20  # the topic must be the subject: "2020年度,我区法治政府建设工作…"
# ...but not a plan: "2023年全市法治政府建设工作的总体要求是…" (a 工作要点 without its title)
YEAR_OPENING_EXCLUDE = r"总体要求|工作要点|主要任务|重点任务|目标任务|指导思想|工作安排"
YEAR_OPENING_EXCLUDE_WITHIN = 40

# (name, weak, reason): applied in this order by classify._body_verdict.
BODY_RULES = [
    ("title-line", False, "body:title-line"),
    ("report-opening", False, "body:report-opening"),
    ("addressed-report", False, "body:addressed-report"),
    ("year-opening", True, "body:year-opening"),
]

# --- covered year -----------------------------------------------------------------------------------

CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_YEAR = r"[一二][〇零○O0一二三四五六七八九]{3}(?=年)"
# Removed from a title before looking for years: ranges, document numbers, full dates.
YEAR_NOISE = [
    r"(?:19|20)\d\d\s*年?\s*[-—–~至到]\s*(?:19|20)\d\d\s*年?",   # (2021-2025年)
    r"[〔\[【(](?:19|20)\d\d[〕\]】)]\s*\d*号?",                  # 〔2020〕2号
    r"(?:19|20)\d\d年\d{1,2}月(?:\d{1,2}日)?",                     # 2024年3月4日
    r"(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}",                      # 2024-03-04
]
# A year followed by one of these is the *next* year's plan ("暨2024年工作要点"), not the covered one.
PLAN_AFTER_YEAR = (
    r"年度?(?:[^\d年,。]{0,6})?(?:工作)?(?:要点|计划|安排|打算|思路|规划|展望)"
    r"(?=$|的|》|”|和|及|暨|、|\)|报告|汇报)"
)
# Body patterns, tried in order on the opening, each yielding the covered year in group 1.
BODY_YEAR_PATTERNS = [
    r"(?:现将|现就|特将|兹将)[^。\n]{0,20}?((?:19|20)\d\d)年",
    r"(?m)^((?:19|20)\d\d)年度?(?!\d{1,2}月)",
    r"(?m)^[一1][、.]\s*((?:19|20)\d\d)年",
]
BODY_YEAR_WINDOW = 1500
EARLIEST_YEAR = 2000
