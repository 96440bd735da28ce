"""Turn the model into pages, the way the real CMS families print them.

One ``Site`` per portal. ``Site.routes`` maps every served path (with its query string) to a page
builder; ``Site.get(path)`` renders (and caches) the page as ``(content_type, bytes)``.
Families (see /work/shared/REAL-WEB-NOTES.md):

- ``TRSSite``      TRS WCM: ``div.TRS_Editor`` / ``div.TRS_UEDITOR trs_paper_default`` bodies,
                   ``createPageHTML(n, i, "index", "html")`` list paging, split articles ``t…_1.html``.
- ``HanwebSite``   大汉 Hanweb: ``/col/colN/index.html`` lists filled by POSTs to jpage dataproxy.jsp,
                   bodies between ``<!--ZJEG_RSS.content.begin-->`` and ``…end-->`` in ``#zoom``.
- ``UCAPSite``     开普云 UCAP: ``<ucapcontent>`` bodies, ``meta others="页面生成时间 …"``, ``?page=N`` or
                   ``list_N.shtml`` + 下一页 paging.
- ``TableSite``    old ASP table layout in GBK: ``td.content#fontzoom``, ``<br>`` paragraphs, Word spans.
"""

from __future__ import annotations

import hashlib
import html
import math
import posixpath
import re
import threading
from typing import Callable
from urllib.parse import quote

from sampleweb.model import Article, Column, Portal, Special, part_paths
from sampleweb.text import (article_lines, is_heading, is_table_row, signature_start, split_parts,
                            table_cells)

esc = html.escape

_cc_lock = threading.Lock()
_cc: dict[str, object] = {}


def opencc_convert(text: str, config: str) -> str:
    """OpenCC conversion with a shared converter per config (``s2t`` for gateway pages)."""
    with _cc_lock:
        conv = _cc.get(config)
        if conv is None:
            import opencc
            conv = _cc[config] = opencc.OpenCC(config)
    return conv.convert(text)


# --------------------------------------------------------------------------------------------------
# small formatting helpers

def fmt_date(published: str, style: str) -> str:
    day, _, hm = published.partition(" ")
    y, m, d = day.split("-")
    hh, _, mm = (hm or "00:00").partition(":")
    ss = f"{int(hashlib.md5(published.encode()).hexdigest(), 16) % 60:02d}"
    return {
        "ymd": day,
        "ymdhm": f"{day} {hh}:{mm}",
        "ymdhms": f"{day} {hh}:{mm}:{ss}",
        "cn": f"{y}年{m}月{d}日",
        "cn-nopad": f"{y}年{int(m)}月{int(d)}日",
        "cn-hm": f"{y}年{m}月{d}日 {hh}:{mm}",
        "spaced": f"{y}- {m}- {d} {hh}: {mm}",
        "asp": f"{y}-{int(m)}-{int(d)} {int(hh)}:{mm}:{ss}",
        "asp-date": f"{y}-{int(m)}-{int(d)}",
    }[style]


def truncate(title: str, n: int) -> str:
    return title if len(title) <= n else title[: n - 1] + "…"


def rel(from_path: str, to_path: str) -> str:
    """A TRS-style relative link (``./202403/t….html``, ``../../index.html``)."""
    start = posixpath.dirname(from_path.split("?")[0])
    r = posixpath.relpath(to_path, start or "/")
    return r if r.startswith("..") else "./" + r


def description(lines: list[str], n: int = 90) -> str:
    text = "".join(x for x in lines if not is_table_row(x))
    return text[:n]


# --------------------------------------------------------------------------------------------------
# bodies, one printer per CMS habit

def _table_html(rows: list[str], style: str) -> str:
    if style == "word":
        trs = "".join(
            '<tr style="height:27.0pt">' + "".join(
                '<td width="118" valign="center" style="border:solid windowtext 1.0pt;padding:0cm 5.4pt">'
                '<p class="MsoNormal" align="center" style="text-align:center"><span style="font-size:12.0pt;'
                f'font-family:仿宋_GB2312">{esc(c)}</span></p></td>' for c in table_cells(r)) + "</tr>\n"
            for r in rows)
        return ('<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
                f'style="border-collapse:collapse;border:none">\n<tbody>\n{trs}</tbody></table>\n')
    trs = "".join("<tr>" + "".join(f'<td style="border:1px solid #000;text-align:center;">{esc(c)}</td>'
                                   for c in table_cells(r)) + "</tr>\n" for r in rows)
    return (f'<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;">'
            f"\n<tbody>\n{trs}</tbody>\n</table>\n")


def _word_runs(line: str) -> str:
    """Word-pasted text: CJK runs and ASCII runs in separate spans, as Word exports them."""
    out = []
    for run in re.findall(r"[A-Za-z0-9.%\-]+|[^A-Za-z0-9.%\-]+", line):
        if re.match(r"[A-Za-z0-9.%\-]", run):
            out.append(f'<span lang="EN-US" style="FONT-SIZE: 16pt; FONT-FAMILY: 仿宋_GB2312; '
                       f'mso-fareast-font-family: 仿宋_GB2312">{esc(run)}</span>')
        else:
            out.append(f'<span style="FONT-SIZE: 16pt; FONT-FAMILY: 仿宋_GB2312; mso-hansi-font-family: 宋体; '
                       f'mso-ascii-font-family: 宋体">{esc(run)}</span>')
    return "".join(out)


def body_html(lines: list[str], style: str, with_signature: bool = True) -> str:
    """Paragraph lines → body HTML. Styles: trs, ueditor, hanweb, ucap, word-br."""
    sig = signature_start(lines) if with_signature else len(lines)
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if is_table_row(line):
            j = i
            while j < len(lines) and is_table_row(lines[j]):
                j += 1
            out.append(_table_html(lines[i:j], "word" if style == "word-br" else "plain"))
            i = j
            continue
        t = esc(line)
        right = i >= sig
        head = is_heading(line)
        if style == "trs":
            if right:
                out.append(f'<p style="text-align: right;">{t}</p>')
            elif head:
                out.append(f'<p style="text-indent: 2em; text-align: justify;"><strong>{t}</strong></p>')
            else:
                out.append(f'<p style="text-indent: 2em; text-align: justify;">{t}</p>')
        elif style == "ueditor":
            font = "黑体, SimHei" if head and line[0] in "一二三四五六七八九十" else "仿宋_GB2312, 仿宋"
            align = "text-align: right;" if right else "text-indent: 2em;"
            out.append(f'<p style="{align} line-height: 2em; margin-top: 0px; margin-bottom: 0px;">'
                       f'<span style="font-family: {font}; font-size: 21px;">{t}</span></p>')
        elif style == "hanweb":
            align = "text-align:right;" if right else "text-indent:2em;"
            fam = "黑体" if head and line[0] in "一二三四五六七八九十" else "仿宋_GB2312"
            out.append(f'<p style="{align}line-height:1.75em;"><span style="font-size:16px;font-family:{fam};">'
                       f"{t}</span></p>")
        elif style == "ucap":
            if right:
                out.append(f'<p style="text-align: right;">{t}</p>')
            else:
                out.append(f'<p style="text-indent: 2em;">{t}</p>')
        elif style == "word-br":
            indent = "&nbsp;&nbsp;&nbsp;&nbsp;" if i % 3 else "\u3000\u3000"
            if right:
                indent = "&nbsp;" * 40
            out.append(f"{indent}{_word_runs(line)}<br>")
        else:
            raise ValueError(style)
        i += 1
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------------
# createPageHTML, as TRS sites print it

TRS_PAGE_JS = r"""<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
	if(_nPageCount == null || _nPageCount<=1){
		return;
	}
	var nCurrIndex = _nCurrIndex || 0;
	if(nCurrIndex == 0)
		document.write("<span class=\"disabled\">首页</span>&nbsp;<span class=\"disabled\">上一页</span>&nbsp;");
	else{
		var nPreIndex = nCurrIndex - 1;
		var sPreFileExt = nPreIndex == 0 ? "" : ("_" + nPreIndex);
		document.write("<a href=\"" + _sPageName + "." + _sPageExt + "\">首页</a>&nbsp;");
		document.write("<a href=\"" + _sPageName + sPreFileExt + "." + _sPageExt + "\">上一页</a>&nbsp;");
	}
	for(var i=0; i<_nPageCount; i++){
		var sFileExt = i == 0 ? "" : ("_" + i);
		if(i == nCurrIndex) document.write("<span class=\"current\">" + (i+1) + "</span>&nbsp;");
		else document.write("<a href=\"" + _sPageName + sFileExt + "." + _sPageExt + "\">" + (i+1) + "</a>&nbsp;");
	}
	if(nCurrIndex == (_nPageCount-1))
		document.write("<span class=\"disabled\">下一页</span>&nbsp;<span class=\"disabled\">尾页</span>");
	else{
		var nNextIndex = nCurrIndex + 1;
		document.write("<a href=\"" + _sPageName + "_" + nNextIndex + "." + _sPageExt + "\">下一页</a>&nbsp;");
		document.write("<a href=\"" + _sPageName + "_" + (_nPageCount-1) + "." + _sPageExt + "\">尾页</a>");
	}
}
</script>"""

