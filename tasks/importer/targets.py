"""Quantified targets inside a task's text: "研发经费支出占生产总值比重达到1.5%", "新增高新技术企业20户以上".

Pure functions. The extraction is rule based and deliberately conservative about what counts as a target:
a number with a measurement unit, read together with the words around it (达到/突破/控制在…以内/累计降低/年均增长).
The plan office can correct any target in the admin.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .types import ParsedTarget

# Longest first: the regex alternation takes the first that matches.
UNITS = sorted(
    [
        "%",
        "‰",
        "个百分点",
        "元/人",
        "元/亩",
        "人/亩",
        "微克/立方米",
        "毫克/立方米",
        "元",
        "吨",
        "亩",
        "公顷",
        "平方米",
        "立方米",
        "人次",
        "人",
        "户",
        "个",
        "家",
        "件",
        "项",
        "处",
        "所",
        "名",
        "座",
        "条",
        "栋",
        "套",
        "张",
        "辆",
        "台",
        "床",
        "公里",
        "千米",
        "分",
        "年",
        "岁",
        "头",
        "羽",
        "只",
        "倍",
        "千瓦",
        "兆瓦",
    ],
    key=len,
    reverse=True,
)
# 万 / 亿 multiply any unit: 万元, 亿元, 万吨, 万人次, 万元/亩.
_UNIT_RE = "(?:万|亿)?(?:" + "|".join(re.escape(u) for u in UNITS) + ")"
_QUANTITY = re.compile(
    rf"(?<![\dA-Za-z.．])(?P<num>\d+(?:\.\d+)?)(?:\s*[-－~～至]\s*(?P<num2>\d+(?:\.\d+)?))?\s*"
    rf"(?P<unit>{_UNIT_RE})(?!钟|一遇|代|期)"
    r"(?P<qual>以上|以下|以内|左右)?"
)
_DOUBLING = re.compile(r"翻(?P<n>一|两|二|三)番")
_DOUBLING_FACTOR = {"一": 2, "两": 4, "二": 4, "三": 8}
_YEAR_PHRASE = re.compile(r"到\s*(?P<year>(?:19|20)\d{2})\s*年")
_BASELINE = re.compile(r"较\s*(?P<year>(?:19|20)\d{2})\s*年")
# A ranking to keep ("在咸阳市排名保持前三位次"): the place is a ceiling (third or better).
_RANKING = re.compile(r"排名(?:保持|稳定|进入|位居|居|在)*前(?P<n>\d+|[一二三四五六七八九十]+)(?:位次|位|名|强)?")
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# Only text with a digit, a doubling or a ranking can hold a target; most measures have none.
_WORTH_A_LOOK = re.compile(r"\d|翻[一两二三]番|排名(?:保持|稳定|进入|位居|居|在)*前[一二三四五六七八九十]")
_CLAUSE_SPLIT = re.compile(r"[,，;；]")
_SENTENCE_SPLIT = re.compile(r"(?<=[。！？!?])")

# Words that qualify a number and are not part of the indicator's name; longest first.
_QUALIFIERS = sorted(
    [
        "达到",
        "达",
        "突破",
        "超过",
        "大于",
        "高于",
        "不低于",
        "不少于",
        "低于",
        "小于",
        "不超过",
        "不高于",
        "控制在",
        "稳定在",
        "保持在",
        "保持",
        "提升至",
        "提升到",
        "提高至",
        "提高到",
        "发展到",
        "增加到",
        "增至",
        "累计降低",
        "累计下降",
        "降低",
        "下降",
        "减少",
        "年均增长",
        "年均增速",
        "增长",
        "实现",
        "为",
        "至",
        "在",
        "分别",
        "均",
        "力争",
        "确保",
    ],
    key=len,
    reverse=True,
)
_AT_MOST_WORDS = ("以内", "以下", "不超过", "不高于", "控制在", "低于", "小于")
_REDUCE_WORDS = ("降低", "下降", "减少", "压减")
# Indicators where a bare value is a ceiling, not a floor.
_LOWER_IS_BETTER = ("能耗", "用水量", "排放", "浓度", "失业率", "建设用地使用面积", "出生率", "自然增长率", "死亡率")
# Units that are also ordinary words in descriptions ("0-3岁儿童", "30-50年一遇"): a target only at clause end.
_END_ONLY_UNITS = {"岁", "年", "分"}
_LEADING_NOISE = re.compile(
    r"^(?:到\s*(?:19|20)\d{2}\s*年(?:底|末)?|“十四五”(?:期间|时期|末)?|其中|全面|并|且|和|及|、|\s)+"
)
_CONJUNCTIONS = ("和", "及", "与", "、", "或")
# "(其中设施农业面积4.2万亩)" is a clause of its own.
_ASIDE = re.compile(r"[(（](其中[^()（）]*)[)）]")


def extract_targets(text: str, *, default_year: int | None = None) -> list[ParsedTarget]:
    """Targets in ``text`` in order of appearance. ``default_year`` applies where no "到YYYY年" is in force."""
    targets: list[ParsedTarget] = []
    if not _WORTH_A_LOOK.search(text):
        return targets
    for sentence in _SENTENCE_SPLIT.split(_ASIDE.sub(r"，\1，", text)):
        year = default_year
        last_indicator = ""
        for clause in _CLAUSE_SPLIT.split(sentence):
            clause = clause.strip().rstrip("。！？!?")
            if not clause or not _WORTH_A_LOOK.search(clause):
                continue
            year_match = _YEAR_PHRASE.search(clause)
            if year_match:
                year = int(year_match.group("year"))
            found = list(_clause_targets(clause, year=year, inherited_indicator=last_indicator))
            if found:
                last_indicator = found[-1].indicator
                targets.extend(found)
    return targets


def _clause_targets(clause: str, *, year: int | None, inherited_indicator: str):
    baseline = _BASELINE.search(clause)
    baseline_year = int(baseline.group("year")) if baseline else None

    doubling = _DOUBLING.search(clause)
    if doubling:
        indicator = _indicator_name(clause[: doubling.start()], "").removesuffix("实现") or inherited_indicator
        yield ParsedTarget(
            indicator=indicator,
            value=Decimal(_DOUBLING_FACTOR[doubling.group("n")]),
            unit="倍",
            direction="at_least",
            basis="multiple",
            year=year,
            baseline_year=baseline_year,
            text=clause,
        )

    ranking = _RANKING.search(clause)
    if ranking:
        yield _ranking_target(clause, ranking, year=year, baseline_year=baseline_year, inherited=inherited_indicator)

    matches = [m for m in _QUANTITY.finditer(clause) if not _is_year(m)]
    previous_end = 0
    last: ParsedTarget | None = None
    for index, match in enumerate(matches):
        rest = clause[match.end() :]
        later_quantity = index + 1 < len(matches)
        at_clause_end = not rest.strip()
        if match.group("unit") in _END_ONLY_UNITS and not at_clause_end:
            continue
        if not at_clause_end and later_quantity and not rest.lstrip().startswith(_CONJUNCTIONS):
            # A descriptive quantity ("3岁以下婴幼儿托位数3.2个"): the target is the later one.
            continue
        prefix = clause[previous_end : match.start()]
        suffix = "" if at_clause_end or later_quantity else rest
        name, qualifier_words = _split_indicator(prefix, suffix)
        qualifier = match.group("qual") or ""
        if not name and last is not None and not qualifier_words:
            # "增长7%和8%": the second value shares the first one's indicator and reading.
            direction, basis, indicator = last.direction, last.basis, last.indicator
        else:
            indicator = name or (last.indicator if last else inherited_indicator)
            direction, basis = _direction(qualifier_words, qualifier, indicator)
        previous_end = match.end()
        last = ParsedTarget(
            indicator=indicator,
            value=Decimal(match.group("num")),
            value_max=Decimal(match.group("num2")) if match.group("num2") else None,
            unit=match.group("unit"),
            direction=direction,
            basis=basis,
            year=year,
            baseline_year=baseline_year,
            text=clause,
        )
        yield last


def _chinese_number(text: str) -> int:
    """ "三" → 3, "十" → 10, "十二" → 12, "二十" → 20, "12" → 12."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CHINESE_DIGITS.get(tens, 1) * 10 + _CHINESE_DIGITS.get(ones, 0)
    return _CHINESE_DIGITS[text]


