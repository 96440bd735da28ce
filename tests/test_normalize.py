"""pipelines.normalize: one canonical Simplified text for Simplified, Traditional and
Traditional-with-pinyin versions of the same report."""

import random
import re
from pathlib import Path

import opencc
import pytest

from pipelines.normalize import normalize_text, normalize_title, strip_pinyin

DATA = Path(__file__).parent / "data"
SEED003 = DATA / "seed003_trad_pinyin.txt"   # copy of /work/shared/seeds/003_b1447d7b30bc702a.txt
SHARED_SEEDS = Path("/work/shared/seeds")


def seed003() -> str:
    return SEED003.read_text(encoding="utf-8")


def all_seed_texts() -> list[str]:
    texts = [seed003()]
    if SHARED_SEEDS.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(SHARED_SEEDS.glob("*.txt"))]
    return texts


# --- exact outputs -----------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    # pinyin annotations after characters, ASCII or full-width parentheses
    ("我區(qū)法治政府建設(shè)工作", "我区法治政府建设工作"),
    ("律(lǜ)師 女(nǚ)性 驴(ü)", "律师女性驴"),
    ("區（qū）域 設 (shè)", "区域设"),
    ("莊(zhuàng)(zhuàng)重", "庄重"),
    ("嗯(ńg)", "嗯"),
    ("區\u1680(qū)域 設\u3000(shè)", "区域设"),
    # real parentheses stay
    ("《法治政府建设实施纲要(2021-2025年)》(一)(2015-2020)",
     "《法治政府建设实施纲要(2021-2025年)》(一)(2015-2020)"),
    ("(淮府法領(lǐng)〔2020〕2號)", "(淮府法领〔2020〕2号)"),
    ("软件(APP)和咖啡(café)(de)", "软件(APP)和咖啡(café)(de)"),
    ("(試行)(站、室)", "(试行)(站、室)"),
    # NFKC
    ("（一）提高政治站位：坚持党的领导，", "(一)提高政治站位:坚持党的领导,"),
    ("ＡＢＣ１２３", "ABC123"),
    ("①2023年完成 ⑴", "①2023年完成 ⑴"),       # list markers kept (NFKC would give "12023年")
    # invisible and control characters
    ("法\u200b治\ufeff政\u200d府\u2060建\u200e设\x07\x00", "法治政府建设"),
    # lines: one paragraph per line, no blank lines, stripped
    ("第一段\r\n\r\n   第二段  \r第三段\u2028第四段\n\n", "第一段\n第二段\n第三段\n第四段"),
    ("\u00a0\u00a0\u00a0\u00a0一、工作推进情况", "一、工作推进情况"),
    # spaces: removed between CJK, collapsed elsewhere, kept next to digits/latin
    ("法治\u3000政府  建设", "法治政府建设"),
    ("一、 工作 推进情况", "一、工作推进情况"),
    ("全年共组织会前学法 30余次", "全年共组织会前学法 30余次"),
    ("Windows  10 和 ISO\u00a09001", "Windows 10 和 ISO 9001"),
    ("开展 “三下乡”活动", "开展“三下乡”活动"),
    # dates and times
    ("发布日期: 2024- 03- 04 16: 22 访问次数", "发布日期: 2024-03-04 16:22 访问次数"),
    ("2024年 3 月 4 日", "2024年3月4日"),
    ("成文日期:2024 年 3 月 4 日 9 : 05 : 30", "成文日期:2024年3月4日 9:05:30"),
    ("3 月 15 日,县委召开", "3月15日,县委召开"),
    ("(2021 - 2025年)", "(2021 - 2025年)"),   # not a date: spaces next to digits stay
    # table cells: a run containing a tab becomes one tab
    ("姓名\t\t职务 \t 备注\t", "姓名\t职务\t备注"),
    # Hong Kong variant forms fold too (plain t2s would keep 衞)
    ("衞生健康 羣眾", "卫生健康群众"),
    ("", ""),
])
def test_normalize_text_exact(raw, expected):
    assert normalize_text(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("襄城区人民政府2020年度法治政府建设\n\n工作报告", "襄城区人民政府2020年度法治政府建设工作报告"),
    ("  嘉陵區人民政府關於2021年度法治政府建設工作的報告  ", "嘉陵区人民政府关于2021年度法治政府建设工作的报告"),
    ("相山區(qū)2020年度法治政府建設(shè)工作報告", "相山区2020年度法治政府建设工作报告"),
    ("某区 2023 年度法治政府建设情况报告...", "某区2023年度法治政府建设情况报告"),
    ("· 关于2023年度法治政府建设情况的报告 -", "关于2023年度法治政府建设情况的报告"),
    ("《某区2023年度法治政府建设情况报告》解读", "《某区2023年度法治政府建设情况报告》解读"),
    ("关于江北区2023年度法治政府建设情况的报告（全文）", "关于江北区2023年度法治政府建设情况的报告(全文)"),
    ("ISO 9001 认证 报告", "ISO 9001认证报告"),
    ("", ""),
])
def test_normalize_title_exact(raw, expected):
    assert normalize_title(raw) == expected