JPAGE_JS = """/* jpage 3.0 (c) hanweb */
(function($){$.fn.jpage=function(o){var c=$.extend({perPage:15,proxyUrl:'dataproxy.jsp',groupSize:3,ajaxParam:{}},o);
return this.each(function(){var t=$(this);$.post(c.proxyUrl+'?startrecord=1&endrecord='+(c.perPage*c.groupSize)+'&perpage='+c.perPage,
c.ajaxParam,function(x){$(x).find('record').each(function(){t.append($(this).text())})},'xml')})}})(jQuery);
"""


# --------------------------------------------------------------------------------------------------
# the base site

class Site:
    doctype = "<!DOCTYPE html>"
    breadcrumb_sep = " &gt; "

    def __init__(self, portal: Portal):
        self.p = portal
        self.routes: dict[str, Callable[[], str]] = {}
        self.assets: dict[str, tuple[str, bytes]] = {}
        # route -> handler(params) -> (content_type, bytes): endpoints that read GET/POST parameters
        self.endpoints: dict[str, Callable[[dict], tuple[str, bytes]]] = {}
        self._cache: dict[str, tuple[str, bytes]] = {}
        self._lock = threading.RLock()
        self._build_routes()
        for a in portal.articles:       # reports published as files (issue 9)
            if a.attachment is not None:
                self.assets[a.attachment.path] = attachment_file(a)
                if a.attachment.direct:
                    self.routes.pop(a.path, None)

    # -- routing -----------------------------------------------------------------------------------
    def _build_routes(self) -> None:
        p = self.p
        self.routes[p.home] = self.home
        self.routes["/"] = self.home
        for col in p.columns:
            if col.paging == "nav":
                self.routes[col.path] = lambda c=col: self.nav_page(c)
                continue
            for i, path in enumerate(self.list_paths(col)):
                self.routes[path] = lambda c=col, i=i: self.list_page(c, i)
        for a in p.articles:
            for i, path in enumerate(part_paths(a)):
                self.routes[path] = lambda a=a, i=i: self.detail(a, i)
        for sp in p.specials:
            self.routes[sp.path] = lambda sp=sp: self.special(sp)
        if p.gateway:
            for path, fn in list(self.routes.items()):
                self.routes[p.gateway_prefix + path] = lambda path=path, fn=fn: self.gateway(path, fn)

    def n_pages(self, col: Column) -> int:
        if col.paging in ("hanweb", "single"):
            return 1
        return max(1, math.ceil(len(self.p.column_items(col.key)) / col.per_page))

    def list_paths(self, col: Column) -> list[str]:
        n = self.n_pages(col)
        d = posixpath.dirname(col.path)
        if col.paging == "trs":
            return [col.path] + [f"{d}/index_{i}.{self.p.list_ext}" for i in range(1, n)]
        if col.paging in ("ucap-query", "asp"):
            return [col.path] + [f"{col.path}?page={i}" for i in range(2, n + 1)]
        if col.paging == "next-link":
            stem, ext = col.path.rsplit(".", 1)
            return [col.path] + [f"{stem}_{i}.{ext}" for i in range(2, n + 1)]
        return [col.path]

    def page_items(self, col: Column, i: int) -> list[Article]:
        items = self.p.column_items(col.key)
        if col.paging in ("hanweb", "single"):
            return items
        return items[i * col.per_page:(i + 1) * col.per_page]

    @property
    def content_type(self) -> str:
        return f"text/html; charset={self.p.charset}"

    def get(self, path: str) -> tuple[str, bytes] | None:
        if path in self.assets:
            return self.assets[path]
        hit = self._cache.get(path)
        if hit is not None:
            return hit
        fn = self.routes.get(path)
        if fn is None:
            return None
        with self._lock:      # rendering of gateway copies flips per-site state: one page at a time
            out = (self.content_type, fn().encode(self.p.encoding))
        self._cache[path] = out
        return out

    def prerender(self) -> int:
        """Render every routed page into the cache now (benchmarks: a real CMS serves pages it
        published beforehand, so rendering is not part of a request's cost); returns the count."""
        for path in list(self.routes):
            self.get(path)
        return len(self.routes)

    def robots(self) -> str:
        lines = ["User-agent: *"] + [f"Disallow: {d}" for d in self.p.robots_disallow]
        return "\n".join(lines) + "\n"

    # -- shared chrome -----------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.p.url(path)

    def title_tag(self, title: str) -> str:
        return f"{title}_{self.p.site_name}"

    def crumbs(self, col: Column | None) -> list[tuple[str, str]]:
        chain: list[tuple[str, str]] = []
        while col is not None:
            chain.append((col.name, col.path))
            col = self.p.column(col.parent) if col.parent else None
        return [("首页", self.p.home)] + chain[::-1]

    def neighbours(self, a: Article) -> tuple[Article | None, Article | None]:
        items = self.p.column_items(a.column)
        i = items.index(a)
        return (items[i - 1] if i > 0 else None), (items[i + 1] if i + 1 < len(items) else None)

    def related(self, a: Article, n: int = 3) -> list[Article]:
        return [x for x in self.p.column_items(a.column) if x is not a][:n]

    def body_lines_for(self, a: Article, part: int, big5: bool = False) -> list[str]:
        if a.attachment is not None:
            return stub_lines(a)
        lines = article_lines(a, big5=big5)
        return split_parts(lines, a.parts)[part]

    def footer_lines(self) -> str:
        f, p = self.p.footer, self.p
        code = p.site_code or f.get("site_code", "")
        return (
            f'<p>主办：{f["sponsor"]}&nbsp;&nbsp;&nbsp;承办：{f["undertaker"]}&nbsp;&nbsp;&nbsp;联系电话：{f["phone"]}</p>\n'
            f'<p>网站标识码：{code}&nbsp;&nbsp;&nbsp;<a href="https://beian.miit.gov.cn/" target="_blank">{f["icp"]}</a>'
            f'&nbsp;&nbsp;&nbsp;<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode='
            f'{re.sub(r"[^0-9]", "", f["police"])}" target="_blank"><img src="/images/gaba.png" alt="">{f["police"]}</a></p>\n'
            f'<p>技术支持：{f["tech"]}&nbsp;&nbsp;&nbsp;版权所有：{f["sponsor"]}</p>\n'
            f'<p><a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={code}&amp;url='
            f'{quote(p.url(p.home), safe="")}" target="_blank"><img src="/images/jiucuo.png" alt="政府网站找错"></a>'
            f'&nbsp;<a href="http://bszs.conac.cn/sitename?method=show&amp;id={code[-6:]}A1" target="_blank">'
            f'<img src="/images/dzjg.png" alt="党政机关"></a></p>\n')

    def tools_html(self) -> str:
        return ('<div class="share">分享到：<a href="javascript:void(0);" class="bds_weixin" title="分享到微信"></a>'
                '<a href="javascript:void(0);" class="bds_tsina" title="分享到新浪微博"></a>'
                '<a href="javascript:void(0);" class="bds_qzone" title="分享到QQ空间"></a></div>\n'
                '<div class="ewm"><img src="/images/qrcode.png" alt=""><p>扫一扫在手机打开当前页</p></div>\n'
                '<div class="print"><a href="javascript:window.print();">打印本页</a>'
                '&nbsp;&nbsp;<a href="javascript:window.close();">关闭窗口</a></div>\n')

    def prev_next_html(self, a: Article, href: Callable[[Article], str]) -> str:
        prev, nxt = self.neighbours(a)
        p = f'<a href="{href(prev)}" title="{esc(prev.title)}">{esc(prev.title)}</a>' if prev else "没有了"
        n = f'<a href="{href(nxt)}" title="{esc(nxt.title)}">{esc(nxt.title)}</a>' if nxt else "没有了"
        return f'<div class="prev-next"><p>上一篇：{p}</p><p>下一篇：{n}</p></div>\n'

    def related_html(self, a: Article, href: Callable[[Article], str]) -> str:
        lis = "".join(f'<li><a href="{href(x)}" target="_blank" title="{esc(x.title)}">{esc(truncate(x.title, 30))}'
                      f'</a><span>{fmt_date(x.published, "ymd")}</span></li>' for x in self.related(a))
        off = "".join(f'<li><a href="{u}" target="_blank">{esc(n)}</a></li>' for n, u in self.p.links[:1])
        return f'<div class="xglj"><h4>相关链接</h4><ul>{lis}{off}</ul></div>\n'

    def meta_tags(self, a: Article | None, col: Column | None, page_path: str, case: str = "camel") -> str:
        p = self.p
        names = {
            "SiteName": p.site_name, "SiteDomain": p.host, "SiteIDCode": p.site_code,
            "ColumnName": col.name if col else "首页", "ColumnType": col.name if col else "首页",
            "ColumnDescription": f"{p.site_name}{col.name if col else ''}栏目",
            "ColumnKeywords": col.name if col else p.site_name,
        }
        if a is not None:
            lines = stub_lines(a) if a.attachment else article_lines(a)
            names.update({
                "ArticleTitle": a.title, "PubDate": a.published, "ContentSource": a.source or "",
                "Keywords": a.keywords or a.title, "Author": a.source or "",
                "Description": description(lines), "Url": p.url(page_path),
            })
        rename = {"camel": {}, "sitename": {"SiteName": "Sitename", "PubDate": "pubdate"},
                  "lower": {k: k.lower() for k in names}}[case]
        return "\n".join(f'<meta name="{rename.get(k, k)}" content="{esc(v)}">' for k, v in names.items()) + "\n"

    def gateway(self, path: str, fn: Callable[[], str]) -> str:
        """The /gate/big5/ copy: chrome converted to Traditional, own links kept inside the gateway,
        the article body replaced by the pinyin-annotated Traditional text where the model has one."""
        self._gateway_path = path
        try:
            page = fn()
        finally:
            self._gateway_path = None
        pieces = re.split(r"(<!--GW-BODY-->.*?<!--/GW-BODY-->)", page, flags=re.S)
        page = "".join(x if x.startswith("<!--GW-BODY-->") else opencc_convert(x, "s2t") for x in pieces)
        page = page.replace("<!--GW-BODY-->", "").replace("<!--/GW-BODY-->", "")
        host, pre = self.p.host, self.p.gateway_prefix
        page = re.sub(r'href="/(?!/|gate/)', f'href="{pre}/', page)
        page = page.replace(f'href="http://{host}/', f'href="http://{host}{pre}/')
        page = page.replace(f'href="{pre}/gate/', 'href="/gate/')
        return page

    _gateway_path: str | None = None

    def gw_body(self, a: Article, part: int, style: str) -> str:
        """Body HTML; on a gateway page the Traditional+pinyin text, fenced so it is not re-converted."""
        if self._gateway_path is not None and a.big5_body:
            return ("<!--GW-BODY-->" + body_html(self.body_lines_for(a, part, big5=True), style)
                    + "<!--/GW-BODY-->")
        if a.attachment is not None:   # 附件：name, the name linking the file
            name = esc(a.attachment.name)
            return body_html(self.body_lines_for(a, part), style).replace(
                f"附件：{name}", f'附件：<a href="{esc(self.attachment_href(a))}" target="_blank">{name}</a>')
        return body_html(self.body_lines_for(a, part), style)

    def attachment_href(self, a: Article) -> str:
        return a.attachment.path

    # -- to implement per family ------------------------------------------------------------------
    def home(self) -> str: raise NotImplementedError
    def nav_page(self, col: Column) -> str: raise NotImplementedError
    def list_page(self, col: Column, i: int) -> str: raise NotImplementedError
    def detail(self, a: Article, part: int) -> str: raise NotImplementedError

    def special(self, sp: Special) -> str:
        raise NotImplementedError


