"""Generate tests/data/dedup_pairs.jsonl: labelled near-duplicate pairs built from report bodies.

Deterministic (random.Random(SEED)); run from the repository root:

    .venv/bin/python tests/data/make_dedup_pairs.py

Sources: sampleweb/bodies/*.txt (in the repository) and tests/data/dedup_src/*.txt (copies of
five seed bodies that are real independent captures of sampleweb reports: a Big5/pinyin copy and
four reposts with different chrome). Texts are stored raw (not normalized) in the jsonl; the
dedup code normalizes. Each record: {a, b, same, kind, issuer_a, issuer_b, year_a, year_b, note}.
Kinds, same=True: repost_chrome, real_repost, traditional, pinyin, first_sentence, spam,
truncated. same=False: year_variant, dept_same_year, jiedu, unrelated.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import opencc

SEED = 20240601
ROOT = Path(__file__).resolve().parents[2]
BODIES = ROOT / "sampleweb" / "bodies"
SRC = Path(__file__).resolve().parent / "dedup_src"
OUT = Path(__file__).resolve().parent / "dedup_pairs.jsonl"

ISSUERS = {
    "haimen": "南充市嘉陵区海门街道办事处",
    "jialing": "南充市嘉陵区人民政府",
    "jiaojiang": "台州市椒江区人民政府",
    "nanchong": "南充市人民政府",
    "taizhou": "台州市人民政府",
    "tielingxian": "铁岭县人民政府",
    "xiangcheng": "襄城县人民政府",
    "xiangshan": "淮北市相山区人民政府",
}
# the seed copies are reposts of these bodies
SEED_OF = {
    "000": "jialing_2021_report",
    "001": "tielingxian_2021_report",
    "002": "jiaojiang_2023_report",
    "003": "xiangshan_2020_report",
    "004": "xiangcheng_2020_report",
}

CHROME = [
    "【打印本页】【关闭窗口】",
    "分享到：微信 微博 QQ空间",
    "扫一扫在手机打开当前页",
    "首页 > 政务公开 > 法治政府建设",
    "来源：司法局 发布时间：2024-03-28 浏览次数：1024",
    "主办单位：区人民政府办公室 网站标识码：5113040001 蜀ICP备05003307号",
]
SPAM = [
    "澳门新葡京娱乐场官方网站，注册即送88元彩金，百家乐真人在线，日赚万元不是梦！",
    "★★太阳城娱乐★★ 首存送100% 老虎机 捕鱼 体育投注 24小时提款秒到账 www.xpj888.example",
    "皇冠体育在线投注平台 真人视讯 电子游艺 微信同号 13800000000",
]
NEW_FIRST = [
    "根据上级部门统一部署和法治政府建设考核要求，现将本年度工作情况公开如下。",
    "本报告依据《法治政府建设与责任落实督察工作规定》编制，全文如下。",
    "为接受社会监督，现将本单位法治政府建设年度情况予以公布。",
]
STOCK_INTRO = (
    "{year}年，我{unit}坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，"
    "全面落实《法治政府建设实施纲要（2021—2025年）》，认真履行推进法治建设第一责任人职责，"
    "统筹推进依法行政各项工作，法治政府建设取得新成效。现将有关情况报告如下。"
)
STOCK_TAIL = [
    "二、存在的不足",
    "一是法治宣传教育的针对性和实效性有待进一步增强；二是行政执法人员业务能力和执法水平仍需提升；三是运用法治思维和法治方式解决问题的能力有待提高。",
    "三、下一步工作打算",
    "下一步，我{unit}将继续坚持以习近平法治思想为指导，深入贯彻落实党的二十大精神，加强党对法治政府建设的领导，持续推进严格规范公正文明执法，不断提升依法行政能力和水平，为经济社会高质量发展提供坚实法治保障。",
]
PINYIN = {"區": "區(qū)", "設": "設(shè)", "導": "導(dǎo)", "習": "習(xí)", "領": "領(lǐng)", "執": "執(zhí)"}


def load() -> dict[str, str]:
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(BODIES.glob("*.txt"))}
    for p in sorted(SRC.glob("*.txt")):
        texts["seed" + p.stem[:3]] = p.read_text(encoding="utf-8")
    return texts


def meta(name: str) -> tuple[str | None, int | None]:
    base = SEED_OF.get(name[4:7], name) if name.startswith("seed") else name
    m = re.search(r"(20\d\d)", base)
    return ISSUERS.get(base.split("_")[0]), int(m.group(1)) if m else None


def paras(t: str) -> list[str]:
    return [p for p in t.split("\n") if p.strip()]


def shift_years(t: str, d: int) -> str:
    return re.sub(r"20([12]\d)", lambda m: str(2000 + int(m.group(1)) + d), t)


def main() -> int:
    rng = random.Random(SEED)
    texts = load()
    s2t = opencc.OpenCC("s2t")
    long = [n for n, t in texts.items() if not n.startswith("seed") and "big5" not in n and len(t) > 4000]
    short = [n for n, t in texts.items() if not n.startswith("seed") and "big5" not in n and len(t) <= 4000]
    reports = sorted(n for n in long + short if n.endswith("_report"))
    pairs: list[dict] = []

    def add(a, b, same, kind, na, nb=None, issuer_b=..., year_b=..., note=""):
        ia, ya = meta(na)
        ib, yb = meta(nb or na)
        pairs.append(
            {
                "a": a,
                "b": b,
                "same": same,
                "kind": kind,
                "issuer_a": ia,
                "issuer_b": ib if issuer_b is ... else issuer_b,
                "year_a": ya,
                "year_b": yb if year_b is ... else year_b,
                "note": note or (na if nb is None else f"{na} vs {nb}"),
            }
        )

    all_docs = sorted(long + short)
    # 1. reposts with different chrome leftovers (top or bottom, one or two lines); issuer of the
    #    repost unknown (None) in half the cases, the reposting site's name in a few
    for i, n in enumerate(rng.sample(all_docs, 10)):
        t = texts[n]
        extra = rng.sample(CHROME, 1 + i % 2)
        b = (t.rstrip("\n") + "\n" + "\n".join(extra) + "\n") if i % 3 else ("\n".join(extra) + "\n" + t)
        a = t if i % 4 else t.rstrip("\n") + "\n" + CHROME[(i + 3) % len(CHROME)] + "\n"
        ib = ... if i % 2 else (None if i % 4 else "四川省人民政府门户网站")
        add(a, b, True, "repost_chrome", n, issuer_b=ib)
    # 2. real reposts captured independently (seeds)
    for s in ("seed000", "seed001", "seed002", "seed004"):
        n = SEED_OF[s[4:]]
        add(texts[n], texts[s], True, "real_repost", n, s)
    # 3. Traditional conversions (OpenCC s2t), normalized back by the dedup code
    for n in rng.sample(reports, 3):
        add(texts[n], s2t.convert(texts[n]), True, "traditional", n)
    add(texts["xiangshan_2020_report"], texts["xiangshan_2020_report.big5"], True, "traditional", "xiangshan_2020_report")
    # 4. Traditional with pinyin annotations
    add(texts["xiangshan_2020_report"], texts["seed003"], True, "pinyin", "xiangshan_2020_report", "seed003")
    for n in rng.sample(reports, 2):
        b = s2t.convert(texts[n])
        for ch, rep in PINYIN.items():
            b = b.replace(ch, rep)
        add(texts[n], b, True, "pinyin", n)
    # 5. changed first sentence (short reports included: the hardest case)
    for i, n in enumerate(rng.sample(long, 3) + rng.sample(short, 3)):
        ps = paras(texts[n])
        first = ps[0]
        cut = first.find("。")
        ps[0] = NEW_FIRST[i % 3] + (first[cut + 1 :] if 0 <= cut < len(first) - 1 else "")
        add(texts[n], "\n".join(ps) + "\n", True, "first_sentence", n)
    # 6. injected spam line mid-text
    for i, n in enumerate(rng.sample(long, 3) + rng.sample(short, 3)):
        ps = paras(texts[n])
        ps.insert(len(ps) // 2, SPAM[i % 3])
        add(texts[n], "\n".join(ps) + "\n", True, "spam", n)
    # 7. truncated copy: first 60 % of the characters
    for n in rng.sample(long, 4) + rng.sample(short, 2):
        t = texts[n]
        add(t, t[: int(len(t) * 0.6)], True, "truncated", n)
    # 8. same issuer, different year: years shifted, ~40 % of paragraphs replaced by paragraphs of
    #    another report (headings and stock phrases stay shared, as between two years of a county)
    dated_short = [m for m in short if meta(m)[1] is not None]
    for i, n in enumerate(rng.sample(long, 4) + rng.sample(dated_short, 4)):
        ps = paras(texts[n])
        other = paras(texts[rng.choice([m for m in long if m.split("_")[0] != n.split("_")[0]])])
        k = max(1, round(len(ps) * 0.4))
        for j in rng.sample(range(len(ps)), k):
            ps[j] = rng.choice(other)
        d = 1 if i % 2 else -1
        issuer, year = meta(n)
        add(texts[n], shift_years("\n".join(ps) + "\n", d), False, "year_variant", n, year_b=year + d)
    # 9. different issuers (departments / districts), same year, shared stock phrases
    real_dept = [
        ("jiaojiang_xxgk_2023", "nanchong_xxgk_2023"),
        ("nanchong_2023_report", "nanchong_sfj_2023_report"),
        ("nanchong_2023_report", "taizhou_2023_report"),
        ("taizhou_2023_report", "tielingxian_2023_report"),
    ]
    for x, y in real_dept:
        ia = "南充市司法局" if "sfj" in y else ...
        add(texts[x], texts[y], False, "dept_same_year", x, y, issuer_b=ia)
    units = [("局", "南充市司法局", "南充市教育局"), ("委", "台州市发展和改革委员会", "台州市卫生健康委员会"),
             ("局", "铁岭县自然资源局", "铁岭县市场监督管理局"), ("区", "南充市顺庆区人民政府", "南充市高坪区人民政府")]
    for unit, ia, ib in units:
        x, y = rng.sample(long, 2)
        px, py = paras(texts[x]), paras(texts[y])
        body_x = rng.sample(px[1:], min(4, len(px) - 1))
        body_y = rng.sample(py[1:], min(4, len(py) - 1))
        intro = STOCK_INTRO.format(year=2023, unit=unit)
        tail = [s.format(unit=unit) for s in STOCK_TAIL]
        a = "\n".join(["一、主要工作", intro] + body_x + tail) + "\n"
        b = "\n".join(["一、主要工作", intro] + body_y + tail) + "\n"
        pairs.append({"a": a, "b": b, "same": False, "kind": "dept_same_year", "issuer_a": ia, "issuer_b": ib,
                      "year_a": 2023, "year_b": 2023, "note": f"stock intro/tail + {x} vs {y}"})
    # 10. report vs its 政策解读 (quotes paragraphs of the report)
    add(texts["nanchong_2023_report"], texts["nanchong_jiedu_2023"], False, "jiedu", "nanchong_2023_report", "nanchong_jiedu_2023")
    for n in rng.sample(long, 3) + rng.sample([m for m in short if m.endswith("_report")], 2):
        ps = paras(texts[n])
        issuer, year = meta(n)
        quoted = sorted(rng.sample(range(len(ps)), min(len(ps), max(3, len(ps) // 3))))
        b = [f"近日，{issuer}向社会公开《{issuer}关于{year}年度法治政府建设情况的报告》。为便于社会公众更好地了解报告内容，现就有关情况解读如下。",
             "一、起草背景",
             "根据《法治政府建设与责任落实督察工作规定》要求，县级以上地方各级政府每年第一季度要向同级党委、人大常委会和上一级政府报告上一年度法治政府建设情况，报告要通过报刊、网站等新闻媒体向社会公开。",
             "二、主要内容",
             "报告全文分为三个部分。报告指出："]
        b += [ps[j] for j in quoted]
        b += ["三、主要特点", "报告坚持问题导向，既总结成绩，又查找不足，对下一步工作作出了安排部署。",
              "四、解读机关及联系方式", "解读机关：司法局 联系电话：0817-2222222"]
        add(texts[n], "\n".join(b) + "\n", False, "jiedu", n, note=f"{n} vs synthetic 政策解读")
    # 11. unrelated reports
    for _ in range(6):
        x, y = rng.sample(reports, 2)
        while x.split("_")[0] == y.split("_")[0]:
            x, y = rng.sample(reports, 2)
        add(texts[x], texts[y], False, "unrelated", x, y)

    with OUT.open("w", encoding="utf-8") as f:
        for p in pairs:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    n_same = sum(p["same"] for p in pairs)
    print(f"wrote {len(pairs)} pairs ({n_same} same, {len(pairs) - n_same} different) to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
