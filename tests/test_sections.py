"""Section splitting on real report texts (sample web bodies, repo test data, shared seeds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.normalize import normalize_text
from pipelines.sections import cn_number, parse_heading, split_sections

ROOT = Path(__file__).resolve().parent.parent
BODIES = ROOT / "sampleweb" / "bodies"
SEEDS = next((p for p in (ROOT.parent / "shared" / "seeds", Path("/work/shared/seeds")) if p.is_dir()),
             None)


def sections_of(path: Path) -> list[dict]:
    return split_sections(normalize_text(path.read_text(encoding="utf-8")))


def headings(secs, max_level=3):
    return [(s["number"], s["heading"]) for s in secs if s["level"] <= max_level]


def test_taizhou_exact_headings():
    secs = sections_of(BODIES / "taizhou_2023_report.txt")
    assert headings(secs) == [
        ("一", "主要工作成效"),
        ("(一)", "加强统筹谋划,压实法治建设责任"),
        ("(二)", "深化重点领域改革,优化法治化营商环境"),
        ("(三)", "完善依法决策机制,提升决策质量"),
        ("(四)", "加强规范性文件监督管理"),
        ("(五)", "推进严格规范公正文明执法"),
        ("(六)", "强化行政权力制约监督"),
        ("(七)", "依法化解社会矛盾纠纷"),
        ("二", "存在的不足"),
        ("三", "党政主要负责人履行推进法治建设第一责任人职责情况"),
        ("四", "2024年工作安排"),
    ]
    assert [s["position"] for s in secs] == list(range(len(secs)))
    assert [s["level"] for s in secs] == [1, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1]
    # own text only: the parent 一、 has no paragraphs of its own
    assert secs[0]["text"] == ""
    assert secs[-1]["text"].endswith("2024年3月22日")


def test_haimen_street_report_exact_headings():
    secs = sections_of(BODIES / "haimen_2022_report.txt")
    assert headings(secs) == [
        ("一", "2022年法治政府建设工作情况"),
        ("(一)", "加强组织领导,落实法治建设责任"),
        ("(二)", "规范行政行为,推进依法行政"),
        ("(三)", "深化综合执法,提升执法水平"),
        ("(四)", "化解矛盾纠纷,维护社会稳定"),
        ("(五)", "推进普法宣传,营造法治氛围"),
        ("二", "存在的问题"),
        ("三", "2023年工作思路"),
    ]
    problems = next(s for s in secs if s["heading"] == "存在的问题")
    assert problems["text"].startswith("一是")  # "一是…二是…" is text, not headings


def test_jialing_three_levels_and_run_in_headings():
    secs = sections_of(BODIES / "jialing_2021_report.txt")
    assert headings(secs, 1) == [("一", "工作推进情况"), ("二", "存在的不足和原因"),
                                 ("三", "下一步工作打算")]
    assert len([s for s in secs if s["level"] == 2]) == 15
    assert len([s for s in secs if s["level"] == 3]) == 25
    first3 = next(s for s in secs if s["level"] == 3)
    assert (first3["number"], first3["heading"]) == ("1", "深入学习习近平法治思想")
    assert first3["text"].startswith("一是将习近平法治思想")  # run-in remainder
    run_in = next(s for s in secs if s["heading"] == "行政执法还不够规范")
    assert run_in["number"] == "(一)" and run_in["text"].startswith("由于")
    # the page footer is not part of the last section
    assert "扫一扫" not in secs[-1]["text"] and "ICP" not in secs[-1]["text"]
    assert secs[-1]["heading"] == "进一步提高法治思维和依法行政能力"


def test_traditional_text_after_normalization():
    secs = sections_of(ROOT / "tests" / "data" / "seed003_trad_pinyin.txt")
    assert headings(secs, 1) == [
        ("一", "优化结构配置,政府职能全面履行"),
        ("二", "完善机制体制,依法行政运行高效"),
        ("三", "依法科学民主,行政决策落实有力"),
        ("四", "推进公正文明,行政执法严格规范"),
        ("五", "强化对行政权力的制约和监督"),
        ("六", "狠抓基层治理,矛盾纠纷有效化解"),
        ("七", "加强组织领导和工作保障"),
    ]
    assert len(secs) == 28


@pytest.mark.skipif(SEEDS is None, reason="shared seeds not available")
def test_seed_002_exact_headings():
    secs = split_sections(normalize_text(
        (SEEDS / "002_cb0d57f057b2aa38.txt").read_text(encoding="utf-8")))
    assert headings(secs) == [
        ("一", "2023年推进法治政府建设的主要举措和成效"),
        ("(一)", "牢固树立法治思维,切实加强法治政府建设统筹协调"),
        ("(二)", "全面履行政府职能,大力优化法治化营商环境"),
        ("(三)", "持续规范依法决策,推进行政行为科学化民主化法治化"),
        ("(四)", "加强行政执法监督,推进严格规范公正文明执法"),
        ("(五)", "有效化解社会矛盾纠纷,切实维护群众合法权益"),
        ("二", "2023年推进法治政府建设存在的不足和原因"),
        ("三", "2023年党政主要负责人履行推进法治建设第一责任人职责有关情况"),
        ("四", "2024年推进法治政府建设的主要安排"),
    ]


@pytest.mark.skipif(SEEDS is None, reason="shared seeds not available")
@pytest.mark.parametrize("name,first,last", [
    ("000_523f47ce50125db0.txt", "工作推进情况", "下一步工作打算"),
    ("001_33dfb61e85867be8.txt", "全面加大法治政府建设统筹推进力度",
     "加快提升行政机关依法行政的能力和水平"),
    ("003_b1447d7b30bc702a.txt", "优化结构配置,政府职能全面履行", "加强组织领导和工作保障"),
    ("004_7c6f183055e3ae6c.txt", "落实主体责任,将法治政府建设摆在突出位置",
     "强化社会治理,深入推进全民守法"),
])
def test_seeds_top_level(name, first, last):
    secs = split_sections(normalize_text((SEEDS / name).read_text(encoding="utf-8")))
    top = [s["heading"] for s in secs if s["level"] == 1]
    assert top[0] == first and top[-1] == last
    assert all(s["heading"] for s in secs)


@pytest.mark.parametrize("line", [
    "1.8个工作日内办结。",
    "2023年,全区共收到申请158件。",
    "一是深入学习贯彻习近平法治思想。",
    "二是加强法治政府建设整体谋划",
    "全区共有1.办理",
    "(1)",
    "1、" + "很长的编号段落没有句号" * 8,
    "3.5%的增长",
])
def test_not_headings(line):
    assert parse_heading(line) is None


def test_heading_forms():
    assert parse_heading("一、工作推进情况")[:4] == (1, "一", 1, "工作推进情况")
    assert parse_heading("十二、其他事项")[:3] == (1, "十二", 12)
    assert parse_heading("(三)完善制度建设,提升行政决策科学性")[:2] == (2, "(三)")
    assert parse_heading("(2)加强审查。内容")[:5] == (3, "2", 2, "加强审查", "内容")
    assert parse_heading("1、2023年工作安排")[:4] == (3, "1", 1, "2023年工作安排")
    assert cn_number("二十") == 20 and cn_number("十") == 10 and cn_number("九十九") == 99


def test_backwards_numbering_is_text_and_odd_input():
    secs = split_sections("一、总体情况\n3.第三项工作\n2.第二项。\n二、存在的问题\n正文")
    assert headings(secs) == [("一", "总体情况"), ("3", "第三项工作"), ("二", "存在的问题")]
    assert secs[1]["text"] == "2.第二项。"
    assert split_sections("") == [] and split_sections(None) == []  # type: ignore[arg-type]
    assert split_sections("没有标题的正文。") == []