# ==================================================================================================
# TRS WCM

class TRSSite(Site):
    doctype = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
               '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">')

    def __init__(self, portal: Portal):
        super().__init__(portal)
        self.assets["/images/common.js"] = ("application/javascript", TRS_PAGE_JS.split("\n", 1)[1]
                                            .rsplit("</script>", 1)[0].encode())

    @property
    def v(self) -> str:
        return self.p.variant

    def attachment_href(self, a: Article) -> str:
        return rel(a.path, a.attachment.path)      # ./P020240328….pdf, as TRS writes it

    def link(self, from_path: str, to_path: str) -> str:
        if self.v == "trs-editor":
            return rel(from_path, to_path)
        if self.v == "trs-ueditor":
            return self.url(to_path)
        return to_path

    def page(self, title: str, metas: str, main: str, path: str) -> str:
        p = self.p
        gw = (f'<a href="{p.gateway_prefix}{p.home}" id="fanti">繁體</a> | ' if p.gateway and not self._gateway_path
              else (f'<a href="//{p.host}{p.home}">简体</a> | ' if self._gateway_path else ""))
        menu = "".join(f'<li><a href="{h}"{" target=_blank" if h.startswith("http") else ""}>{esc(n)}</a></li>'
                       for n, h in p.menu)
        search = ""
        if any(sp.kind == "search" for sp in p.specials):
            search = ('<div class="search"><form action="/search/index.html" method="get" target="_blank">'
                      '<input type="hidden" name="siteid" value="1"><input type="text" name="searchword" '
                      'placeholder="请输入关键字"><input type="submit" value="搜索"></form>'
                      '<a href="/search/index.html?searchword=法治政府建设年度报告" target="_blank">高级检索</a></div>')
        script = TRS_PAGE_JS if self.v == "trs-editor" else '<script type="text/javascript" src="/images/common.js"></script>'
        return f"""{self.doctype}
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={p.charset}" />
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1" />
<title>{esc(title)}</title>
{metas}<link href="/images/style.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/images/jquery-1.11.3.min.js"></script>
{script}
</head>
<body>
<div class="topbar"><div class="w1200">
<div class="fl"><a href="http://www.gov.cn/" target="_blank">中国政府网</a> | {"".join(f'<a href="{u}" target="_blank">{esc(n)}</a> | ' for n, u in p.links[1:2])}</div>
<div class="fr">{gw}<a href="javascript:void(0);" id="cniil_wza">无障碍</a> | <a href="javascript:void(0);" onclick="aria.oldFixedStart()">长者模式</a> | <a href="javascript:void(0);">官方微信</a> | <a href="javascript:void(0);">官方微博</a></div>
</div></div>
<div class="header"><div class="w1200"><div class="logo"><a href="{p.home}"><img src="/images/logo.png" alt="{esc(p.site_name)}" /></a></div>{search}</div></div>
<div class="nav"><ul class="w1200">{menu}</ul></div>
{main}
<div class="footer"><div class="w1200">
<div class="links">相关网站：{"".join(f'<a href="{u}" target="_blank">{esc(n)}</a> ' for n, u in p.links)}</div>
{self.footer_lines()}</div></div>
<script type="text/javascript" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js" id="_jiucuo_" sitecode="{p.site_code}"></script>
</body>
</html>
"""

    def position(self, col: Column | None, path: str, tail: str = "") -> str:
        crumbs = self.crumbs(col)
        parts = [f'<a href="{self.link(path, h)}" title="{esc(n)}" class="CurrChnlCls">{esc(n)}</a>' for n, h in crumbs]
        return f'<div class="position">当前位置：{"&nbsp;&gt;&nbsp;".join(parts)}{tail}</div>\n'

    def item_li(self, path: str, a: Article) -> str:
        return (f'<li><a href="{self.link(path, a.path)}" target="_blank" title="{esc(a.title)}">'
                f'{esc(truncate(a.title, 36))}</a><span class="date">{fmt_date(a.published, "ymd")}</span></li>')

    def home(self) -> str:
        p = self.p
        path = p.home
        blocks = []
        for ck in p.home_blocks:
            col = p.column(ck)
            items = "".join(self.item_li(path, a) for a in p.column_items(col.key)[:5])
            blocks.append(f'<div class="box"><div class="box-hd"><h3>{esc(col.name)}</h3>'
                          f'<a class="more" href="{self.link(path, col.path)}">更多&gt;&gt;</a></div>'
                          f'<ul class="list">{items}</ul></div>')
        entries = "".join(f'<li><a href="{self.link(path, c.path)}">{esc(c.name)}</a></li>'
                          for c in p.columns if c.paging == "nav" and c.parent is None)
        main = (f'<div class="w1200 main index">\n<div class="banner"><img src="/images/banner.jpg" alt="" /></div>\n'
                + "\n".join(blocks)
                + f'\n<div class="box rukou"><h3>信息公开</h3><ul>{entries}</ul></div>\n</div>')
        return self.page(p.site_name, self.meta_tags(None, None, path), main, path)

    def nav_page(self, col: Column) -> str:
        p, path = self.p, col.path
        blocks = []
        for ck in col.children:
            c = p.column(ck)
            items = "".join(self.item_li(path, a) for a in p.column_items(ck)[:4])
            blocks.append(f'<div class="xxgk-box"><div class="hd"><a href="{self.link(path, c.path)}">{esc(c.name)}</a>'
                          f'<a class="more" href="{self.link(path, c.path)}">更多</a></div><ul>{items}</ul></div>')
        side = "".join(f'<li><a href="{self.link(path, p.column(ck).path)}">{esc(p.column(ck).name)}</a></li>'
                       for ck in col.children)
        main = (f'<div class="w1200 main">\n{self.position(col, path)}'
                f'<div class="left"><h2>{esc(col.name)}</h2><ul class="sub-nav">{side}</ul></div>\n'
                f'<div class="right">{"".join(blocks)}</div>\n</div>')
        return self.page(self.title_tag(col.name), self.meta_tags(None, col, path), main, path)

    def pager(self, col: Column, i: int) -> str:
        n = self.n_pages(col)
        if self.v == "trs-countpage":
            return f"""<div class="page"><script type="text/javascript">
var countPage = {n}//共多少页
var currentPage = {i}//当前页
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
document.write("<a href=\\"index.{self.p.list_ext}\\">首页</a>&nbsp;");
if(currentPage>0) document.write("<a href=\\"index"+(prevPage==0?"":"_"+prevPage)+".{self.p.list_ext}\\">上一页</a>&nbsp;");
if(nextPage<countPage) document.write("<a href=\\"index_"+nextPage+".{self.p.list_ext}\\">下一页</a>&nbsp;");
document.write("<a href=\\"index"+(countPage>1?"_"+(countPage-1):"")+".{self.p.list_ext}\\">尾页</a>");
document.write("&nbsp;共"+countPage+"页");
</script></div>"""
        return (f'<div class="page" id="page_div"><script type="text/javascript">'
                f'createPageHTML({n}, {i}, "index", "{self.p.list_ext}");</script></div>')

    def list_page(self, col: Column, i: int) -> str:
        p = self.p
        path = self.list_paths(col)[i]
        lis = "\n".join(self.item_li(path, a) for a in self.page_items(col, i))
        siblings = [p.column(k) for c in p.columns if c.paging == "nav" and col.key in c.children for k in c.children]
        side = "".join(f'<li{" class=on" if s.key == col.key else ""}><a href="{self.link(path, s.path)}">'
                       f'{esc(s.name)}</a></li>' for s in siblings)
        main = (f'<div class="w1200 main">\n{self.position(col, path)}'
                f'<div class="left"><h2>{esc(p.column(col.parent).name if col.parent else col.name)}</h2>'
                f'<ul class="sub-nav">{side}</ul></div>\n'
                f'<div class="right"><div class="list-title"><h3>{esc(col.name)}</h3></div>\n'
                f'<ul class="list">\n{lis}\n</ul>\n{self.pager(col, i)}\n</div>\n</div>')
        return self.page(self.title_tag(col.name), self.meta_tags(None, col, path), main, path)

    def xxgk_table(self, a: Article) -> str:
        w = a.written or a.published[:10]
        if self.v == "trs-editor":
            return f"""<div class="xxgk-table"><table class="table_suoyin" cellspacing="0" cellpadding="0" width="100%">
<tr><td class="t1">索  引 号：</td><td class="t2">{esc(a.index_no or "")}</td><td class="t1">主题分类：</td><td class="t2">{esc(a.topic)}</td></tr>
<tr><td class="t1">发布机构：</td><td class="t2">{esc(a.issuer or "")}</td><td class="t1">成文日期：</td><td class="t2">{fmt_date(w, "cn")}</td></tr>
<tr><td class="t1">名  称：</td><td class="t2" colspan="3">{esc(a.title)}</td></tr>
<tr><td class="t1">文  号：</td><td class="t2">{esc(a.doc_no or "")}</td><td class="t1">发布日期：</td><td class="t2">{fmt_date(a.published, "cn")}</td></tr>
</table></div>
"""
        if self.v == "trs-ueditor":
            return f"""<table class="table_suoyin" border="0" cellspacing="0" cellpadding="0">
<tr><th>索 引 号：</th><td>{esc(a.index_no or "")}</td><th>信息分类：</th><td>{esc(a.topic)}</td></tr>
<tr><th>发布机构：</th><td>{esc(a.issuer or "")}</td><th>成文日期：</th><td>{w}</td></tr>
<tr><th>名&nbsp;&nbsp;&nbsp;&nbsp;称：</th><td colspan="3">{esc(a.title)}</td></tr>
<tr><th>文&nbsp;&nbsp;&nbsp;&nbsp;号：</th><td>{esc(a.doc_no or "")}</td><th>发布日期：</th><td>{fmt_date(a.published, "ymd")}</td></tr>
</table>
"""
        return f"""<div class="xxgk-info"><ul>
<li><span class="lab">信息索引号：</span><span class="val">{esc(a.index_no or "")}</span></li>
<li><span class="lab">发文机关：</span><span class="val">{esc(a.issuer or "")}</span></li>
<li><span class="lab">成文日期：</span><span class="val">{w}</span></li>
<li><span class="lab">公开日期：</span><span class="val">{fmt_date(a.published, "ymd")}</span></li>
<li><span class="lab">文号：</span><span class="val">{esc(a.doc_no or "")}</span></li>
<li><span class="lab">主题分类：</span><span class="val">{esc(a.topic)}</span></li>
</ul></div>
"""

    def detail(self, a: Article, part: int) -> str:
        p, col = self.p, self.p.column(a.column)
        path = part_paths(a)[part]
        href = lambda x: self.link(path, x.path)  # noqa: E731
        table = self.xxgk_table(a) if col.info_public else ""
        if self.v == "trs-editor":
            info = (f'<div class="info"><span>发布时间：{fmt_date(a.published, "ymdhm")}</span>'
                    f'<span>来源：{esc(a.source or "")}</span><span>浏览次数：<em id="visitcount"></em></span>'
                    '<span class="fontsize">【字体：<a href="javascript:void(0);" onclick="doZoom(20)">大</a> '
                    '<a href="javascript:void(0);" onclick="doZoom(16)">中</a> '
                    '<a href="javascript:void(0);" onclick="doZoom(14)">小</a>】</span></div>')
            body = ('<div class="TRS_Editor"><style type="text/css">\n.TRS_Editor P{margin-top:0px;margin-bottom:12px;'
                    'line-height:1.8;font-family:宋体;font-size:12pt;}.TRS_Editor DIV{margin-top:0px;margin-bottom:12px;'
                    'line-height:1.8;font-family:宋体;font-size:12pt;}\n</style>\n<div class="Custom_UnionStyle">\n'
                    f'{self.gw_body(a, part, "trs")}</div></div>')
        elif self.v == "trs-ueditor":
            info = (f'<div class="wzxq_info">时间：{fmt_date(a.published, "ymdhm")}&nbsp;&nbsp;&nbsp;'
                    f'来源：{esc(a.source or "")}&nbsp;&nbsp;&nbsp;浏览：<span id="hits"></span>次&nbsp;&nbsp;&nbsp;'
                    '【字体：<a href="javascript:void(0);" class="j-fontBig">大</a> <a href="javascript:void(0);" '
                    'class="j-fontNormal">中</a> <a href="javascript:void(0);" class="j-fontSmall">小</a>】</div>')
            body = (f'<div class="TRS_UEDITOR trs_paper_default trs_web">{self.gw_body(a, part, "ueditor")}</div>')
        else:
            info = (f'<p class="sj">发布时间：{fmt_date(a.published, "ymdhms")}&nbsp;&nbsp;来源：{esc(a.source or "")}'
                    '&nbsp;&nbsp;浏览次数：<script type="text/javascript">document.write(Math.floor(Math.random()*900+100));'
                    '</script>&nbsp;&nbsp;【字体：<a href="javascript:;">大</a> <a href="javascript:;">中</a> '
                    '<a href="javascript:;">小</a>】</p>')
            body = f'<div class="TRS_Editor">{self.gw_body(a, part, "trs")}</div>'
        pager = ""
        if a.parts > 1:
            stem = posixpath.basename(a.path).rsplit(".", 1)[0]
            ext = a.path.rsplit(".", 1)[1]
            pager = (f'<div class="page" id="pagenav"><script type="text/javascript">'
                     f'createPageHTML({a.parts},{part},"{stem}","{ext}");</script></div>\n')
        main = (f'<div class="w1200 main">\n{self.position(col, path, "&nbsp;&gt;&nbsp;正文")}'
                f'<div class="article">\n{table}<h1 class="title">{esc(a.title)}</h1>\n{info}\n'
                f'<div class="article-con" id="zoom">\n{body}\n</div>\n{pager}'
                f'{self.tools_html()}{self.prev_next_html(a, href)}{self.related_html(a, href)}</div>\n</div>')
        metas = self.meta_tags(a, col, path, "sitename" if self.v == "trs-ueditor" else "camel")
        metas += (f'<meta name="DocId" content="{re.sub(r".*_", "", posixpath.basename(a.path)).split(".")[0]}">\n'
                  f'<meta name="ChnlId" content="{col.chnl_id or 0}">\n<meta name="SiteId" content="{p.site_code[-3:]}">\n')
        return self.page(self.title_tag(a.title), metas, main, path)

    def special(self, sp: Special) -> str:
        p = self.p
        hits = [a for a in p.articles if "法治" in a.title]
        lis = "".join(f'<li><a href="{self.url(a.path)}" target="_blank">{esc(a.title)}</a>'
                      f'<p>{esc(description(article_lines(a), 60))}…</p><span>{fmt_date(a.published, "ymd")}</span></li>'
                      for a in hits)
        main = (f'<div class="w1200 main search-result"><div class="position">当前位置：<a href="{p.home}">首页</a>'
                f' &gt; 站内搜索</div><p>共找到 {len(hits)} 条结果</p><ul>{lis}</ul></div>')
        return self.page(self.title_tag(sp.title), "", main, sp.path)


