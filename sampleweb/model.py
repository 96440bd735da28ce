"""The sample web as data: portals, their columns and their articles.

Everything the server serves and everything the ground truth says is derived from ``PORTALS``.
Nothing here renders HTML; ``sampleweb.render`` turns this model into page bytes.

Conventions
- ``Article.path`` is the URL path of the article's first (or only) page; the other parts of a split
  article are derived from it by ``part_paths()`` (TRS style ``t…_1.html``, ``t…_2.html``).
- ``Article.body`` names a file in ``sampleweb/bodies`` (one paragraph per line; a line of the form
  ``|a|b|c|`` is a table row); filler news carry their text inline in ``Article.text``.
- ``doc_key`` is the identity of a distinct document: cross-posts and the Traditional gateway copy
  share it. It defaults to ``"<portal key>:<article key>"``.
- Dates: ``published`` is ``"YYYY-MM-DD HH:MM"``, ``written`` is ``"YYYY-MM-DD"``.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

# --------------------------------------------------------------------------------------------------
# data classes


@dataclass(frozen=True)
class Attachment:
    """A report published as a file. The article's ``body`` is the file's text (the gold text); the
    detail page shows only a stub (详见附件 / 附件：name) linking ``path``."""
    kind: str                        # pdf | docx | scan (image-only PDF) | doc | wps
    path: str                        # URL path the file is served at (query included for servlets)
    name: str                        # file name in the link text
    direct: bool = False             # listed in the column itself: no detail page, Article.path == path
    content_type: str | None = None  # default by kind; download servlets answer octet-stream

    @property
    def readable(self) -> bool:
        """Whether lawgov can take the text from the file (scans need OCR; DOC/WPS are not converted)."""
        return self.kind in ("pdf", "docx")


@dataclass(frozen=True)
class Article:
    key: str
    path: str
    title: str
    published: str
    column: str                      # primary column key (breadcrumb, meta ColumnName)
    body: str | None = None          # file name in sampleweb/bodies
    text: tuple[str, ...] = ()       # inline text (filler news)
    also_in: tuple[str, ...] = ()    # other columns listing the article
    is_report: bool = False
    doc_key: str | None = None
    year: int | None = None          # year covered (reports only)
    written: str | None = None
    issuer: str | None = None        # 发布机构 / 发文机关
    source: str | None = None        # 来源
    index_no: str | None = None
    doc_no: str | None = None
    topic: str = "其他"               # 主题分类
    keywords: str = ""
    parts: int = 1
    big5_body: str | None = None     # body file for the Traditional gateway copy (pinyin annotated)
    attachment: Attachment | None = None   # the report is this file; the page is a stub (issue 9)
    # a repost edited by the reposting site (issue 5): its own first sentence, and a spam line
    # injected at (line index, text); the archive must still merge it with the original
    first_sentence: str | None = None
    injected: tuple[int, str] | None = None


@dataclass(frozen=True)
class Column:
    key: str
    name: str
    path: str                        # first list page
    paging: str = "single"           # trs | hanweb | ucap-query | next-link | asp | single | nav
                                     # | listmodel (Fujian, POST JSON) | jsonlist (records in a script)
    per_page: int = 15
    parent: str | None = None        # column key, for breadcrumbs
    children: tuple[str, ...] = ()   # nav pages: child columns shown as blocks
    info_public: bool = True         # detail pages carry the 政府信息公开 metadata table
    columnid: int | None = None      # Hanweb columnid (unitid is the portal's)
    chnl_id: int | None = None       # TRS ChnlId meta


@dataclass(frozen=True)
class Special:
    """A page that is neither a list nor an article: search results, an intranet draft."""
    path: str
    kind: str                        # search | private
    title: str
    body: str | None = None


@dataclass(frozen=True)
class Portal:
    key: str
    name: str                        # registry name
    host: str
    site_name: str                   # <title> suffix, SiteName meta
    issuer: str
    region_code: str
    level: str
    family: str                      # trs | hanweb | ucap | table
    home: str
    start: tuple[str, ...]           # registry start paths (home page or report column)
    columns: tuple[Column, ...]
    articles: tuple[Article, ...]
    menu: tuple[tuple[str, str], ...]          # top navigation (label, href)
    links: tuple[tuple[str, str], ...]         # footer 友情链接 / 相关网站 (mostly off-domain)
    footer: dict = field(default_factory=dict)
    robots_disallow: tuple[str, ...] = ()
    specials: tuple[Special, ...] = ()
    charset: str = "utf-8"           # declared charset
    encoding: str = "utf-8"          # actual byte encoding
    gateway: bool = False            # serves /gate/big5/<host>/… Traditional copies of every page
    site_code: str = ""              # SiteIDCode
    webid: int | None = None         # Hanweb
    unitid: int | None = None        # Hanweb
    proxy_path: str = "/module/web/jpage/dataproxy.jsp"
    list_ext: str = "html"           # TRS list/detail page extension
    allowed_domains: tuple[str, ...] = ()
    server: str = "nginx"
    variant: str = ""                # per-family template variant
    home_blocks: tuple[str, ...] = ()  # columns whose latest items the home page lists
    notes: str = ""                  # registry notes: what this portal exercises
    search_path: str = ""            # 站内搜索 endpoint; registry search_url = path + "…q={query}"

    # -- helpers -----------------------------------------------------------------------------------
    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"{self.key}: no column {key!r}")

    def column_items(self, key: str) -> list[Article]:
        items = [a for a in self.articles if a.column == key or key in a.also_in]
        return sorted(items, key=lambda a: a.published, reverse=True)

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    @property
    def gateway_prefix(self) -> str:
        return f"/gate/big5/{self.host}"


def part_paths(article: Article) -> list[str]:
    """Paths of every page of an article: ``x.html``, ``x_1.html``, ``x_2.html`` …"""
    if article.parts <= 1:
        return [article.path]
    stem, dot, ext = article.path.rpartition(".")
    return [article.path] + [f"{stem}_{i}.{ext}" for i in range(1, article.parts)]


def doc_key(portal: Portal, article: Article) -> str:
    return article.doc_key or f"{portal.key}:{article.key}"


def _hex(seed: str) -> str:
    """UCAP style 32-hex document id, stable for a seed."""
    return hashlib.md5(seed.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------------
# filler news: ordinary items that share columns with the reports

_FILLER_POOL = (
    "活动中，工作人员通过发放宣传资料、现场答疑、案例讲解等方式，向群众普及与日常生活密切相关的法律知识，"
    "引导群众依法表达诉求、依法维护权益。",
    "会议要求，各单位要提高思想认识，细化工作措施，压实工作责任，确保各项任务按时保质完成。",
    "培训采取专题授课、案例分析和现场测试相结合的方式，内容涵盖行政处罚法、行政许可法、行政强制法等法律法规，"
    "以及行政执法文书制作规范和执法全过程记录要求。",
    "下一步，将持续加强督促指导，及时跟踪问题整改情况，推动工作制度化、规范化、常态化。",
    "据了解，此次活动共发放宣传资料3000余份，接受群众现场咨询200余人次，取得了良好的社会效果。",
    "检查组采取听取汇报、查阅资料、实地查看等方式，对各单位工作开展情况进行了全面检查，"
    "并对发现的问题当场反馈、限期整改。",
    "与会人员纷纷表示，将以此次会议为契机，进一步增强责任感和紧迫感，以更加务实的作风抓好工作落实。",
    "近年来，相关部门坚持问题导向，不断完善工作机制，服务群众的能力和水平持续提升。",
)


def _filler_text(title: str, published: str) -> tuple[str, ...]:
    m, d = int(published[5:7]), int(published[8:10])
    h = int(hashlib.md5(title.encode("utf-8")).hexdigest(), 16)
    a = _FILLER_POOL[h % len(_FILLER_POOL)]
    b = _FILLER_POOL[(h // 7 + 3) % len(_FILLER_POOL)]
    if b == a:
        b = _FILLER_POOL[(h + 1) % len(_FILLER_POOL)]
    return (f"{m}月{d}日，{title}。", a, b)


def news(key: str, path: str, title: str, published: str, column: str, **kw) -> Article:
    """An ordinary news item (not a report) with generated text unless ``text`` is given."""
    kw.setdefault("text", _filler_text(title, published))
    kw.setdefault("topic", "综合政务")
    return Article(key=key, path=path, title=title, published=published, column=column, **kw)


def _jiaojiang_fillers() -> tuple[Article, ...]:
    """45 ordinary items for 椒江's 法治政府建设 column: enough that two dataproxy requests are needed."""
    units = ("区司法局", "区市场监管局", "区综合行政执法局", "海门街道", "白云街道", "葭沚街道", "洪家街道",
             "下陈街道", "前所街道", "章安街道", "三甲街道", "大陈镇", "区交通运输局", "区自然资源和规划分局",
             "区卫生健康局")
    acts = ("开展民法典宣传月活动", "举办行政执法人员业务培训班", "开展行政执法案卷评查", "组织领导干部旁听庭审",
            "开展“法律进企业”服务活动", "推进“大综合一体化”行政执法改革", "举办“宪法宣传周”系列活动")
    out = []
    first, anchor = datetime.date(2024, 6, 28), datetime.date(2024, 3, 4)   # anchor: art_1229_5123
    for i in range(45):
        unit = units[i % len(units)]
        title = unit + acts[(i * 3 + i // len(units)) % len(acts)]
        day = first - datetime.timedelta(days=4 * i)
        pub = f"{day.isoformat()} {9 + i % 8:02d}:{(i * 13) % 60:02d}"
        art_id = 5123 + (day - anchor).days * 3 + 1
        path = f"/art/{day.year}/{day.month}/{day.day}/art_1229_{art_id}.html"
        source = "椒江" + unit if unit.startswith("区") else unit
        out.append(news(f"jj-news-{i}", path, title, pub, "col1229", source=source))
    return tuple(out)


# --------------------------------------------------------------------------------------------------
# the portals

OFF_SC = (("中国政府网", "http://www.gov.cn/"), ("四川省人民政府", "http://www.sc.gov.cn/"),
          ("四川政务服务网", "http://www.sczwfw.gov.cn/"))

NANCHONG = Portal(
    key="nanchong",
    notes="TRS WCM (TRS_Editor); start at the home page, report column three menu levels down (政府信息公开 > 法定主动公开内容 > 法治政府建设年度报告); createPageHTML list paging; a report split over 3 pages; cross-posts of a county and a department report; robots.txt forbids /search/",
    name="南充市人民政府", host="www.nanchong.gov.cn.test", site_name="南充市人民政府",
    issuer="南充市人民政府", region_code="511300", level="city", family="trs", home="/index.html",
    start=("/index.html",), site_code="5113000012", server="nginx", variant="trs-editor", home_blocks=("zwyw",),
    robots_disallow=("/search/", "/cms/"),
    footer=dict(sponsor="南充市人民政府办公室", undertaker="南充市电子政务服务中心",
                icp="蜀ICP备05029665号-1", police="川公网安备51130202000205号",
                tech="拓尔思信息技术股份有限公司", phone="0817-2222345"),
    menu=(("首页", "/index.html"), ("新闻动态", "/xwdt/index.html"), ("政府信息公开", "/zwgk/index.html"),
          ("政务服务", "http://www.sczwfw.gov.cn/jiq/front/index?areaCode=511300000000"),
          ("互动交流", "/hdjl/index.html"), ("走进南充", "/zjnc/index.html")),
    links=OFF_SC + (("南充市司法局", "http://sfj.nanchong.gov.cn.test/"),
                    ("嘉陵区人民政府", "http://www.cnjialing.gov.cn.test/")),
    columns=(
        Column("xwdt", "新闻动态", "/xwdt/index.html", "nav", children=("zwyw",), info_public=False),
        Column("zwyw", "政务要闻", "/xwdt/zwyw/index.html", "trs", per_page=3, parent="xwdt",
               info_public=False, chnl_id=10231),
        Column("zwgk", "政府信息公开", "/zwgk/index.html", "nav", children=("fdzdgknr", "zfxxgknb", "zcjd")),
        Column("fdzdgknr", "法定主动公开内容", "/zwgk/fdzdgknr/index.html", "nav", parent="zwgk",
               children=("fzzfjsndbg", "zfgzbg")),
        Column("fzzfjsndbg", "法治政府建设年度报告", "/zwgk/fdzdgknr/fzzfjsndbg/index.html", "trs",
               per_page=2, parent="fdzdgknr", chnl_id=10468),
        Column("zfgzbg", "政府工作报告", "/zwgk/fdzdgknr/zfgzbg/index.html", "trs", per_page=15,
               parent="fdzdgknr", chnl_id=10455),
        Column("zfxxgknb", "政府信息公开年报", "/zwgk/zfxxgknb/index.html", "trs", per_page=15,
               parent="zwgk", chnl_id=10412),
        Column("zcjd", "政策解读", "/zwgk/zcjd/index.html", "trs", per_page=15, parent="zwgk",
               chnl_id=10419),
    ),
    articles=(
        Article("nc-2023", "/zwgk/fdzdgknr/fzzfjsndbg/202403/t20240328_693227.html",
                "南充市人民政府关于2023年度法治政府建设情况的报告", "2024-03-28 10:15", "fzzfjsndbg",
                body="nanchong_2023_report.txt", is_report=True, doc_key="nanchong-2023", year=2023,
                written="2024-03-26", issuer="南充市人民政府", source="南充市司法局",
                index_no="11511300008585142X/2024-00125", parts=3, topic="司法",
                keywords="法治政府建设,年度报告,依法行政"),
        Article("nc-2023-jiedu", "/zwgk/fdzdgknr/fzzfjsndbg/202403/t20240329_693301.html",
                "《南充市人民政府关于2023年度法治政府建设情况的报告》解读", "2024-03-29 09:30",
                "fzzfjsndbg", also_in=("zcjd",), body="nanchong_jiedu_2023.txt", written="2024-03-29",
                issuer="南充市司法局", source="南充市司法局", index_no="11511300008585142X/2024-00131",
                keywords="政策解读,法治政府建设年度报告", topic="司法"),
        Article("sfj-2023-x", "/zwgk/fdzdgknr/fzzfjsndbg/202402/t20240221_688104.html",
                "南充市司法局2023年度法治政府建设工作情况报告", "2024-02-21 15:02", "fzzfjsndbg",
                body="nanchong_sfj_2023_report.txt", is_report=True, doc_key="nanchong-sfj-2023",
                year=2023, written="2024-02-18", issuer="南充市司法局", source="南充市司法局",
                index_no="11511300008585142X/2024-00064", topic="司法"),
        Article("nc-notice", "/zwgk/fdzdgknr/fzzfjsndbg/202401/t20240110_681275.html",
                "关于做好2023年度法治政府建设年度报告工作的通知", "2024-01-10 16:40", "fzzfjsndbg",
                body="nanchong_notice_2023.txt", written="2024-01-08",
                issuer="南充市全面依法治市委员会办公室", source="南充市司法局",
                doc_no="南法治办〔2024〕2号", index_no="11511300008585142X/2024-00012", topic="司法"),
        Article("nc-yaodian", "/zwgk/fdzdgknr/fzzfjsndbg/202304/t20230412_612038.html",
                "南充市2023年法治政府建设工作要点", "2023-04-12 11:20", "fzzfjsndbg",
                body="nanchong_yaodian_2023.txt", written="2023-04-07", issuer="南充市人民政府办公室",
                source="南充市人民政府办公室", doc_no="南府办函〔2023〕31号",
                index_no="11511300008585142X/2023-00877", topic="司法"),
        Article("jl-2021-x", "/zwgk/fdzdgknr/fzzfjsndbg/202203/t20220322_1234567.html",
                "嘉陵区人民政府关于2021年度法治政府建设工作的报告", "2022-03-22 09:46", "fzzfjsndbg",
                body="jialing_2021_report.txt", is_report=True, doc_key="jialing-2021", year=2021,
                written="2022-03-18", issuer="嘉陵区人民政府", source="嘉陵区司法局",
                index_no="11511300008585142X/2022-00321", topic="司法"),
        Article("nc-gzbg", "/zwgk/fdzdgknr/zfgzbg/202401/t20240129_684562.html",
                "2024年南充市人民政府工作报告", "2024-01-29 17:45", "zfgzbg",
                body="nanchong_gzbg_2024.txt", written="2024-01-22", issuer="南充市人民政府",
                source="南充日报", index_no="11511300008585142X/2024-00077", topic="综合政务"),
        Article("nc-xxgk", "/zwgk/zfxxgknb/202401/t20240131_684990.html",
                "南充市人民政府2023年政府信息公开工作年度报告", "2024-01-31 10:00", "zfxxgknb",
                body="nanchong_xxgk_2023.txt", written="2024-01-30", issuer="南充市人民政府办公室",
                source="南充市人民政府办公室", index_no="11511300008585142X/2024-00081",
                topic="政务公开"),
        news("nc-n1", "/xwdt/zwyw/202405/t20240516_701234.html", "市政府召开第58次常务会议",
             "2024-05-16 18:30", "zwyw", source="南充日报"),
        news("nc-n2", "/xwdt/zwyw/202405/t20240509_699811.html", "全市优化营商环境工作推进会召开",
             "2024-05-09 16:12", "zwyw", source="南充市人民政府办公室"),
        news("nc-n3", "/xwdt/zwyw/202405/t20240506_699102.html", "南充市启动2024年“民法典宣传月”活动",
             "2024-05-06 09:48", "zwyw", source="南充市司法局"),
        news("nc-n4", "/xwdt/zwyw/202404/t20240425_697740.html", "市政府与西南石油大学签署战略合作协议",
             "2024-04-25 20:05", "zwyw", source="南充日报"),
        news("nc-n5", "/xwdt/zwyw/202404/t20240417_696321.html", "全市法治政府建设工作会议召开",
             "2024-04-17 17:36", "zwyw", source="南充市司法局"),
        news("nc-n6", "/xwdt/zwyw/202404/t20240408_695014.html", "全市安全生产工作会议召开",
             "2024-04-08 18:02", "zwyw", source="南充市应急管理局"),
        news("nc-n7", "/xwdt/zwyw/202403/t20240329_693410.html", "我市开展行政执法人员业务能力提升培训",
             "2024-03-29 15:27", "zwyw", source="南充市司法局"),
    ),
    specials=(Special("/search/index.html", "search", "站内搜索"),),
)

SFJ = Portal(
    key="nanchong-sfj",
    notes="TRS WCM department site, .shtml; start at the report column; list paging by a countPage script (no createPageHTML call)",
    name="南充市司法局", host="sfj.nanchong.gov.cn.test", site_name="南充市司法局",
    issuer="南充市司法局", region_code="511300", level="department", family="trs",
    home="/index.shtml", start=("/zwgk/fzzfjsndbg/index.shtml",), site_code="5113000038",
    list_ext="shtml", variant="trs-countpage", server="Apache", home_blocks=("fzzfjsndbg",),
    robots_disallow=("/wcm/",),
    footer=dict(sponsor="南充市司法局", undertaker="南充市司法局办公室", icp="蜀ICP备05029665号-6",
                police="川公网安备51130202000319号", tech="拓尔思信息技术股份有限公司", phone="0817-2805100"),
    menu=(("首页", "/index.shtml"), ("政务公开", "/zwgk/index.shtml"),
          ("法治政府建设年度报告", "/zwgk/fzzfjsndbg/index.shtml"), ("公共法律服务", "http://sc.12348.gov.cn/"),
          ("南充市人民政府", "http://www.nanchong.gov.cn.test/")),
    links=(("中华人民共和国司法部", "http://www.moj.gov.cn/"), ("四川省司法厅", "http://sft.sc.gov.cn/"),
           ("南充市人民政府", "http://www.nanchong.gov.cn.test/index.html")),
    columns=(
        Column("zwgk", "政务公开", "/zwgk/index.shtml", "nav", children=("fzzfjsndbg",)),
        Column("fzzfjsndbg", "法治政府建设年度报告", "/zwgk/fzzfjsndbg/index.shtml", "trs", per_page=2,
               parent="zwgk", chnl_id=2231),
    ),
    articles=(
        Article("sfj-2023", "/zwgk/fzzfjsndbg/202402/t20240220_7012345.shtml",
                "南充市司法局2023年度法治政府建设工作情况报告", "2024-02-20 17:05", "fzzfjsndbg",
                body="nanchong_sfj_2023_report.txt", is_report=True, doc_key="nanchong-sfj-2023",
                year=2023, written="2024-02-18", issuer="南充市司法局", source="南充市司法局",
                index_no="11511300008585142X/2024-00018", topic="司法"),
        news("sfj-n1", "/zwgk/fzzfjsndbg/202403/t20240305_7020118.shtml", "市司法局召开2024年全市司法行政工作会议",
             "2024-03-05 16:40", "fzzfjsndbg", source="南充市司法局", issuer="南充市司法局"),
        news("sfj-n2", "/zwgk/fzzfjsndbg/202312/t20231212_6958731.shtml", "市司法局开展2023年度行政执法案卷评查",
             "2023-12-12 11:08", "fzzfjsndbg", source="南充市司法局", issuer="南充市司法局"),
    ),
)

JIALING = Portal(
    key="jialing",
    notes="开普云 UCAP (Sichuan); start at the report column; 下一页 links to list_N.shtml; the original of a report cross-posted on the city portal",
    name="嘉陵区人民政府", host="www.cnjialing.gov.cn.test", site_name="南充市嘉陵区人民政府",
    issuer="嘉陵区人民政府", region_code="511304", level="county", family="ucap", home="/index.shtml",
    start=("/jlq/c104012/list.shtml",), site_code="5113040001", server="Apache-Coyote/1.1",
    variant="ucap-sichuan", robots_disallow=("/ucap/", "/manage/"), home_blocks=("c104005",),
    footer=dict(sponsor="南充市嘉陵区人民政府办公室", undertaker="南充市嘉陵区大数据中心",
                icp="蜀ICP备05029665号-9", police="川公网安备51130402000108号",
                tech="北京开普云信息科技有限公司", phone="0817-3612345"),
    menu=(("首页", "/index.shtml"), ("政府信息公开", "/jlq/zfxxgk/index.shtml"),
          ("工作动态", "/jlq/c104005/list.shtml"), ("政务服务", "http://www.sczwfw.gov.cn/jiq/front/index?areaCode=511304000000"),
          ("南充市人民政府", "http://www.nanchong.gov.cn.test/index.html")),
    links=OFF_SC + (("南充市人民政府", "http://www.nanchong.gov.cn.test/"),),
    columns=(
        Column("zfxxgk", "政府信息公开", "/jlq/zfxxgk/index.shtml", "nav", children=("c104012",)),
        Column("c104012", "法治政府建设", "/jlq/c104012/list.shtml", "next-link", per_page=2,
               parent="zfxxgk"),
        Column("c104005", "工作动态", "/jlq/c104005/list.shtml", "next-link", per_page=15,
               info_public=False),
    ),
    articles=(
        Article("jl-meeting", f"/jlq/c104012/202304/{_hex('jl-meeting')}.shtml",
                "嘉陵区召开2023年法治政府建设工作会议", "2023-04-18 17:20", "c104012",
                body="jialing_meeting_2023.txt", source="嘉陵区司法局", issuer="嘉陵区司法局",
                index_no="11511304008641229N/2023-00412", topic="司法"),
        Article("jl-2021", f"/jlq/c104012/202203/{_hex('jl-2021')}.shtml",
                "嘉陵区人民政府关于2021年度法治政府建设工作的报告", "2022-03-22 09:40", "c104012",
                body="jialing_2021_report.txt", is_report=True, doc_key="jialing-2021", year=2021,
                written="2022-03-18", issuer="嘉陵区人民政府", source="嘉陵区司法局",
                index_no="11511304008641229N/2022-00137", topic="司法"),
        news("jl-n1", f"/jlq/c104012/202211/{_hex('jl-n1')}.shtml", "嘉陵区开展2022年度法治政府建设督察",
             "2022-11-10 10:05", "c104012", source="嘉陵区司法局", issuer="嘉陵区司法局"),
        news("jl-n2", f"/jlq/c104012/202206/{_hex('jl-n2')}.shtml",
             "嘉陵区举办2022年行政执法人员综合法律知识培训班", "2022-06-21 15:30", "c104012",
             source="嘉陵区司法局", issuer="嘉陵区司法局"),
        news("jl-n3", f"/jlq/c104005/202404/{_hex('jl-n3')}.shtml", "嘉陵区召开2024年一季度经济运行分析会",
             "2024-04-12 18:10", "c104005", source="嘉陵区融媒体中心"),
        news("jl-n4", f"/jlq/c104005/202403/{_hex('jl-n4')}.shtml", "嘉陵区开展“3·15”国际消费者权益日宣传活动",
             "2024-03-15 16:45", "c104005", source="嘉陵区市场监管局"),
    ),
)

JIAOJIANG = Portal(
    key="jiaojiang",
    notes="大汉 Hanweb; start at the site root; list items only via POST to /module/web/jpage/dataproxy.jsp (48 records: two requests of 45)",
    name="椒江区人民政府", host="www.jiaojiang.gov.cn.test", site_name="椒江区人民政府",
    issuer="椒江区人民政府", region_code="331002", level="county", family="hanweb", home="/index.html",
    start=("/",), site_code="3310020001", webid=2817, unitid=5932, server="Tengine", home_blocks=("col1229",),
    allowed_domains=("www.jiaojiang.gov.cn.test",), robots_disallow=("/manager/",),
    footer=dict(sponsor="台州市椒江区人民政府办公室", undertaker="台州市椒江区大数据发展中心",
                icp="浙ICP备05017283号-1", police="浙公网安备33100202000123号", tech="南京大汉网络有限公司",
                phone="0576-88812345"),
    menu=(("首页", "/index.html"), ("政府信息公开", "/col/col1228/index.html"),
          ("法治政府", "/col/col1229/index.html"), ("浙江政务服务网", "https://www.zjzwfw.gov.cn/"),
          ("台州市人民政府", "http://www.zjtz.gov.cn.test/")),
    links=(("中国政府网", "http://www.gov.cn/"), ("浙江省人民政府", "http://www.zj.gov.cn/"),
           ("台州市人民政府", "http://www.zjtz.gov.cn.test/"), ("浙江政务服务网", "https://www.zjzwfw.gov.cn/")),
    columns=(
        Column("col1228", "政府信息公开", "/col/col1228/index.html", "nav", children=("col1229", "col1230")),
        Column("col1229", "法治政府建设", "/col/col1229/index.html", "hanweb", per_page=15,
               parent="col1228", columnid=1229),
        Column("col1230", "政府信息公开年报", "/col/col1230/index.html", "hanweb", per_page=15,
               parent="col1228", columnid=1230),
    ),
    articles=(
        Article("jj-2023", "/art/2024/3/4/art_1229_5123.html", "椒江区2023年度法治政府建设情况的报告",
                "2024-03-04 16:22", "col1229", body="jiaojiang_2023_report.txt", is_report=True,
                doc_key="jiaojiang-2023", year=2023, written="2024-03-04", issuer="区政府办公室",
                source="椒江区人民政府", index_no="11331002002673575G/2024-154968", topic=""),
        Article("jj-haimen", "/art/2023/2/20/art_1229_4587.html",
                "海门街道办事处2022年度法治政府建设工作报告", "2023-02-20 10:31", "col1229",
                body="haimen_2022_report.txt", is_report=True, doc_key="haimen-2022", year=2022,
                written="2023-02-16", issuer="海门街道办事处", source="海门街道",
                index_no="113310020026718563/2023-098754", topic=""),
        Article("jj-ssfa", "/art/2022/4/15/art_1229_4102.html", "椒江区法治政府建设实施方案（2021—2025年）",
                "2022-04-15 15:08", "col1229", body="jiaojiang_ssfa.txt", written="2022-04-11",
                issuer="区政府办公室", source="椒江区人民政府", doc_no="椒政发〔2022〕8号",
                index_no="11331002002673575G/2022-061235", topic=""),
        Article("jj-xxgk", "/art/2024/1/26/art_1230_5051.html", "椒江区人民政府2023年政府信息公开工作年度报告",
                "2024-01-26 09:15", "col1230", body="jiaojiang_xxgk_2023.txt", written="2024-01-25",
                issuer="区政府办公室", source="椒江区人民政府", index_no="11331002002673575G/2024-150032",
                topic=""),
    ) + _jiaojiang_fillers(),
)

TAIZHOU = Portal(
    key="taizhou",
    notes="大汉 Hanweb, older jpage path /module/jslib/jquery/jpage/dataproxy.jsp; start at the report column; carries a county report cross-post",
    name="台州市人民政府", host="www.zjtz.gov.cn.test", site_name="台州市人民政府",
    issuer="台州市人民政府", region_code="331000", level="city", family="hanweb", home="/index.html",
    start=("/col/col1599/index.html",), site_code="3310000007", webid=1, unitid=6312,
    proxy_path="/module/jslib/jquery/jpage/dataproxy.jsp", server="Tengine", variant="hanweb-old",
    home_blocks=("col1599",),
    robots_disallow=("/manager/", "/jcms/"),
    footer=dict(sponsor="台州市人民政府办公室", undertaker="台州市大数据发展中心", icp="浙ICP备05017228号",
                police="浙公网安备33100202000001号", tech="南京大汉网络有限公司", phone="0576-88685000"),
    menu=(("首页", "/index.html"), ("政府信息公开", "/col/col1598/index.html"),
          ("法治政府建设年度报告", "/col/col1599/index.html"), ("浙江政务服务网", "https://www.zjzwfw.gov.cn/")),
    links=(("中国政府网", "http://www.gov.cn/"), ("浙江省人民政府", "http://www.zj.gov.cn/"),
           ("椒江区人民政府", "http://www.jiaojiang.gov.cn.test/")),
    columns=(
        Column("col1598", "政府信息公开", "/col/col1598/index.html", "nav", children=("col1599",)),
        Column("col1599", "法治政府建设年度报告", "/col/col1599/index.html", "hanweb", per_page=15,
               parent="col1598", columnid=1599),
    ),
    articles=(
        Article("tz-2023", "/art/2024/3/25/art_1599_4032.html", "台州市人民政府关于2023年度法治政府建设情况的报告",
                "2024-03-25 15:40", "col1599", body="taizhou_2023_report.txt", is_report=True,
                doc_key="taizhou-2023", year=2023, written="2024-03-22", issuer="台州市人民政府",
                source="市司法局", index_no="11331000002670234F/2024-214578", topic="司法"),
        Article("jj-2023-x", "/art/2024/3/6/art_1599_3988.html", "椒江区2023年度法治政府建设情况的报告",
                "2024-03-06 09:02", "col1599", body="jiaojiang_2023_report.txt", is_report=True,
                doc_key="jiaojiang-2023", year=2023, written="2024-03-04", issuer="椒江区人民政府",
                source="椒江区人民政府", index_no="11331000002670234F/2024-213990", topic="司法",
                first_sentence="近日，椒江区人民政府公布了2023年度法治政府建设情况，现转载如下。",
                injected=(6, "点击关注“台州发布”微信公众号，获取更多权威信息。")),
        news("tz-n1", "/art/2023/11/8/art_1599_3710.html", "台州市召开法治政府建设示范创建推进会",
             "2023-11-08 17:15", "col1599", source="市司法局"),
    ),
)

TIELINGXIAN = Portal(
    key="tielingxian",
    notes="old ASP table layout, declared gb2312 but bytes are gb18030 (堃, 镕); list.asp?page=N with 下一页; robots.txt forbids /private/ (linked draft report)",
    name="铁岭县人民政府", host="www.tielingxian.gov.cn.test", site_name="铁岭县人民政府",
    issuer="铁岭县人民政府", region_code="211221", level="county", family="table", home="/index.asp",
    start=("/index.asp",), charset="gb2312", encoding="gb18030", server="Microsoft-IIS/6.0",
    home_blocks=("yfxz", "xwdt"),
    robots_disallow=("/private/", "/admin/"),
    footer=dict(sponsor="铁岭县人民政府办公室", undertaker="铁岭县信息中心", icp="辽ICP备05003421号",
                police="辽公网安备21122102000011号", tech="铁岭县信息中心", phone="024-76812345",
                site_code="2112210001"),
    site_code="2112210001",
    menu=(("网站首页", "/index.asp"), ("县情概况", "/xqgk/index.asp"), ("政务公开", "/zwgk/index.asp"),
          ("依法行政", "/yfxz/list.asp"), ("新闻动态", "/xwdt/list.asp"), ("辽宁省人民政府", "http://www.ln.gov.cn/")),
    links=(("中国政府网", "http://www.gov.cn/"), ("辽宁省人民政府", "http://www.ln.gov.cn/"),
           ("铁岭市人民政府", "http://www.tieling.gov.cn/")),
    columns=(
        Column("zwgk", "政务公开", "/zwgk/index.asp", "nav", children=("yfxz", "xwdt")),
        Column("yfxz", "依法行政", "/yfxz/list.asp", "asp", per_page=4, parent="zwgk"),
        Column("xwdt", "新闻动态", "/xwdt/list.asp", "asp", per_page=20, info_public=False),
    ),
    articles=(
        Article("tlx-2023", "/yfxz/show.asp?id=1187", "铁岭县人民政府关于2023年度法治政府建设情况的报告",
                "2024-03-15 09:30", "yfxz", body="tielingxian_2023_report.txt", is_report=True,
                doc_key="tielingxian-2023", year=2023, written="2024-03-12", issuer="铁岭县人民政府",
                source="县司法局", index_no="211221/2024-00187", doc_no="铁县政〔2024〕11号"),
        Article("tlx-2021", "/yfxz/show.asp?id=862", "铁岭县人民政府关于2021年度法治政府建设情况的报告",
                "2022-07-06 14:12", "yfxz", body="tielingxian_2021_report.txt", is_report=True,
                doc_key="tielingxian-2021", year=2021, written="2022-07-04", issuer="铁岭县人民政府",
                source="县司法局", index_no="211221/2022-00862", doc_no="铁县政〔2022〕29号"),
        news("tlx-n1", "/yfxz/show.asp?id=1142", "县司法局开展“八五”普法中期检查", "2023-11-20 10:20", "yfxz",
             source="县司法局"),
        news("tlx-n2", "/yfxz/show.asp?id=1101", "县政府召开常务会议专题学习新修订的行政复议法",
             "2023-09-28 16:05", "yfxz", source="县政府办",
             text=("9月27日，县政府召开第23次常务会议，专题学习新修订的《中华人民共和国行政复议法》。",
                   "县委常委、副县长张镕领学，县司法局主要负责同志结合我县行政复议工作实际作解读。",
                   _FILLER_POOL[6])),
        news("tlx-n3", "/yfxz/show.asp?id=1003", "我县召开行政执法“三项制度”推进会", "2023-06-13 15:40", "yfxz",
             source="县司法局"),
        news("tlx-n4", "/yfxz/show.asp?id=958", "县司法局组织开展民法典进乡村宣传活动", "2023-05-22 09:10", "yfxz",
             source="县司法局"),
        news("tlx-n5", "/xwdt/show.asp?id=1175", "铁岭县召开2024年春耕生产工作会议", "2024-03-20 14:50", "xwdt",
             source="县农业农村局"),
        news("tlx-n6", "/xwdt/show.asp?id=1168", "县领导深入企业开展调研", "2024-03-08 11:25", "xwdt",
             source="县政府办"),
    ),
    specials=(Special("/private/show.asp?id=1203", "private", "铁岭县人民政府关于2023年度法治政府建设情况的报告（征求意见稿）",
                      body="tielingxian_2023_report.txt"),),
)

XIANGCHENG = Portal(
    key="xiangcheng",
    notes="开普云 UCAP (Hubei); start at the site root; report column four levels down; ?page=N paging",
    name="襄城区人民政府", host="www.xiangcheng.gov.cn.test", site_name="襄阳市襄城区人民政府",
    issuer="襄城区人民政府", region_code="420602", level="county", family="ucap", home="/index.shtml",
    start=("/",), site_code="4206020001", server="Apache-Coyote/1.1", variant="ucap-hubei",
    home_blocks=("c100801",),
    robots_disallow=("/ucap/",),
    footer=dict(sponsor="襄阳市襄城区人民政府办公室", undertaker="襄城区政务服务和大数据管理局",
                icp="鄂ICP备05003304号-1", police="鄂公网安备42060202000155号",
                tech="北京开普云信息科技有限公司", phone="0710-3512345"),
    menu=(("首页", "/index.shtml"), ("政府信息公开", "/xcq/zfxxgk/index.shtml"),
          ("湖北政务服务网", "http://zwfw.hubei.gov.cn/"), ("襄阳市人民政府", "http://www.xiangyang.gov.cn/")),
    links=(("中国政府网", "http://www.gov.cn/"), ("湖北省人民政府", "http://www.hubei.gov.cn/"),
           ("襄阳市人民政府", "http://www.xiangyang.gov.cn/")),
    columns=(
        Column("zfxxgk", "政府信息公开", "/xcq/zfxxgk/index.shtml", "nav", children=("c100808",)),
        Column("c100808", "法定主动公开内容", "/xcq/c100808/index.shtml", "nav", parent="zfxxgk",
               children=("c100810",)),
        Column("c100810", "其他主动公开内容", "/xcq/c100810/index.shtml", "nav", parent="c100808",
               children=("c100812",)),
        Column("c100812", "法治政府建设年度报告", "/xcq/c100812/list.shtml", "ucap-query", per_page=2,
               parent="c100810"),
        Column("c100801", "襄城要闻", "/xcq/c100801/list.shtml", "ucap-query", per_page=15, info_public=False),
    ),
    articles=(
        Article("xc-2020", f"/xcq/c100812/202101/{_hex('xc-2020')}.shtml",
                "襄城区人民政府2020年度法治政府建设工作报告", "2021-01-27 16:38", "c100812",
                body="xiangcheng_2020_report.txt", is_report=True, doc_key="xiangcheng-2020", year=2020,
                written="2021-01-27", issuer="襄城区人民政府", source="", topic="司法;其他",
                index_no="011158671/2021-03075"),
        news("xc-n1", f"/xcq/c100812/202106/{_hex('xc-n1')}.shtml", "襄城区开展行政执法案卷评查工作",
             "2021-06-10 09:00", "c100812", source="襄城区司法局", issuer="襄城区司法局",
             index_no="011158671/2021-07712"),
        news("xc-n2", f"/xcq/c100812/202102/{_hex('xc-n2')}.shtml", "襄城区2020年度法治政府建设考核工作圆满完成",
             "2021-02-05 11:30", "c100812", source="襄城区司法局", issuer="襄城区司法局",
             index_no="011158671/2021-03311"),
        news("xc-n3", f"/xcq/c100801/202404/{_hex('xc-n3')}.shtml", "襄城区召开2024年优化营商环境大会",
             "2024-04-02 17:20", "c100801", source="襄城区融媒体中心"),
        news("xc-n4", f"/xcq/c100801/202403/{_hex('xc-n4')}.shtml", "襄城区开展“学雷锋志愿服务月”活动",
             "2024-03-05 10:40", "c100801", source="襄城区融媒体中心"),
    ),
)

XIANGSHAN = Portal(
    key="xiangshan",
    notes="TRS WCM (TRS_UEDITOR trs_paper_default); 法治政府建设 menu link; /gate/big5/ Traditional copy of every page, the report with pinyin annotations",
    name="相山区人民政府", host="www.xiangshan.gov.cn.test", site_name="淮北市相山区人民政府",
    issuer="相山区人民政府", region_code="340603", level="county", family="trs", home="/index.html",
    start=("/index.html",), site_code="3406030001", gateway=True, server="nginx", variant="trs-ueditor",
    home_blocks=("fzzfjs",),
    robots_disallow=("/wcm/", "/site/search/"),
    footer=dict(sponsor="淮北市相山区人民政府办公室", undertaker="相山区数据资源管理局", icp="皖ICP备05017510号-1",
                police="皖公网安备34060302000091号", tech="拓尔思信息技术股份有限公司", phone="0561-3112345"),
    menu=(("首页", "/index.html"), ("政务公开", "/zwgk/index.html"), ("法治政府建设", "/zwgk/fzzfjs/index.html"),
          ("安徽政务服务网", "https://www.ahzwfw.gov.cn/"), ("淮北市人民政府", "http://www.huaibei.gov.cn/")),
    links=(("中国政府网", "http://www.gov.cn/"), ("安徽省人民政府", "http://www.ah.gov.cn/"),
           ("淮北市人民政府", "http://www.huaibei.gov.cn/")),
    columns=(
        Column("zwgk", "政务公开", "/zwgk/index.html", "nav", children=("fzzfjs",)),
        Column("fzzfjs", "法治政府建设", "/zwgk/fzzfjs/index.html", "trs", per_page=2, parent="zwgk",
               chnl_id=31277),
    ),
    articles=(
        Article("xs-2020", "/zwgk/fzzfjs/202103/t20210315_5123456.html",
                "相山区2020年法治政府建设工作情况报告", "2021-03-15 11:20", "fzzfjs",
                body="xiangshan_2020_report.txt", big5_body="xiangshan_2020_report.big5.txt",
                is_report=True, doc_key="xiangshan-2020", year=2020, written="2021-03-12",
                issuer="相山区人民政府", source="相山区司法局", index_no="11340603003167318K/202103-00012",
                topic="法治政府建设"),
        news("xs-n1", "/zwgk/fzzfjs/202105/t20210520_5290014.html", "相山区举办2021年度法治政府建设专题培训班",
             "2021-05-20 16:30", "fzzfjs", source="相山区司法局", issuer="相山区司法局",
             index_no="11340603003167318K/202105-00031"),
        news("xs-n2", "/zwgk/fzzfjs/202105/t20210508_5271133.html", "区司法局开展“美好生活·民法典相伴”主题宣传活动",
             "2021-05-08 10:12", "fzzfjs", source="相山区司法局", issuer="相山区司法局",
             index_no="11340603003167318K/202105-00007"),
        news("xs-n3", "/zwgk/fzzfjs/202101/t20210118_5012876.html", "相山区召开法治政府建设示范创建总结会",
             "2021-01-18 17:45", "fzzfjs", source="相山区司法局", issuer="相山区司法局",
             index_no="11340603003167318K/202101-00042"),
    ),
)

# --------------------------------------------------------------------------------------------------
# issue 9: reports published as attachments, and lists built by JavaScript (kept in one block)

_PDF = "application/pdf"

JIANYANG = Portal(
    key="jianyang",
    notes="福建 TRS + avalon: the report column is a listModel({listArgs:{channelid…}, pagebar:{recordCount…}}) list; page 1 static, page 2 only from a POST to /fjdzapp/search (JSON); reports as a PDF behind a stub page (./P0202….pdf), a scanned PDF (needs OCR) and a PDF listed directly in the column",
    name="南平市建阳区人民政府", host="www.jianyang.gov.cn.test", site_name="南平市建阳区人民政府",
    issuer="南平市建阳区人民政府", region_code="350703", level="county", family="fujian", home="/index.htm",
    start=("/index.htm",), site_code="3507030001", server="nginx", variant="trs-fujian", list_ext="htm",
    home_blocks=("jyyw",), robots_disallow=("/wcm/",),
    footer=dict(sponsor="南平市建阳区人民政府办公室", undertaker="建阳区融媒体中心", icp="闽ICP备05031563号-1",
                police="闽公网安备35070302000112号", tech="拓尔思信息技术股份有限公司", phone="0599-5822345"),
    menu=(("首页", "/index.htm"), ("建阳要闻", "/xwzx/jyyw/index.htm"), ("政府信息公开", "/zwgk/zfxxgk/index.htm"),
          ("闽政通", "https://mztapp.fujian.gov.cn/")),
    links=(("中国政府网", "http://www.gov.cn/"), ("福建省人民政府", "http://www.fujian.gov.cn/"),
           ("南平市人民政府", "http://www.np.gov.cn/")),
    columns=(
        Column("jyyw", "建阳要闻", "/xwzx/jyyw/index.htm", "single", info_public=False, chnl_id=1801),
        Column("zfxxgk", "政府信息公开", "/zwgk/zfxxgk/index.htm", "nav", children=("fzzfjsndbg",)),
        Column("fzzfjsndbg", "法治政府建设年度报告", "/zwgk/zfxxgk/fzzfjsndbg/index.htm", "listmodel", per_page=10,
               parent="zfxxgk", columnid=200210, chnl_id=1813),
    ),
    articles=(
        Article("jy-2023", "/zwgk/zfxxgk/fzzfjsndbg/202403/t20240328_6583952.htm",
                "南平市建阳区人民政府关于2023年度法治政府建设情况的报告", "2024-03-28 16:05", "fzzfjsndbg",
                body="jianyang_2023_report.txt", is_report=True, year=2023, written="2024-03-26",
                issuer="南平市建阳区人民政府", source="建阳区司法局", index_no="003571303/2024-00218", topic="司法",
                attachment=Attachment("pdf", "/zwgk/zfxxgk/fzzfjsndbg/202403/P020240328612345678901.pdf",
                                      "建阳区2023年度法治政府建设情况报告.pdf")),
        Article("jy-2022-scan", "/zwgk/zfxxgk/fzzfjsndbg/202303/t20230330_6012377.htm",
                "南平市建阳区人民政府关于2022年度法治政府建设情况的报告", "2023-03-30 10:20", "fzzfjsndbg",
                is_report=True, year=2022, written="2023-03-28", issuer="南平市建阳区人民政府",
                source="建阳区司法局", index_no="003571303/2023-00197", topic="司法",
                text=("（扫描件，无文字层）",),
                attachment=Attachment("scan", "/zwgk/zfxxgk/fzzfjsndbg/202303/P020230330587654321098.pdf",
                                      "建阳区2022年度法治政府建设情况报告（扫描件）.pdf")),
        Article("jy-2020", "/zwgk/zfxxgk/fzzfjsndbg/202103/P020210329401234567890.pdf",
                "南平市建阳区人民政府2020年度法治政府建设情况报告", "2021-03-29 09:40", "fzzfjsndbg",
                body="jianyang_2020_report.txt", is_report=True, year=2020,
                attachment=Attachment("pdf", "/zwgk/zfxxgk/fzzfjsndbg/202103/P020210329401234567890.pdf",
                                      "建阳区2020年度法治政府建设情况报告.pdf", direct=True)),
    ) + tuple(
        news(f"jy-n{i}", f"/zwgk/zfxxgk/fzzfjsndbg/{d[:4]}{d[5:7]}/t{d[:4]}{d[5:7]}{d[8:10]}_{6000000 + 7919 * i}.htm",
             t, d, "fzzfjsndbg", source="建阳区司法局", issuer="建阳区司法局",
             index_no=f"003571303/{d[:4]}-{300 + i:05d}")
        for i, (t, d) in enumerate((
            ("建阳区开展“八五”普法中期评估工作", "2024-06-18 15:30"),
            ("区司法局组织开展行政执法人员培训", "2024-06-03 10:12"),
            ("建阳区召开行政复议工作推进会", "2024-05-22 16:40"),
            ("建阳区开展行政执法案卷评查", "2024-05-08 09:25"),
            ("建阳区举办领导干部旁听庭审活动", "2024-04-25 14:50"),
            ("建阳区推进乡镇合法性审查全覆盖", "2024-04-11 11:05"),
            ("建阳区开展宪法宣传周系列活动", "2023-12-05 10:30"),
            ("建阳区召开全面依法治区委员会会议", "2023-09-14 17:20"),
            ("建阳区开展民法典宣传月活动", "2022-05-16 09:10"),
        ), 1)),
)

WUJIN = Portal(
    key="wujin",
    notes="开普云 UCAP page whose list is built by a script from a JSON array embedded in the page (no links in the HTML); start at the report column; a report as a .doc behind a stub page (stored, not extracted)",
    name="常州市武进区人民政府", host="www.wj.gov.cn.test", site_name="常州市武进区人民政府",
    issuer="常州市武进区人民政府", region_code="320412", level="county", family="jsonlist",
    home="/index.shtml", start=("/wjq/fzzfjs/list.shtml",), site_code="3204120001", server="nginx",
    variant="ucap-json", home_blocks=("fzzfjs",), robots_disallow=("/ucap/",),
    footer=dict(sponsor="常州市武进区人民政府办公室", undertaker="武进区大数据管理中心", icp="苏ICP备05012345号-1",
                police="苏公网安备32041202000123号", tech="北京开普云信息科技有限公司", phone="0519-86312345"),
    menu=(("首页", "/index.shtml"), ("法治政府建设", "/wjq/fzzfjs/list.shtml"), ("江苏政务服务网", "http://www.jszwfw.gov.cn/")),
    links=(("中国政府网", "http://www.gov.cn/"), ("江苏省人民政府", "http://www.jiangsu.gov.cn/"),
           ("常州市人民政府", "http://www.changzhou.gov.cn/")),
    columns=(
        Column("fzzfjs", "法治政府建设", "/wjq/fzzfjs/list.shtml", "jsonlist", per_page=15),
    ),
    articles=(
        Article("wj-2023", f"/wjq/fzzfjs/202403/{_hex('wj-2023')}.shtml", "武进区人民政府2023年度法治政府建设工作报告",
                "2024-03-25 10:30", "fzzfjs", body="wujin_2023_report.txt", is_report=True, year=2023,
                written="2024-03-22", issuer="常州市武进区人民政府", source="武进区司法局",
                index_no="014109123/2024-00066", topic="司法"),
        Article("wj-2022-doc", f"/wjq/fzzfjs/202303/{_hex('wj-2022-doc')}.shtml",
                "武进区人民政府2022年度法治政府建设工作报告", "2023-03-27 15:10", "fzzfjs", is_report=True,
                year=2022, written="2023-03-24", issuer="常州市武进区人民政府", source="武进区司法局",
                index_no="014109123/2023-00059", topic="司法", text=("（Word 97-2003 文档，未转换）",),
                attachment=Attachment("doc", "/uploadfiles/202303/20230327151012345.doc",
                                      "武进区2022年度法治政府建设工作报告.doc")),
        news("wj-n1", f"/wjq/fzzfjs/202405/{_hex('wj-n1')}.shtml", "武进区召开法治政府建设示范创建推进会",
             "2024-05-14 16:20", "fzzfjs", source="武进区司法局", issuer="武进区司法局",
             index_no="014109123/2024-00121"),
        news("wj-n2", f"/wjq/fzzfjs/202311/{_hex('wj-n2')}.shtml", "武进区开展行政执法“三项制度”专项督查",
             "2023-11-09 10:45", "fzzfjs", source="武进区司法局", issuer="武进区司法局",
             index_no="014109123/2023-00388"),
    ),
)

LONGQUAN = Portal(
    key="longquan",
    notes="大汉 Hanweb portal whose report column is linked from nowhere: found only through its site search (search_url, /jsearchfront/search.do); a report as a DOCX behind /module/download/downfile.jsp, another as a .wps (stored, not extracted)",
    name="龙泉市人民政府", host="www.longquan.gov.cn.test", site_name="龙泉市人民政府",
    issuer="龙泉市人民政府", region_code="331181", level="county", family="hanweb", home="/index.html",
    start=("/index.html",), site_code="3311810001", webid=3311, unitid=7101, server="Tengine",
    home_blocks=("col5001",), robots_disallow=("/manager/",),
    search_path="/jsearchfront/search.do?websiteid=3311810001&tpl=1&q={query}",
    footer=dict(sponsor="龙泉市人民政府办公室", undertaker="龙泉市大数据发展管理中心", icp="浙ICP备05034567号-1",
                police="浙公网安备33118102000088号", tech="南京大汉网络有限公司", phone="0578-7212345"),
    menu=(("首页", "/index.html"), ("走进龙泉", "/col/col5003/index.html"), ("新闻中心", "/col/col5001/index.html"),
          ("浙江政务服务网", "https://www.zjzwfw.gov.cn/")),
    links=(("中国政府网", "http://www.gov.cn/"), ("浙江省人民政府", "http://www.zj.gov.cn/"),
           ("丽水市人民政府", "http://www.lishui.gov.cn/")),
    columns=(
        Column("col5001", "龙泉要闻", "/col/col5001/index.html", "hanweb", per_page=15, info_public=False,
               columnid=5001),
        Column("col5010", "法治政府建设年度报告", "/col/col5010/index.html", "hanweb", per_page=15, columnid=5010),
    ),
    articles=(
        Article("lq-2023", "/art/2024/3/21/art_5010_86251.html", "龙泉市人民政府关于2023年度法治政府建设工作情况的报告",
                "2024-03-21 11:30", "col5010", body="longquan_2023_report.txt", is_report=True, year=2023,
                written="2024-03-20", issuer="龙泉市人民政府", source="市司法局",
                index_no="002592131/2024-01234", topic="司法",
                attachment=Attachment("docx", "/module/download/downfile.jsp?classid=0&filename=2403211130123.docx",
                                      "龙泉市2023年度法治政府建设工作情况报告.docx",
                                      content_type="application/octet-stream")),
        Article("lq-2022-wps", "/art/2023/3/28/art_5010_79102.html", "龙泉市人民政府关于2022年度法治政府建设工作情况的报告",
                "2023-03-28 09:50", "col5010", is_report=True, year=2022, written="2023-03-27",
                issuer="龙泉市人民政府", source="市司法局", index_no="002592131/2023-00987", topic="司法",
                text=("（WPS 文档，未转换）",),
                attachment=Attachment("wps", "/module/download/downfile.jsp?classid=0&filename=2303280950456.wps",
                                      "龙泉市2022年度法治政府建设工作情况报告.wps",
                                      content_type="application/octet-stream")),
        news("lq-n1", "/art/2024/5/9/art_5010_88012.html", "龙泉市召开法治政府建设工作推进会", "2024-05-09 16:00",
             "col5010", source="市司法局", issuer="市司法局", index_no="002592131/2024-01877"),
        news("lq-n2", "/art/2024/6/3/art_5001_88533.html", "龙泉市召开2024年青瓷宝剑产业发展大会", "2024-06-03 10:00",
             "col5001", source="龙泉市融媒体中心"),
        news("lq-n3", "/art/2024/5/27/art_5001_88420.html", "龙泉市开展森林防火专项检查", "2024-05-27 15:30",
             "col5001", source="市应急管理局"),
    ),
)

ISSUE9_PORTALS = (JIANYANG, WUJIN, LONGQUAN)


PORTALS: tuple[Portal, ...] = (NANCHONG, SFJ, JIALING, JIAOJIANG, TAIZHOU, TIELINGXIAN, XIANGCHENG, XIANGSHAN) + ISSUE9_PORTALS


def portal_by_host(host: str) -> Portal | None:
    for p in PORTALS:
        if p.host == host:
            return p
    return None


def registry() -> list[dict]:
    """The sample registry entries (what ``portals.yaml`` holds), derived from the model."""
    out = []
    for p in PORTALS:
        e = {"name": p.name, "start_urls": [p.url(s) for s in p.start], "issuer": p.issuer,
             "region_code": p.region_code, "level": p.level}
        if p.allowed_domains:
            e["allowed_domains"] = list(p.allowed_domains)
        if p.notes:
            e["notes"] = p.notes
        if p.search_path:
            e["search_url"] = p.url(p.search_path)
        out.append(e)
    return out


REGISTRY_HEADER = """\
# The sample registry: the portals of the sample web (sampleweb/), in lawgov's registry format.
# GENERATED from sampleweb/model.py by `python -m sampleweb registry > sampleweb/portals.yaml`;
# edit the model, not this file (tests/test_sampleweb.py checks they agree).
# Hosts end in .test and are served by sampleweb.server.SampleWeb, reached as an HTTP proxy:
#   lawgov crawl --portals sampleweb/portals.yaml --proxy http://127.0.0.1:PORT
"""


def registry_yaml() -> str:
    import yaml
    body = yaml.safe_dump({"portals": registry()}, allow_unicode=True, sort_keys=False, width=100)
    return REGISTRY_HEADER + body