def test_strip_pinyin_only_touches_annotations():
    assert strip_pinyin("區(qū)(一)(2015-2020)(APP)") == "區(一)(2015-2020)(APP)"
    assert strip_pinyin("(qū)開頭") == "(qū)開頭"          # no character to annotate
    assert strip_pinyin("2020(qū)") == "2020(qū)"


# --- the same report in three forms ----------------------------------------------------------------

def _simplified_from_seed003() -> str:
    raw = seed003()
    without_pinyin = re.sub(r"\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+)\)", "", raw)
    return opencc.OpenCC("t2s").convert(without_pinyin)


@pytest.mark.parametrize("s2t_config", ["s2t", "s2tw", "s2hk"])
def test_simplified_traditional_and_pinyin_forms_normalize_identically(s2t_config):
    simplified = _simplified_from_seed003()
    traditional = opencc.OpenCC(s2t_config).convert(simplified)
    assert traditional != simplified
    # for this text the OpenCC round trip is exact
    assert opencc.OpenCC("t2s").convert(traditional) == simplified
    expected = normalize_text(simplified)
    assert normalize_text(traditional) == expected
    assert normalize_text(seed003()) == expected          # Traditional with pinyin, as served
    assert "(qū)" not in expected and "区" in expected
    assert "(淮府法领〔2020〕2号)" in expected and "(2015-2020)" in expected


def test_seed003_keeps_every_real_parenthesis():
    out = normalize_text(seed003())
    kept = re.findall(r"\([^()]*\)", out)
    assert "(一)" in kept and "(试行)" in kept and "(站、室)" in kept
    assert not any(re.fullmatch(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", k) for k in kept)


def test_hk_and_tw_forms_known_limits():
    # s2hk output folds back (hk2s); s2tw writes 著 for 着, which cannot be undone because 著 is
    # also a Simplified character (显著, 著作)
    text = "标志着全区公共卫生事业取得显著成效"
    assert normalize_text(opencc.OpenCC("s2hk").convert(text)) == text
    assert normalize_text(opencc.OpenCC("s2t").convert(text)) == text
    assert normalize_text(opencc.OpenCC("s2tw").convert(text)) == "标志著全区公共卫生事业取得显著成效"


# --- idempotency --------------------------------------------------------------------------------

def test_idempotent_on_seeds():
    for text in all_seed_texts():
        once = normalize_text(text)
        assert normalize_text(once) == once
        assert "\n\n" not in once and not once.startswith("\n")
        assert all(line == line.strip() for line in once.split("\n"))
        for line in once.split("\n")[:30]:
            t = normalize_title(line)
            assert normalize_title(t) == t


_FRAGMENTS = [
    "區(qū)", "設(shè)", "(lǜ)", "(ü)", "(一)", "(2021-2025年)", "(APP)", "（二）", "法治", "政府",
    "建設", "報告", " ", "  ", "\u3000", "\u00a0", "\t", "\n", "\r\n", "\u200b", "\ufeff", "2024",
    "- ", "03", "年", " 3 ", "月", "日", "16", ": ", "22", ",", "，", "。", "、", "“", "”", "①",
    "ABC", "x", "著", "着", "乾", "衞", "羣", "...", "…", "《", "》", "〔2020〕", "號", "\x07",
]


def test_idempotent_on_random_mixtures():
    rng = random.Random(20240301)
    for _ in range(3000):
        text = "".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(1, 25)))
        once = normalize_text(text)
        assert normalize_text(once) == once, repr(text)
        t = normalize_title(text)
        assert normalize_title(t) == t, repr(text)
        assert "\n" not in t