# ==================================================================================================
# Hanweb 大汉

class HanwebSite(Site):
    def __init__(self, portal: Portal):
        super().__init__(portal)
        js = "/module/web/jpage/jpage.js" if portal.variant != "hanweb-old" else "/module/jslib/jquery/jpage/jquery.jpage.js"
        self.jpage_js = js
        self.assets[js] = ("application/javascript", JPAGE_JS.encode())
        if portal.search_path:
            self.endpoints[portal.search_path.split("?")[0]] = self.search_results

    @property
    def old(self) -> bool:
        return self.p.variant == "hanweb-old"

    def art_href(self, a: Article) -> str:
        return a.path if self.old else self.url(a.path)

    def page(self, title: str, metas: str, main: str) -> str:
        p = self.p
        menu = "".join(f'<a href="{h}"{" target=_blank" if h.startswith("http") else ""}>{esc(n)}</a>'
                       for n, h in p.menu)
        return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={p.charset}">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{esc(title)}</title>
{metas}<link rel="stylesheet" type="text/css" href="/images/3161/style.css">
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
<script type="text/javascript" src="/script/0/1809201531382452.js"></script>
</head>
<body>
<!--头部开始-->
<div class="top"><div class="top_con">
<span class="fl"><a href="https://www.zjzwfw.gov.cn/" target="_blank">浙江政务服务网</a> | <a href="http://www.zj.gov.cn/" target="_blank">浙江省人民政府</a></span>
<span class="fr"><a href="javascript:void(0)" id="zhengfuwuzhangai">无障碍</a> | <a href="javascript:void(0)" onclick="SetHome(this,window.location)">设为首页</a> | <a href="javascript:void(0)" onclick="AddFavorite(window.location,document.title)">加入收藏</a></span>
</div></div>
<table width="1200" border="0" align="center" cellpadding="0" cellspacing="0" class="head">
<tr><td><a href="/"><img src="/picture/0/logo.png" alt="{esc(p.site_name)}" border="0"></a></td>
<td align="right"><form action="/jsearchfront/search.do" method="get" target="_blank"><input name="websiteid" type="hidden" value="{p.webid}"><input name="q" type="text"><input type="submit" value="搜 索"></form></td></tr>
</table>
<div class="nav"><div class="nav_con">{menu}</div></div>
<!--头部结束-->
{main}
<!--底部开始-->
<div class="bottom"><div class="bottom_con">
<div class="yqlj">友情链接：<select onchange="if(this.value!='')window.open(this.value)"><option value="">--请选择--</option>{"".join(f'<option value="{u}">{esc(n)}</option>' for n, u in p.links)}</select>
{"".join(f'<a href="{u}" target="_blank">{esc(n)}</a>' for n, u in p.links)}</div>
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td class="bottom_text">
{self.footer_lines().replace("主办：", "主办单位：").replace("承办：", "承办单位：")}</td></tr></table>
</div></div>
<!--底部结束-->
</body>
</html>
"""

    def crumbs_html(self, col: Column | None, tail: str = "") -> str:
        parts = [f'<a href="{h}">{esc(n)}</a>' for n, h in self.crumbs(col)]
        return (f'<table width="1200" border="0" align="center" cellpadding="0" cellspacing="0" class="bt-position">'
                f'<tr><td>当前位置：{" &gt; ".join(parts)}{tail}</td></tr></table>\n')

    def meta_hanweb(self, a: Article | None, col: Column | None, path: str) -> str:
        m = self.meta_tags(a, col, path, "lower" if self.old else "sitename")
        if a is not None:
            m += (f'<meta name="Maketime" content="{fmt_date(a.published, "ymdhms")}">\n'
                  f'<meta name="guid" content="{hashlib.md5(a.path.encode()).hexdigest()[:16]}">\n'
                  '<meta name="effectiveTime" content="0">\n')
        return m

    def home(self) -> str:
        p = self.p
        cols = [p.column(k) for k in p.home_blocks]
        blocks = []
        for c in cols:
            lis = "".join(f'<li><a href="{self.art_href(a)}" target="_blank" title="{esc(a.title)}">'
                          f'{esc(truncate(a.title, 28))}</a><span>{fmt_date(a.published, "ymd")}</span></li>'
                          for a in p.column_items(c.key)[:6])
            blocks.append(f'<div class="index_box"><div class="index_bt"><span>{esc(c.name)}</span>'
                          f'<a href="{c.path}" class="more">更多</a></div><ul>{lis}</ul></div>')
        entries = "".join(f'<a href="{c.path}">{esc(c.name)}</a>' for c in p.columns if c.paging == "nav")
        main = (f'<div class="index_main">\n<div class="index_zt"><a href="{cols[0].path}">'
                f'<img src="/picture/0/fzzf_zt.jpg" alt="法治政府建设专题"></a></div>\n'
                + "\n".join(blocks) + f'\n<div class="index_xxgk">{entries}</div>\n</div>')
        return self.page(p.site_name, self.meta_hanweb(None, None, p.home), main)

    def nav_page(self, col: Column) -> str:
        p = self.p
        rows = "".join(f'<tr><td class="xxgk_lm"><a href="{p.column(k).path}">{esc(p.column(k).name)}</a></td></tr>'
                       for k in col.children)
        main = (self.crumbs_html(col) + f'<table width="1200" align="center" class="xxgk_main"><tr>'
                f'<td width="260" valign="top"><table width="100%">{rows}</table></td>'
                f'<td valign="top"><div class="xxgk_intro">{esc(p.site_name)}{esc(col.name)}</div></td></tr></table>')
        return self.page(self.title_tag(col.name), self.meta_hanweb(None, col, col.path), main)

    def list_page(self, col: Column, i: int) -> str:
        p = self.p
        webname = p.site_name
        nextgroup = (f'<a href="{p.proxy_path}?page=1&webid={p.webid}&path=/&columnid={col.columnid}'
                     f'&unitid={p.unitid}&webname={quote(quote(webname))}&permissiontype=0"></a>')
        parent = p.column(col.parent) if col.parent else None
        side = "".join(f'<li><a href="{p.column(k).path}">{esc(p.column(k).name)}</a></li>'
                       for k in (parent.children if parent else ()))
        main = (self.crumbs_html(col) +
                f"""<table width="1200" border="0" align="center" cellpadding="0" cellspacing="0" class="main_list">