def _ranking_target(
    clause: str, match: re.Match[str], *, year: int | None, baseline_year: int | None, inherited: str
) -> ParsedTarget:
    """ "在咸阳市排名保持前三位次" after "营商环境评价(分)大于80分": 营商环境评价在咸阳市排名, at most the 3rd place."""
    place = _LEADING_NOISE.sub("", clause[: match.start()].strip())
    subject = re.sub(r"[(（][^()（）]*[)）]$", "", inherited)  # "营商环境评价(分)" → "营商环境评价"
    if place and not place.startswith(("在", "于")):
        subject = ""  # the clause names its own subject ("综合实力排名前十")
    return ParsedTarget(
        indicator=f"{subject}{place}排名"[:300],
        value=Decimal(_chinese_number(match.group("n"))),
        unit="位",
        direction="at_most",
        basis="level",
        year=year,
        baseline_year=baseline_year,
        text=clause,
    )


def _is_year(match: re.Match[str]) -> bool:
    num = match.group("num")
    return match.group("unit") == "年" and len(num) == 4 and num.isdigit() and 1900 <= int(num) <= 2100


def _indicator_name(prefix: str, suffix: str) -> str:
    return _split_indicator(prefix, suffix)[0]


def _split_indicator(prefix: str, suffix: str) -> tuple[str, str]:
    """The indicator's name, and the qualifying words stripped from its end ("累计降低", "控制在")."""
    name = _BASELINE.sub("", _LEADING_NOISE.sub("", prefix.strip()))
    stripped = ""
    changed = True
    while changed and name:
        changed = False
        for word in _QUALIFIERS:
            if name.endswith(word):
                name = name[: -len(word)]
                stripped = word + stripped
                changed = True
                break
    name = name.strip(" ,，、:：")
    if name in _CONJUNCTIONS:
        name = ""
    suffix = suffix.strip(" ,，、")
    return (name + suffix)[:300], stripped


def _direction(words: str, qualifier: str, indicator: str) -> tuple[str, str]:
    if any(word in words for word in _REDUCE_WORDS):
        return "reduce_by", "cumulative"
    if "年均增长" in words or "年均增速" in words:
        return "at_least", "annual_growth"
    if "增长" in words:
        return "at_least", "cumulative"
    if qualifier == "以上" or any(
        word in words for word in ("不低于", "不少于", "达到", "突破", "超过", "大于", "高于")
    ):
        return "at_least", "level"
    if qualifier in ("以内", "以下") or any(word in words for word in _AT_MOST_WORDS):
        return "at_most", "level"
    if any(word in indicator for word in _LOWER_IS_BETTER):
        return "at_most", "level"
    return "at_least", "level"