<tr><td width="260" valign="top" class="left_nav"><ul>{side}</ul></td>
<td valign="top" class="list_con">
<div class="list_bt">{esc(col.name)}</div>
<div id="{p.unitid}"><script type="text/xml"><datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup><recordset></recordset></datastore></script></div>
<script language="javascript" src="{self.jpage_js}"></script>
<script type="text/javascript">
$(document).ready(function(){{
	$('#{p.unitid}').jpage({{
		dataStore : null,
		perPage : {col.per_page},
		totalRecord : 0,
		proxyUrl : '{p.proxy_path}',
		groupSize : 3,
		barPosition : 'bottom',
		ajaxParam : {{col:1,appid:1,webid:{p.webid},path:'/',columnid:{col.columnid},sourceContentType:1,unitid:{p.unitid},webname:'{webname}',permissiontype:0}},
		showMode : 'full',
		allowChangePerPage : false,
		themeName : 'default'
	}});
}});
</script>
</td></tr></table>""")
        return self.page(self.title_tag(col.name), self.meta_hanweb(None, col, col.path), main)

    def search_results(self, params: dict) -> tuple[str, bytes]:
        """站内搜索 (/jsearchfront/search.do?q=…): articles sharing at least half the query's bigrams."""
        q = params.get("q", "").strip()
        grams = {q[i:i + 2] for i in range(len(q) - 1)}
        hits = [a for a in sorted(self.p.articles, key=lambda a: a.published, reverse=True)
                if grams and sum(g in a.title for g in grams) * 2 >= len(grams)]
        rows = "".join(f'<div class="jcse-result-box"><div class="jcse-news-title"><a href="{self.url(a.path)}" '
                       f'target="_blank">{esc(a.title)}</a></div><div class="jcse-news-abs">'
                       f'{esc(description(stub_lines(a) if a.attachment else article_lines(a), 60))}…</div>'
                       f'<div class="jcse-news-date">{fmt_date(a.published, "ymd")}</div></div>' for a in hits)
        main = (self.crumbs_html(None, " &gt; 站内搜索") +
                f'<div class="jcse-main"><div class="jcse-result-count">找到相关结果约{len(hits)}个</div>{rows}</div>')
        return self.content_type, self.page(self.title_tag("站内搜索"), "", main).encode(self.p.encoding)

    def record(self, a: Article) -> str:
        if self.old:
            return (f'<tr><td class="bt_link"><a href="{self.art_href(a)}" target="_blank" title="{esc(a.title)}">'
                    f'{esc(truncate(a.title, 40))}</a></td><td class="bt_time" width="100">[{fmt_date(a.published, "ymd")}]'
                    f'</td></tr>')
        return (f'<li><a href="{self.art_href(a)}" title="{esc(a.title)}" target="_blank">{esc(truncate(a.title, 38))}'
                f'</a><span class="bt_time">{fmt_date(a.published, "ymd")}</span></li>')

    def dataproxy(self, params: dict[str, str]) -> tuple[str, bytes]:
        """Answer a jpage dataproxy.jsp request (GET or POST; params merged)."""
        p = self.p
        col = next((c for c in p.columns if c.columnid is not None and str(c.columnid) == params.get("columnid")),
                   None)
        items = p.column_items(col.key) if col else []
        per = _int(params.get("perpage"), 15)
        start = max(1, _int(params.get("startrecord"), 1))
        end = max(start, _int(params.get("endrecord"), start + 3 * per - 1))
        chosen = items[start - 1:end]
        nextgroup = (f'<a href="{p.proxy_path}?page=1&webid={p.webid}&path=/&columnid={params.get("columnid", "")}'
                     f'&unitid={p.unitid}&webname={quote(quote(p.site_name))}&permissiontype=0"></a>')
        recs = "".join(f"<record><![CDATA[\n{self.record(a)}\n]]></record>\n" for a in chosen)
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n'
               f"<recordset>\n{recs}</recordset>\n<totalrecord>{len(items)}</totalrecord>\n"
               f"<totalpage>{max(1, math.ceil(len(items) / per)) if items else 0}</totalpage>\n</datastore>\n")
        return "text/xml;charset=UTF-8", xml.encode("utf-8")

    def xxgk_table(self, a: Article) -> str:
        w = a.written or a.published[:10]
        if self.old:
            return f"""<table width="100%" border="0" cellspacing="1" cellpadding="0" class="xxgk_table" bgcolor="#dddddd">
<tr bgcolor="#ffffff"><td class="xxgk_bt" width="12%">索引号</td><td width="38%">{esc(a.index_no or "")}</td><td class="xxgk_bt" width="12%">发布机构</td><td>{esc(a.issuer or "")}</td></tr>
<tr bgcolor="#ffffff"><td class="xxgk_bt">文号</td><td>{esc(a.doc_no or "")}</td><td class="xxgk_bt">主题分类</td><td>{esc(a.topic)}</td></tr>
<tr bgcolor="#ffffff"><td class="xxgk_bt">成文日期</td><td>{fmt_date(w, "cn")}</td><td class="xxgk_bt">发布日期</td><td>{fmt_date(a.published, "cn")}</td></tr>
</table>
"""
        return f"""<table width="100%" border="0" cellspacing="0" cellpadding="0" class="xxgk_table">
<tr><td width="50%">信息索引号: <span>{esc(a.index_no or "")}</span></td><td>主题分类: <span>{esc(a.topic)}</span></td></tr>
<tr><td>体裁分类: <span></span></td><td>发布机构: <span>{esc(a.issuer or "")}</span></td></tr>
<tr><td>成文日期: <span>{w}</span></td><td>公开方式: <span>主动公开</span></td></tr>
<tr><td>文号: <span>{esc(a.doc_no or "")}</span></td><td>有效性: <span>有效</span></td></tr>
</table>
"""

    def detail(self, a: Article, part: int) -> str:
        p, col = self.p, self.p.column(a.column)
        path = part_paths(a)[part]
        if self.old:
            info = (f'<td align="center" class="fbrq">发布时间：{fmt_date(a.published, "cn")}&nbsp;&nbsp;来源：'
                    f'{esc(a.source or "")}&nbsp;&nbsp;浏览次数：<span id="ll"></span>&nbsp;&nbsp;'
                    '【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
                    '<a href="javascript:doZoom(14)">小</a>】</td>')
        else:
            artid = a.path.rsplit("_", 1)[1].split(".")[0]
            info = (f'<td align="center" class="fbrq">发布日期: {fmt_date(a.published, "spaced")} 访问次数: '
                    f'<script language="javascript" src="/module/visitcount/articlehits.jsp?colid={col.columnid}'
                    f'&artid={artid}"></script> 信息来源: {esc(a.source or "")} 字号:[ <a href="javascript:doZoom(20)">大</a> '
                    '<a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(12)">小</a> ]</td>')
        related = "".join(f'<li><a href="{self.art_href(x)}" target="_blank">{esc(x.title)}</a></li>'
                          for x in self.related(a))
        prev, nxt = self.neighbours(a)
        pn = (f'<p>上一篇：{f"<a href={chr(34)}{self.art_href(prev)}{chr(34)}>{esc(prev.title)}</a>" if prev else "无"}</p>'
              f'<p>下一篇：{f"<a href={chr(34)}{self.art_href(nxt)}{chr(34)}>{esc(nxt.title)}</a>" if nxt else "无"}</p>')
        main = (self.crumbs_html(col) +
                f"""<table width="1200" border="0" align="center" cellpadding="0" cellspacing="0" class="main_con">
<tr><td>
{self.xxgk_table(a) if col.info_public else ""}<table width="100%" border="0" cellspacing="0" cellpadding="0">
<tr><td align="center" class="title">{esc(a.title)}</td></tr>
<tr>{info}</tr>
<tr><td class="bt_content"><div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">
{self.gw_body(a, part, "hanweb")}<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div></td></tr>
<tr><td class="bt_tools">{self.tools_html()}</td></tr>
<tr><td class="bt_pn">{pn}</td></tr>
<tr><td class="xglj"><h4>相关链接</h4><ul>{related}</ul></td></tr>
</table>
</td></tr></table>""")
        return self.page(self.title_tag(a.title), self.meta_hanweb(a, col, path), main)


def _int(v: str | None, default: int) -> int:
    try:
        return int(v) if v not in (None, "") else default
    except ValueError:
        return default


# ==================================================================================================
# 开普云 UCAP

class UCAPSite(Site):
    @property
    def sichuan(self) -> bool:
        return self.p.variant == "ucap-sichuan"

    @property
    def content_type(self) -> str:
        return "text/html;charset=UTF-8"

    def page(self, title: str, metas: str, main: str, generated: str) -> str:
        p = self.p
        menu = "".join(f'<li><a href="{h}"{" target=_blank" if h.startswith("http") else ""}>{esc(n)}</a></li>'
                       for n, h in p.menu)
        return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0" />
<meta name="others" content="页面生成时间 {generated}" />
<title>{esc(title)}</title>
{metas}<link rel="stylesheet" href="/{'jlq' if self.sichuan else 'xcq'}/css/common.css" />
<script src="/ucap/js/jquery.min.js"></script>
</head>
<body>
<div class="top-bar"><div class="container">
<span class="welcome">欢迎访问{esc(p.site_name)}门户网站！</span>
<span class="tools"><a href="javascript:;" id="toolbarBtn">无障碍</a><a href="javascript:;" class="old-mode">适老版</a><a href="javascript:;">移动版</a></span>
</div></div>
<header class="header"><div class="container"><a href="{p.home}" class="logo"><img src="/ucap/images/logo.png" alt="{esc(p.site_name)}"></a>
<div class="search-box"><input type="text" id="searchWord" placeholder="请输入搜索内容"><button type="button">搜索</button></div></div></header>
<nav class="main-nav"><div class="container"><ul>{menu}</ul></div></nav>
{main}
<footer class="footer"><div class="container">
<div class="friend-links"><span>友情链接：</span>{"".join(f'<a href="{u}" target="_blank">{esc(n)}</a>' for n, u in p.links)}</div>
{self.footer_lines()}</div></footer>
</body>
</html>
"""

    def position(self, col: Column | None) -> str:
        parts = [f'<a href="{h}">{esc(n)}</a>' for n, h in self.crumbs(col)]
        sep = " > " if self.sichuan else "&nbsp;&gt;&nbsp;"
        return f'<div class="position"><div class="container">当前位置：{sep.join(parts)}</div></div>\n'

    def generated(self, a: Article | None = None) -> str:
        return fmt_date(a.published, "ymdhms") if a else "2024-06-30 10:00:00"

    def item_li(self, a: Article) -> str:
        return (f'<li><a href="{a.path}" target="_blank" title="{esc(a.title)}">{esc(truncate(a.title, 40))}</a>'
                f'<span class="date">{fmt_date(a.published, "ymd")}</span></li>')

    def home(self) -> str:
        p = self.p
        lists = [p.column(k) for k in p.home_blocks]
        blocks = "".join(f'<div class="panel"><div class="panel-hd"><h3>{esc(c.name)}</h3>'
                         f'<a href="{c.path}" class="more">更多+</a></div><ul class="news-list">'
                         f'{"".join(self.item_li(a) for a in p.column_items(c.key)[:3])}</ul></div>'
                         for c in lists)
        entries = "".join(f'<a href="{c.path}" class="entry">{esc(c.name)}</a>'
                          for c in p.columns if c.paging == "nav" and c.parent is None)
        main = f'<div class="container index">{blocks}<div class="xxgk-entry">{entries}</div></div>'
        return self.page(p.site_name, self.meta_tags(None, None, p.home, "lower"), main, self.generated())

    def nav_page(self, col: Column) -> str:
        p = self.p
        lis = "".join(f'<li><a href="{p.column(k).path}">{esc(p.column(k).name)}</a></li>' for k in col.children)
        main = (self.position(col) + f'<div class="container"><div class="xxgk-nav"><h2>{esc(col.name)}</h2>'
                f'<ul class="xxgk-tree">{lis}</ul></div></div>')
        return self.page(self.title_tag(col.name), self.meta_tags(None, col, col.path, "lower"), main,
                         self.generated())

    def pager(self, col: Column, i: int) -> str:
        n, paths = self.n_pages(col), self.list_paths(col)
        total = len(self.p.column_items(col.key))
        if col.paging == "ucap-query":
            q = lambda k: f"?page={k + 1}"  # noqa: E731
        else:
            q = lambda k: posixpath.basename(paths[k])  # noqa: E731
        out = [f'<a href="{q(0)}">首页</a>']
        out.append(f'<a href="{q(i - 1)}">上一页</a>' if i > 0 else '<span class="disabled">上一页</span>')
        for k in range(n):
            out.append(f'<span class="current">{k + 1}</span>' if k == i else f'<a href="{q(k)}">{k + 1}</a>')
        out.append(f'<a href="{q(i + 1)}">下一页</a>' if i + 1 < n else '<span class="disabled">下一页</span>')
        out.append(f'<a href="{q(n - 1)}">尾页</a>')
        return f'<div class="pagination">{" ".join(out)} <span>共{total}条 {n}页</span></div>'

    def list_page(self, col: Column, i: int) -> str:
        lis = "".join(self.item_li(a) for a in self.page_items(col, i))
        main = (self.position(col) + f'<div class="container list-page"><div class="list-hd"><h2>{esc(col.name)}</h2>'
                f'</div><ul class="news-list">{lis}</ul>{self.pager(col, i)}</div>')
        return self.page(self.title_tag(col.name), self.meta_tags(None, col, col.path, "lower"), main,
                         self.generated())

    def xxgk_table(self, a: Article) -> str:
        w = a.written or a.published[:10]
        if self.sichuan:
            return f"""<div class="xxgk-attr"><ul>
<li><label>索 引 号</label><span>{esc(a.index_no or "")}</span></li>
<li><label>发布机构</label><span>{esc(a.issuer or "")}</span></li>
<li><label>成文日期</label><span>{fmt_date(w, "cn")}</span></li>
<li><label>发布日期</label><span>{fmt_date(a.published, "cn")}</span></li>
<li><label>文    号</label><span>{esc(a.doc_no or "")}</span></li>
<li><label>主题分类</label><span>{esc(a.topic)}</span></li>
</ul></div>
"""
        return f"""<div class="xxgk-head"><table class="xxgk-tab" width="100%">
<tr><td><b>索引号：</b>{esc(a.index_no or "")}</td><td><b>分类：</b>{esc(a.topic)}</td></tr>
<tr><td><b>发布机构：</b>{esc(a.issuer or "")}</td><td><b>公开日期：</b>{fmt_date(a.published, "ymd")}</td></tr>
<tr><td colspan="2"><b>标题：</b>{esc(a.title)}</td></tr>
<tr><td><b>文号：</b>{esc(a.doc_no or "")}</td><td><b>主题词：</b></td></tr>
<tr><td><b>生效时间：</b></td><td><b>终止时间：</b>&nbsp;&nbsp;<b>来源：</b>{esc(a.source or "")}</td></tr>
</table></div>
"""

    def detail(self, a: Article, part: int) -> str:
        p, col = self.p, self.p.column(a.column)
        path = part_paths(a)[part]
        href = lambda x: x.path  # noqa: E731
        if self.sichuan:
            info = (f'<div class="article-info"><span>发布时间：{fmt_date(a.published, "ymdhm")}</span>'
                    f'<span>信息来源：{esc(a.source or "")}</span><span>浏览量：<i id="readCount"></i></span>'
                    '<span class="font-size">【字体：<a href="javascript:;" data-size="18">大</a> '
                    '<a href="javascript:;" data-size="16">中</a> <a href="javascript:;" data-size="14">小</a>】</span></div>')
            tag = "ucapcontent"
        else:
            info = (f'<div class="laiyuan">来源：<span>{esc(a.source or "")}</span>&nbsp;&nbsp;&nbsp;'
                    f'日期：{fmt_date(a.published, "ymd")}&nbsp;&nbsp;&nbsp;【字体：<a href="javascript:;">大</a> '
                    '<a href="javascript:;">中</a> <a href="javascript:;">小</a>】</div>')
            tag = "UCAPCONTENT"
        main = (self.position(col) +
                f'<div class="container"><div class="article">\n{self.xxgk_table(a) if col.info_public else ""}'
                f'<h1 class="article-title">{esc(a.title)}</h1>\n{info}\n'
                f'<div class="article-content" id="zoom"><{tag}>\n{self.gw_body(a, part, "ucap")}</{tag}></div>\n'
                f'<div class="article-tools">{self.tools_html()}</div>\n{self.prev_next_html(a, href)}'
                f'{self.related_html(a, href)}</div></div>')
        return self.page(self.title_tag(a.title), self.meta_tags(a, col, path, "lower"), main, self.generated(a))


# ==================================================================================================
# old ASP table layout (GBK)

class TableSite(Site):
    def old_metas(self, a: Article | None, col: Column | None, path: str) -> str:
        """Upper-case META tags, as FrontPage-era templates wrote them; no site-level ones."""
        if a is None:
            return ""
        m = self.meta_tags(a, col, path)
        keep = ("ArticleTitle", "PubDate", "ContentSource", "SiteName", "ColumnName")
        lines = [x for x in m.splitlines() if any(f'name="{k}"' in x for k in keep)]
        return "\n".join(x.replace("<meta name=", "<META NAME=").replace(" content=", " CONTENT=") for x in lines) + "\n"

    def page(self, title: str, main: str, left: str = "", metas: str = "") -> str:
        p = self.p
        menu = "&nbsp;|&nbsp;".join(f'<a href="{h}" class="nav"{" target=_blank" if h.startswith("http") else ""}>'
                                    f'{esc(n)}</a>' for n, h in p.menu)
        links = "".join(f'<option value="{u}">{esc(n)}</option>' for n, u in p.links)
        f = p.footer
        return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={p.charset}">
<title>{esc(title)}</title>
{metas}<meta name="keywords" content="{esc(p.site_name)},政务公开,依法行政">
<meta name="description" content="{esc(p.site_name)}门户网站">
<link href="/css/style.css" rel="stylesheet" type="text/css">
<script language="javascript" src="/js/common.js"></script>
</head>
<body topmargin="0" leftmargin="0" bgcolor="#FFFFFF">
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td height="26" class="top_bg">&nbsp;今天是：<script language="javascript">document.write(new Date().toLocaleDateString());</script>
&nbsp;&nbsp;<a href="javascript:void(0);" onclick="wza()">无障碍</a>&nbsp;&nbsp;<a href="#" onclick="this.style.behavior='url(#default#homepage)';this.setHomePage('http://{p.host}/');">设为首页</a></td></tr>
<tr><td><img src="/images/banner.jpg" width="980" height="160" border="0" alt="{esc(p.site_name)}"></td></tr>
<tr><td height="36" align="center" class="nav_bg">{menu}</td></tr>
</table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">
<tr>
<td width="230" valign="top" class="left_bg">{left}</td>
<td width="10">&nbsp;</td>
<td valign="top">{main}</td>
</tr>
</table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" class="foot">
<tr><td align="center" height="30">友情链接：<select name="select" onchange="window.open(this.options[this.selectedIndex].value)"><option>----政府网站----</option>{links}</select></td></tr>
<tr><td align="center" class="foot_text">
版权所有：{esc(p.site_name)}&nbsp;&nbsp;&nbsp;主办：{f["sponsor"]}&nbsp;&nbsp;&nbsp;承办：{f["undertaker"]}<br>
网站标识码：{p.site_code}&nbsp;&nbsp;&nbsp;<a href="https://beian.miit.gov.cn/" target="_blank">{f["icp"]}</a>&nbsp;&nbsp;&nbsp;{f["police"]}<br>
技术支持：{f["tech"]}&nbsp;&nbsp;&nbsp;联系电话：{f["phone"]}&nbsp;&nbsp;&nbsp;建议使用1024*768分辨率浏览
</td></tr>
</table>
</body>
</html>
"""

    def left(self, current: Column | None = None) -> str:
        p = self.p
        rows = "".join(f'<tr><td height="28" class="left_item">&nbsp;&middot;&nbsp;<a href="{c.path}">{esc(c.name)}</a>'
                       f'</td></tr>' for c in p.columns if c.paging != "nav")
        extra = ""
        if current is not None and current.key == "yfxz":
            extra = "".join(f'<tr><td height="28" class="left_item">&nbsp;&middot;&nbsp;<a href="{sp.path}">内部审阅：'
                            f'{esc(truncate(sp.title, 14))}</a></td></tr>' for sp in p.specials if sp.kind == "private")
        return (f'<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td class="left_title">栏目导航'
                f'</td></tr>{rows}{extra}</table>')

    def crumb(self, col: Column | None, tail: str = "") -> str:
        parts = [f'<a href="{h}">{esc(n)}</a>' for n, h in self.crumbs(col)]
        return f'<tr><td height="30" class="dqwz">当前位置：{" &gt;&gt; ".join(parts)}{tail}</td></tr>'

    def home(self) -> str:
        p = self.p
        boxes = []
        for c in (p.column(k) for k in p.home_blocks):
            rows = "".join(f'<tr><td height="24">&middot;<a href="{a.path}" target="_blank" title="{esc(a.title)}">'
                           f'{esc(truncate(a.title, 24))}</a></td><td width="80" class="date">'
                           f'{fmt_date(a.published, "asp-date")}</td></tr>' for a in p.column_items(c.key)[:3])
            boxes.append(f'<table width="100%" border="0" cellspacing="0" cellpadding="0" class="box">'
                         f'<tr><td class="box_title">{esc(c.name)}</td><td align="right"><a href="{c.path}">more&gt;&gt;</a>'
                         f'</td></tr>{rows}</table>')
        return self.page(p.site_name, "".join(boxes), self.left())

    def nav_page(self, col: Column) -> str:
        p = self.p
        rows = "".join(f'<tr><td height="30">&middot;<a href="{p.column(k).path}">{esc(p.column(k).name)}</a></td></tr>'
                       for k in col.children)
        main = f'<table width="100%" border="0" cellspacing="0" cellpadding="0">{self.crumb(col)}{rows}</table>'
        return self.page(self.title_tag(col.name), main, self.left(col))

    def list_page(self, col: Column, i: int) -> str:
        n = self.n_pages(col)
        items = self.page_items(col, i)
        total = len(self.p.column_items(col.key))
        rows = "".join(f'<tr><td height="26" class="list">&middot;<a href="{posixpath.basename(a.path)}" target="_blank"'
                       f' title="{esc(a.title)}">{esc(truncate(a.title, 34))}</a></td><td width="90" class="date">'
                       f'[{fmt_date(a.published, "ymd")}]</td></tr>' for a in items)
        pg = lambda k: f"list.asp?page={k}"  # noqa: E731
        nav = (f'共{total}条记录&nbsp;页次：{i + 1}/{n}&nbsp;每页{col.per_page}条&nbsp;'
               f'<a href="{pg(1)}">首页</a>&nbsp;'
               + (f'<a href="{pg(i)}">上一页</a>&nbsp;' if i > 0 else "上一页&nbsp;")
               + (f'<a href="{pg(i + 2)}">下一页</a>&nbsp;' if i + 1 < n else "下一页&nbsp;")
               + f'<a href="{pg(n)}">尾页</a>')
        main = (f'<table width="100%" border="0" cellspacing="0" cellpadding="0">{self.crumb(col)}'
                f'<tr><td><table width="100%" border="0" cellspacing="0" cellpadding="0">{rows}</table></td></tr>'
                f'<tr><td align="center" height="30" class="page">{nav}</td></tr></table>')
        return self.page(self.title_tag(col.name), main, self.left(col))

    def xxgk_table(self, a: Article) -> str:
        w = a.written or a.published[:10]
        return f"""<table width="96%" border="1" align="center" cellpadding="3" cellspacing="0" bordercolor="#CCCCCC" style="border-collapse:collapse" class="xxgk">
<tr><td width="15%" bgcolor="#F2F2F2">索 引 号</td><td width="35%">{esc(a.index_no or "")}</td><td width="15%" bgcolor="#F2F2F2">发文机关</td><td>{esc(a.issuer or "")}</td></tr>
<tr><td bgcolor="#F2F2F2">文&nbsp;&nbsp;&nbsp;&nbsp;号</td><td>{esc(a.doc_no or "")}</td><td bgcolor="#F2F2F2">成文日期</td><td>{fmt_date(w, "cn")}</td></tr>
<tr><td bgcolor="#F2F2F2">标&nbsp;&nbsp;&nbsp;&nbsp;题</td><td colspan="3">{esc(a.title)}</td></tr>
</table>
"""

    def detail_table(self, title: str, info: str, body: str, col: Column | None, extra: str = "") -> str:
        return (f'<table width="100%" border="0" cellspacing="0" cellpadding="0">{self.crumb(col, " &gt;&gt; 正文")}'
                f'<tr><td>{extra}</td></tr>'
                f'<tr><td align="center" height="50" class="title"><span class="bt"><b>{esc(title)}</b></span></td></tr>'
                f'<tr><td align="center" height="26" class="info">{info}</td></tr>'
                f'<tr><td><hr size="1" color="#CCCCCC"></td></tr>'
                f'<tr><td class="content" id="fontzoom">\n{body}</td></tr>'
                '<tr><td align="right" height="30">【<a href="javascript:window.print()">打印本页</a>】'
                '【<a href="javascript:window.close()">关闭窗口</a>】</td></tr>')

    def detail(self, a: Article, part: int) -> str:
        p, col = self.p, self.p.column(a.column)
        artid = a.path.rsplit("=", 1)[1]
        info = (f'发布时间：{fmt_date(a.published, "asp")}&nbsp;&nbsp;信息来源：{esc(a.source or "")}&nbsp;&nbsp;'
                f'点击数：<script language="javascript" src="/inc/count.asp?id={artid}"></script>&nbsp;&nbsp;'
                '【字体：<a href="javascript:fontZoom(16)">大</a> <a href="javascript:fontZoom(14)">中</a> '
                '<a href="javascript:fontZoom(12)">小</a>】')
        prev, nxt = self.neighbours(a)
        pn = (f'<tr><td height="26">上一篇：{f"<a href={chr(34)}{posixpath.basename(prev.path)}{chr(34)}>{esc(prev.title)}</a>" if prev else "没有了"}'
              f'<br>下一篇：{f"<a href={chr(34)}{posixpath.basename(nxt.path)}{chr(34)}>{esc(nxt.title)}</a>" if nxt else "没有了"}</td></tr>')
        rel_rows = "".join(f'&middot;<a href="{x.path}">{esc(x.title)}</a><br>' for x in self.related(a))
        main = (self.detail_table(a.title, info, self.gw_body(a, part, "word-br"), col,
                                  self.xxgk_table(a) if col.info_public else "")
                + '<tr><td height="40" align="center">分享到：<a href="javascript:void(0)">微信</a> '
                  '<a href="javascript:void(0)">微博</a>&nbsp;&nbsp;<img src="/images/ewm.gif" width="60">扫一扫在手机打开当前页</td></tr>'
                + pn + f'<tr><td class="xglj"><b>相关链接</b><br>{rel_rows}</td></tr></table>')
        return self.page(self.title_tag(a.title), main, self.left(col), self.old_metas(a, col, a.path))

    def special(self, sp: Special) -> str:
        lines = list(article_lines(Article("x", sp.path, sp.title, "2024-03-01 00:00", "", body=sp.body)))
        info = "内部资料&nbsp;&nbsp;注意保密&nbsp;&nbsp;发布时间：2024-3-1"
        main = self.detail_table(sp.title, info, body_html(lines, "word-br"), None) + "</table>"
        return self.page(self.title_tag(sp.title), main, self.left())


# ==================================================================================================
# issue 9: reports published as files, lists built by JavaScript

ATTACHMENT_TYPES = {
    "pdf": "application/pdf", "scan": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword", "wps": "application/octet-stream",
}


def stub_lines(a: Article) -> list[str]:
    """What the detail page of a report published as a file says (the link goes on the last line)."""
    return ["详见附件。", f"附件：{a.attachment.name}"]


def attachment_file(a: Article) -> tuple[str, bytes]:
    """(content_type, bytes) of an article's file, generated from its body (deterministic)."""
    from sampleweb import files

    att = a.attachment
    lines = article_lines(a)
    data = {"pdf": lambda: files.pdf(lines, a.title, created=a.published), "scan": files.scanned_pdf,
            "docx": lambda: files.docx(lines), "doc": lambda: files.ole_blob(a.title),
            "wps": lambda: files.ole_blob(a.title)}[att.kind]()
    return att.content_type or ATTACHMENT_TYPES[att.kind], data


class FujianSite(TRSSite):
    """福建 TRS + avalon: report lists are ``listModel({...})``; page 1 is static, the rest comes from
    a POST to the platform's search endpoint, answering JSON."""
    search_endpoint = "/fjdzapp/search"

    def __init__(self, portal: Portal):
        super().__init__(portal)
        self.endpoints[self.search_endpoint] = self.search_json

    def pager(self, col: Column, i: int) -> str:
        if col.paging != "listmodel":
            return super().pager(col, i)
        total = len(self.p.column_items(col.key))
        return (f'<div class="pagebar" id="pagebar"></div>\n<script type="text/javascript">\n'
                f'listModel({{quickMode:"动静结合", maxStaticIndex:1, listArgs:{{channelid:{col.columnid}, '
                f'classsql:"chnlid={col.chnl_id}", sortfield:"-docorderpri,-docreltime"}}, '
                f"pagebar:{{prepage:{col.per_page}, recordCount:'{total}'}}, el:\"#listBox\"}});\n</script>")

    def search_json(self, params: dict) -> tuple[str, bytes]:
        import json
        col = next((c for c in self.p.columns if str(c.columnid) == params.get("channelid")), None)
        items = self.p.column_items(col.key) if col else []
        per = _int(params.get("prepage"), 10)
        page = max(1, _int(params.get("page"), 1))
        docs = [{"title": a.title, "url": self.url(a.path), "pubtime": fmt_date(a.published, "ymdhms"),
                 "chnldesc": col.name} for a in items[(page - 1) * per:page * per]]
        out = {"page": page, "pagecount": math.ceil(len(items) / per) if per else 0,
               "recordCount": len(items), "docs": docs}
        return "application/json;charset=UTF-8", json.dumps(out, ensure_ascii=False).encode("utf-8")


class JsonListSite(UCAPSite):
    """A UCAP page whose list is drawn by a script from records embedded as a JSON array."""

    def list_page(self, col: Column, i: int) -> str:
        if col.paging != "jsonlist":
            return super().list_page(col, i)
        import json
        records = [{"title": a.title, "url": a.path, "pubDate": fmt_date(a.published, "ymd"),
                    "source": a.source or ""} for a in self.p.column_items(col.key)]
        data = json.dumps(records, ensure_ascii=False, indent=1)
        main = (self.position(col) + f'<div class="container list-page"><div class="list-hd"><h2>{esc(col.name)}</h2>'
                '</div><ul class="news-list" id="listBox"></ul><div class="pagination" id="pageBox"></div></div>\n'
                f'<script type="text/javascript">\nvar listData = {data};\n'
                "$(function(){var h='';$.each(listData,function(i,o){h+='<li><a href=\"'+o.url+'\" target=\"_blank\">'"
                "+o.title+'</a><span class=\"date\">'+o.pubDate+'</span></li>';});$('#listBox').html(h);});\n</script>")
        return self.page(self.title_tag(col.name), self.meta_tags(None, col, col.path, "lower"), main,
                         self.generated())


FAMILIES = {"trs": TRSSite, "hanweb": HanwebSite, "ucap": UCAPSite, "table": TableSite,
            "fujian": FujianSite, "jsonlist": JsonListSite}


def make_site(portal: Portal) -> Site:
    return FAMILIES[portal.family](portal)


__all__ = ["Site", "make_site", "fmt_date", "body_html", "opencc_convert"]
