"""Plain text of a 任务分工方案 → ``ParseResult``. Pure: no database, no files.

What the parser recognises (the 兴平 plan is the reference; other plans follow the same conventions):

- chapter headings "一、目标定位" (also "第一章 …"), section headings "(一)创新驱动…" / "（一）…";
- numbered task lines "12.全市生产总值年均增长7%。(责任部门:市发改局)", with "*" before the number for a
  binding (约束性) indicator; the numbering may use "." "．" or "、";
- the division-of-work annotation in parentheses, before or after the final "。", with the labels
  牵头部门/牵头单位/责任部门/责任单位 (lead), 配合部门/配合单位/参与单位/协办单位 (supporting) and 完成时限;
  an annotation without labels follows the document's own rule: the first unit listed leads;
- deadlines and milestones written in the text: "到2025年", "2023年6月底前", "“十四五”期间", "到2035年";
- quantified targets (see ``targets``);
- the plan's title, issuing body, document number, date, plan period and vision year from the preamble.

Unit names are resolved through a ``UnitDirectory``; a name it does not know is kept as written and reported
in ``warnings`` with the task number. Problems that make the document unusable raise ``PlanParseError``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from departments.directory import UnitDirectory
from xingping_tracker.core.exceptions import ErrorCode

from .tables import flatten_tables
from .targets import extract_targets
from .types import (
    ParsedMilestone,
    ParsedPlan,
    ParsedSection,
    ParsedTask,
    ParsedUnit,
    ParseResult,
    PlanParseError,
)

# ---------------------------------------------------------------------------------------------------------
# Line shapes

_CN_DIGITS = "零〇O○一二三四五六七八九十"
_TASK_LINE = re.compile(
    r"^\s*(?P<star>[*＊])?\s*(?P<number>\d{1,4})\s*(?P<star2>[*＊])?\s*[.．、﹒](?!\d)\s*(?P<body>.*)$"
)
# "11.121人才梯队项目": a number running into the digits of the text; taken only when it is the next number.
_TASK_LINE_INTO_DIGITS = re.compile(r"^\s*(?P<star>)(?P<star2>)(?P<number>\d{1,4})\s*[.．﹒](?P<body>\d.*)$")
# "（1）…": the third level of "（一）› 1. › （1）".
_SUBTASK_LINE = re.compile(r"^\s*[(（]\s*(?P<number>\d{1,3})\s*[)）]\s*(?P<body>\S.*)$")
_CHAPTER_LINE = re.compile(
    r"^\s*(?:第(?P<ord>[一二三四五六七八九十]+)(?:章|部分|篇)\s*|(?P<label>[一二三四五六七八九十]+)\s*[、.．]\s*)(?P<title>\S.*)$"
)
_SECTION_LINE = re.compile(r"^\s*[(（]\s*(?P<label>[一二三四五六七八九十]+)\s*[)）]\s*(?P<title>\S.*)$")

_LABELS = {
    "牵头部门": "lead",
    "牵头单位": "lead",
    "牵头责任单位": "lead",
    "牵头责任部门": "lead",
    "主责部门": "lead",
    "主责单位": "lead",
    "责任部门": "responsible",
    "责任单位": "responsible",
    "配合部门": "supporting",
    "配合单位": "supporting",
    "参与部门": "supporting",
    "参与单位": "supporting",
    "协办单位": "supporting",
    "协同责任单位": "supporting",
    "协同单位": "supporting",
    "配合责任单位": "supporting",
    "完成时限": "deadline",
    "完成时间": "deadline",
    "时限要求": "deadline",
    "时间节点": "deadline",
    "责任领导": "leaders",
    "牵头负责领导": "leaders",
    "分管省领导": "leaders",
    "分管市领导": "leaders",
    "牵头领导": "leaders",
    "分管领导": "leaders",
    "责任市领导": "leaders",
    "部门分工": "division",
}
_LABEL_RE = re.compile(r"(?<![\u4e00-\u9fff])(?P<label>" + "|".join(sorted(_LABELS, key=len, reverse=True)) + r")\s*[:：]?\s*")

# Dates inside the text
_YEAR_MONTH = re.compile(r"(?:到|于|在)?\s*(?P<year>(?:19|20)\d{2})\s*年\s*(?:(?P<month>\d{1,2})\s*月)?\s*(?:底|末)?\s*(?:前|以前)?")
_DEADLINE_PHRASE = re.compile(
    r"(?P<phrase>到\s*(?P<y1>(?:19|20)\d{2})\s*年(?:\s*(?P<m1>\d{1,2})\s*月)?(?:底|末)?(?:前|以前)?"
    r"|(?P<y2>(?:19|20)\d{2})\s*年(?:\s*(?P<m2>\d{1,2})\s*月)?(?:底|末)?(?:前|以前))"
)
_PLAN_PERIOD_PHRASE = re.compile(r"“?(?P<name>十[一二三四五六七八九]五)”?\s*(?:期间|时期|末)")

_DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\d{1,4}\s*号")
_DATE_LINE = re.compile(r"^\s*(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日\s*$")
_ISSUER_LINE = re.compile(r"^\s*(?P<issuer>\S{2,30}(?:人民政府办公室|人民政府|办公室|委员会|领导小组))\s*$")
_FIVE_YEAR_ORDINAL = re.compile(r"第(?P<n>[一二三四五六七八九十]+)个五年规划|“?十(?P<short>[一二三四五六七八九])五”?规划")
_VISION_YEAR = re.compile(r"(?P<year>20\d{2}|二[O〇○零0][一二三四五六七八九〇零O○0]{2})\s*年远景")

_OPEN_BRACKETS = "(（〔【["
_BRACKET = re.compile(r"[()（）〔〕【】\[\]]")
# A labelled line after the task ("牵头单位：市发改局"), possibly in brackets.
_LABEL_LINE = re.compile(r"^[(（〔【\[]?\s*(?:" + "|".join(sorted(_LABELS, key=len, reverse=True)) + r")\s*[:：]")
# Rules a document states once about its lists of units.
_RULE_FIRST_LEADS = re.compile(r"(?:排在|列|排|位列)(?:在)?第一(?:个|位)?的?(?:单位|部门)?(?:为|是)牵头")
_RULE_ALL_LEAD = re.compile(r"分别牵头")
# Verbs inside a division text: "市发改局牵头，各地、各部门配合"; "…按职责分工负责" = all listed units lead.
_LEAD_VERB = re.compile(r"(?P<units>[^，,；;。]+?)(?:共同|分别)?牵头(?:负责|落实|推进)?(?=[，,；;。]|$)")
_SUPPORT_VERB = re.compile(r"(?P<units>[^，,；;。]+?)(?:配合|参与|协助|协同)(?:落实|推进)?(?=[，,；;。]|$)")
_SHARED = re.compile(r"[，,；;…\s]*(?:按职责分工负责|按职责分工落实|按照职责分工负责|按职责负责|分别负责|分别落实|共同负责|按职能分工负责)\s*$")
# Deadlines without a year; "the plan's year" is the year in the title, else the year of issue.
_MONTH_ONLY = re.compile(r"^(?:到|于|在)?\s*(?P<month>\d{1,2})\s*月(?:份)?\s*(?:底|末|中旬|上旬|下旬)?\s*(?:前|以前|完成)?")
_WITHIN_YEAR = re.compile(r"年内|全年|年底前|年底|年末")
_CONTINUOUS = re.compile(r"持续推进|长期坚持|长期推进|常态化|持续开展|长期")
_TEXT_MONTH_DEADLINE = re.compile(r"(?<![\d年])(?P<month>\d{1,2})\s*月(?:底|末)前")
_NAME_SEPARATORS = re.compile(r"[、,，;；\s]+")
_NOISE = re.compile(r"[|｜]|^(?:首页|来源|发布|索引号|打印|关闭|分享)")
_SUPPORT_WORD = re.compile(r"(?:配合|参与|协助|协同)(?:落实|推进)?(?:[，,；;。]|$)")
_AFTER_SENTENCE = re.compile(r"(?<=[。；;])")
_WITHIN_YEAR_IN_TEXT = re.compile(r"年内|年底前")
_DEADLINE_SUFFIX = re.compile(
    r"[，,；;\s]\s*(?P<d>(?:(?:19|20)\d{2}年)?\d{1,2}月(?:底|末)?前?(?:完成)?|年内(?:完成)?|全年|持续推进|长期坚持)\s*$"
)
_TITLE_YEAR = re.compile(r"(?P<year>20\d{2})\s*年")
_CLEAN_SPACES = re.compile(r"[ \t\u3000\xa0]+")


# ---------------------------------------------------------------------------------------------------------
# Public entry point


def parse_plan_text(text: str, *, directory: UnitDirectory | None = None) -> ParseResult:
    """Parse the plan. Raises ``PlanParseError`` for an empty document, no tasks or duplicate numbers."""
    if directory is None:
        directory = UnitDirectory.from_fixture()
    if not text or not text.strip():
        raise PlanParseError(ErrorCode.IMPORT_EMPTY, "文件内容为空，请选择任务分工方案的正文文件。")
    lines = [_CLEAN_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines, table_warnings, guessed = flatten_tables(lines, directory)
    plan = _parse_plan_metadata(lines)
    title_year = _TITLE_YEAR.search(plan.title)
    if plan.period_start is None and title_year:
        # A yearly plan ("2024年重点工作任务分工方案") runs for its year.
        year = int(title_year.group("year"))
        plan = dataclasses.replace(plan, period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31))
    joined = "\n".join(lines)
    rule = "all_lead" if _RULE_ALL_LEAD.search(joined) else ("first_leads" if _RULE_FIRST_LEADS.search(joined) else "")
    state = _State(plan=plan, directory=directory, rule=rule, year=_plan_year(plan, lines), guessed=guessed)
    state.warnings.extend(table_warnings)
    # The parse allocates many small objects and frees none: the cyclic collector would only rescan them.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for line_number, line in enumerate(lines, start=1):
            if line:
                state.feed(line, line_number)
        return state.finish()
    finally:
        if collecting:
            gc.enable()


# ---------------------------------------------------------------------------------------------------------
# Internals


@dataclass(eq=False)
class _Raw:
    """A task as read: its first line's body, the labelled lines after it, and how it was numbered."""

    task: ParsedTask
    body: str
    labelled: list[str] = field(default_factory=list)
    label: str = ""
    renumber: bool = False  # numbered by a heading or a (1) item: numbers may restart


@dataclass
class _State:
    plan: ParsedPlan
    directory: UnitDirectory
    rule: str = ""
    year: int | None = None
    guessed: frozenset[str] = frozenset()  # numbers of table rows whose units were cut from glued cells
    tasks: list[ParsedTask] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sections: list[ParsedSection] = field(default_factory=list)
    chapter: ParsedSection | None = None
    section: ParsedSection | None = None
    item: ParsedSection | None = None  # a "1." heading over "（1）" tasks
    section_index: int = 0
    # (chapter, section before the gap, missing labels)
    gaps: list[tuple[ParsedSection | None, ParsedSection, list[str]]] = field(default_factory=list)
    raws: list[_Raw] = field(default_factory=list)
    current: _Raw | None = None  # the task that labelled and wrapped lines still belong to
    section_raw_title: str = ""
    section_line: int = 0

    def feed(self, line: str, line_number: int) -> None:
        task_match = _TASK_LINE.match(line)
        if not (task_match and task_match.group("body").strip()):
            task_match = _TASK_LINE_INTO_DIGITS.match(line)
            if task_match and int(task_match.group("number")) != self._next_plain_number():
                task_match = None
        if task_match and task_match.group("body").strip():
            self.item = None
            self._task(task_match, line_number)
            return
        sub_match = _SUBTASK_LINE.match(line)
        if sub_match:
            self._subtask(sub_match, line_number)
            return
        section_match = _SECTION_LINE.match(line)
        if section_match:
            title = section_match.group("title")
            if self._has_annotation(title):
                self._heading_task(section_match.group("label"), title, line_number)
            else:
                self._section(section_match.group("label"), title, line_number)
            return
        chapter_match = _CHAPTER_LINE.match(line)
        if chapter_match and len(line) <= 60:
            label = chapter_match.group("label") or chapter_match.group("ord")
            self._chapter(label, chapter_match.group("title"))
            return
        if _LABEL_LINE.match(line):
            if self.current is None and self.section is not None and self.section_raw_title:
                # "（一）任务内容" followed by "牵头单位：…": the heading is the task.
                self._promote_section()
            if self.current is not None:
                self.current.labelled.append(line)
            return
        current = self.current
        if current is None:
            return
        if not current.labelled and line[:1] in _OPEN_BRACKETS and _LABEL_RE.search(line):
            # An annotation on its own line right after a task ("（牵头单位：市发改局）").
            current.labelled.append(line)
            return
        if not current.labelled and not _ends_sentence(current.body) and not _looks_like_noise(line):
            # A line wrapped by a PDF export: the task goes on.
            current.body += line
            return
        self.current = None

    def _next_plain_number(self) -> int:
        plain = [r.task.number for r in self.raws if not r.renumber]
        return (plain[-1] + 1) if plain else 1

    def _has_annotation(self, text: str) -> bool:
        for start, end in _bracket_groups(text):
            inner = text[start + 1 : end - 1].lstrip()
            if _LABEL_RE.match(inner) or _LEAD_VERB.search(inner):
                return True
        return False

    def _chapter(self, label: str, title: str) -> None:
        self.chapter = ParsedSection(label=label, title=_heading_title(title), level=1)
        self.sections.append(self.chapter)
        self.section = None
        self.item = None
        self.section_index = 0
        self.current = None
        self.section_raw_title = ""

    def _section(self, label: str, title: str, line_number: int) -> None:
        index = _cn_number(label)
        section = ParsedSection(label=f"（{label}）", title=_heading_title(title), level=2)
        if self.section is not None and index > self.section_index + 1:
            missing = [f"（{_cn_label(i)}）" for i in range(self.section_index + 1, index)]
            self.gaps.append((self.chapter, self.section, missing))
        self.section = section
        self.item = None
        self.section_index = index
        self.sections.append(section)
        self.current = None
        self.section_raw_title = title
        self.section_line = line_number

    def _add(self, raw: _Raw) -> None:
        self.raws.append(raw)
        self.current = raw

    def _new_task(self, number: int, line_number: int, *, binding: bool = False) -> ParsedTask:
        path = tuple(s for s in (self.chapter, self.section, self.item) if s is not None)
        kind = _kind_for(path)
        return ParsedTask(
            number=number,
            text="",
            section=path,
            kind=kind,
            binding=binding,
            incentive=kind == "vision" or any("激励" in s.title for s in path),
            line_number=line_number,
        )

    def _task(self, match: re.Match[str], line_number: int) -> None:
        number = int(match.group("number"))
        task = self._new_task(number, line_number, binding=bool(match.group("star") or match.group("star2")))
        self._add(_Raw(task=task, body=match.group("body").strip(), label=f"{number}."))
        self.section_raw_title = ""

    def _heading_task(self, label: str, title: str, line_number: int) -> None:
        """"（一）任务内容（牵头单位：…）": the heading numbers the task itself."""
        self.section = None
        task = self._new_task(_cn_number(label), line_number)
        self._add(_Raw(task=task, body=title.strip(), label=f"（{label}）", renumber=True))
        self.section_raw_title = ""

    def _promote_section(self) -> None:
        section = self.section
        assert section is not None
        self.sections.remove(section)
        self.section = None
        self._heading_task(section.label.strip("（）"), self.section_raw_title, self.section_line)

    def _subtask(self, match: re.Match[str], line_number: int) -> None:
        parent = self.raws[-1] if self.raws else None
        if (
            self.item is None
            and parent is not None
            and parent is self.current
            and not parent.renumber
            and not parent.labelled
            and not self._has_annotation(parent.body)
        ):
            # "1. 小标题" over "（1）…" items: the "1." line is a heading, the items are the tasks.
            self.raws.pop()
            self.item = ParsedSection(label=parent.label, title=_heading_title(parent.body), level=3)
            self.sections.append(self.item)
        label = f"（{match.group('number')}）"
        if self.item is not None:
            label = self.item.label + label
        task = self._new_task(int(match.group("number")), line_number)
        self._add(_Raw(task=task, body=match.group("body").strip(), label=label, renumber=True))
        self.section_raw_title = ""

    def finish(self) -> ParseResult:
        if not self.raws:
            raise PlanParseError(
                ErrorCode.IMPORT_NO_TASKS,
                "文件中没有找到编号任务。任务应逐行书写，形如“1.任务内容（牵头部门：市发改局，配合部门：市财政局）”。"
                "请确认选择的是任务分工方案。",
            )
        self._number()
        for raw in self.raws:
            self._resolve(raw)
            if raw.label.rstrip(".") in self.guessed and "lead" not in raw.task.undecided:
                raw.task.undecided.append("lead")
            self.tasks.append(raw.task)
        self.tasks.sort(key=lambda t: t.number)
        self._warn_numbering()
        self._warn_gaps()
        for task in self.tasks:
            self._warn_task(task)
        used = {s for t in self.tasks for s in t.section}
        sections = [s for s in self.sections if s in used]
        return ParseResult(plan=self.plan, tasks=self.tasks, warnings=self.warnings, sections=sections)

    def _number(self) -> None:
        """Numbers as written when they are unique; else, for documents whose numbering restarts under each
        heading (（一） or （1） items), the order in the document, with the label as written kept."""
        if any(r.renumber for r in self.raws):
            numbers = [r.task.number for r in self.raws]
            if len(set(numbers)) != len(numbers):
                for index, raw in enumerate(self.raws, start=1):
                    raw.task.number = index
                self.warnings.append(f"任务编号在各标题下重新起算，已按出现顺序统一编为1–{len(self.raws)}号（原编号见label）。")
            for raw in self.raws:
                raw.task.label = raw.label
            return
        first_line_of: dict[int, int] = {}
        for raw in self.raws:
            number = raw.task.number
            if number in first_line_of:
                raise PlanParseError(
                    ErrorCode.IMPORT_DUPLICATE_TASK,
                    f"任务序号重复：第{number}项在第{first_line_of[number]}行和第{raw.task.line_number}行各出现一次。"
                    "请修改原文，使每个序号只出现一次后重新导入。",
                )
            first_line_of[number] = raw.task.line_number
            raw.task.label = raw.label

    def _resolve(self, raw: _Raw) -> None:
        task = raw.task
        text, annotation, parts = _split_annotation(raw.body, self.directory)
        for line in raw.labelled:
            inner = line.strip()
            if inner[:1] in _OPEN_BRACKETS and inner[-1:] in "）)〕】]":
                inner = inner[1:-1]
            parts.extend(_label_parts(inner))
            annotation = (annotation + " " + line).strip()
        task.text = text
        task.annotation = annotation[:1000]
        self._assign(task, parts)
        _dedupe(task)
        written = task.deadline_text  # from a 完成时限 label, column or the tag
        task.milestones, task.deadline, task.deadline_text = _deadlines(task, self.plan, written, year=self.year)
        dated, continuous = _deadline_value(written, self.year) if written else (None, False)
        task.deadline_continuous = continuous and dated is None
        if written and dated is None and not continuous:
            task.undecided.append("deadline")
        default_year = self.plan.vision_year if task.kind == "vision" else (
            self.plan.period_end.year if self.plan.period_end else self.year
        )
        task.targets = extract_targets(task.text, default_year=default_year)

    def _assign(self, task: ParsedTask, parts: list[tuple[str, str]]) -> None:
        """Lead and supporting units from the annotation's parts, after the document's rules (see module doc)."""
        lead: list[ParsedUnit] = []
        responsible: list[ParsedUnit] = []
        supporting: list[ParsedUnit] = []
        shared = False
        open_ended = False
        deadline = ""
        for role, value in parts:
            if role == "deadline":
                deadline = value
                continue
            if role == "leaders":
                task.responsible_leaders.extend(
                    name for name in _NAME_SEPARATORS.split(value) if name and name not in task.responsible_leaders
                )
                continue
            if _SHARED.search(value):
                shared = True
                value = _SHARED.sub("", value)
            value, deadline_in_value = _deadline_suffix(value)
            deadline = deadline or deadline_in_value
            verb_lead, verb_supporting, rest = _verbs(value)
            for phrase in verb_lead:
                units, etc = self.directory.split_and_resolve(phrase)
                lead.extend(units)
                open_ended = open_ended or etc
            for phrase in verb_supporting:
                units, etc = self.directory.split_and_resolve(phrase)
                supporting.extend(units)
                open_ended = open_ended or etc
            if not rest:
                continue
            units, etc = self.directory.split_and_resolve(rest)
            if role == "lead":
                lead.extend(units)
            elif role == "supporting":
                supporting.extend(units)
                open_ended = open_ended or etc
            elif role in ("responsible", "division", "unlabelled"):
                responsible.extend(units)
                open_ended = open_ended or etc
        if responsible:
            if lead:
                supporting = responsible + supporting
            elif shared or self.rule == "all_lead" or len(responsible) == 1:
                lead = responsible
            elif self.rule == "first_leads" or parts[0][0] == "unlabelled":
                lead, supporting = responsible[:1], responsible[1:] + supporting
            else:
                lead = responsible
                task.undecided.append("lead")
                self.warnings.append(
                    f"任务{task.number}：所列{len(responsible)}个责任单位未说明谁牵头，暂均作为牵头单位，请在导入预览中核对。"
                )
        task.lead, task.supporting, task.supporting_open_ended = lead, supporting, open_ended
        task.deadline_text = deadline

    def _warn_numbering(self) -> None:
        numbers = [t.number for t in self.tasks]
        missing = sorted(set(range(numbers[0], numbers[-1] + 1)) - set(numbers))
        if missing:
            self.warnings.append(f"任务序号不连续：缺少第{_ranges(missing)}项。")

    def _warn_gaps(self) -> None:
        for chapter, before, missing in self.gaps:
            numbers = [t.number for t in self.tasks if before in t.section]
            where = f"第{chapter.label}部分“{chapter.title}”中" if chapter else ""
            held = f"第{_ranges(numbers)}项任务" if numbers else "其间任务"
            self.warnings.append(
                f"{where}“{before.heading}”之后缺少{'、'.join(missing)}的标题；{held}暂归入“{before.heading}”，"
                "可在管理后台调整。"
            )

    def _warn_task(self, task: ParsedTask) -> None:
        if not task.lead and "lead" not in task.undecided:
            task.undecided.append("lead")
        if not task.annotation:
            self.warnings.append(f"任务{task.number}：未写明牵头单位，请在管理后台补充。")
        elif not task.lead:
            self.warnings.append(f"任务{task.number}：分工中没有牵头单位，请在管理后台补充。")
        for role, units in (("牵头", task.lead), ("配合", task.supporting)):
            for unit in units:
                if unit.name is None and unit.is_group:
                    self.warnings.append(
                        f"任务{task.number}：{role}单位“{unit.written}”是一类单位的统称，"
                        "导入后请在管理后台将其设为单位组或改为具体单位。"
                    )
                elif unit.name is None:
                    self.warnings.append(
                        f"任务{task.number}：无法识别的{role}单位“{unit.written}”，"
                        "导入后请在管理后台新建该单位或将其设为已有单位的别名。"
                    )
        if task.kind == "indicator" and not task.targets:
            self.warnings.append(f"任务{task.number}：指标没有写明目标值，请在管理后台补充。")
        if "deadline" in task.undecided:
            self.warnings.append(f"任务{task.number}：完成时限“{task.deadline_text}”无法换算为日期，请在导入预览中补充。")


def _ends_sentence(text: str) -> bool:
    return text.rstrip()[-1:] in "。；;！!？?）)〕】]" if text.strip() else True


def _looks_like_noise(line: str) -> bool:
    return bool(_NOISE.search(line))


def _label_parts(inner: str) -> list[tuple[str, str]]:
    labels = list(_LABEL_RE.finditer(inner))
    parts = []
    for i, label in enumerate(labels):
        value_end = labels[i + 1].start() if i + 1 < len(labels) else len(inner)
        value = inner[label.end() : value_end].strip(" ,，;；、。.")
        if value:
            parts.append((_LABELS[label.group("label")], value))
    return parts


def _verbs(value: str) -> tuple[list[str], list[str], str]:
    """"市发改局牵头，各地、各部门配合" → (["市发改局"], ["各地、各部门"], "")."""
    if "牵头" not in value and not _SUPPORT_WORD.search(value):
        return [], [], value
    lead = [m.group("units").strip() for m in _LEAD_VERB.finditer(value)]
    rest = _LEAD_VERB.sub("", value)
    supporting = [m.group("units").strip(" ，,；;") for m in _SUPPORT_VERB.finditer(rest)]
    rest = _SUPPORT_VERB.sub("", rest).strip(" ，,；;。")
    return [p for p in lead if p], [p for p in supporting if p], rest


def _deadline_suffix(value: str) -> tuple[str, str]:
    """A deadline written inside a units tag ("…市财政局，2024年6月底前完成") → (units, deadline)."""
    match = _DEADLINE_SUFFIX.search(value)
    if not match:
        return value, ""
    return value[: match.start()].rstrip(" ，,；;"), match.group("d")


def _plan_year(plan: ParsedPlan, lines: list[str]) -> int | None:
    """The year a yearly plan is for: the year in its title, else the year it was issued."""
    match = _TITLE_YEAR.search(plan.title)
    if match:
        return int(match.group("year"))
    return plan.issued_on.year if plan.issued_on else None


def _kind_for(path: tuple[ParsedSection, ...]) -> str:
    for section in reversed(path):
        title = section.title
        if "远景" in title:
            return "vision"
        if "指标" in title or "主要目标" in title:
            return "indicator"
        if "定位" in title:
            return "positioning"
        if "举措" in title or "任务" in title:
            return "measure"
    return "measure"


def _heading_title(title: str) -> str:
    title = title.strip()
    # A requirement paragraph ("(一)加强组织领导,细化落实责任。各部门…") keeps only its first sentence.
    first = re.split(r"[。；;]", title, maxsplit=1)[0]
    return first[:300]


def _split_annotation(body: str, directory: UnitDirectory) -> tuple[str, str, list[tuple[str, str]]]:
    """Task text without the annotation, the annotation as written, and its (role, value) parts.

    The annotation is a bracketed tag — （）, (), 〔〕, 【】 or [] — starting with a label, or the last
    bracket of the line naming units with a verb ("（市发改局牵头，市财政局配合）") or listing only units."""
    groups = list(_bracket_groups(body))
    for start, end in reversed(groups):
        inner = body[start + 1 : end - 1]
        labels = list(_LABEL_RE.finditer(inner))
        if labels and labels[0].start() == len(inner) - len(inner.lstrip()):
            return _without(body, start, end), body[start:end], _label_parts(inner)
    if groups:
        start, end = groups[-1]
        if not body[end:].strip(" 。.;；"):
            inner = body[start + 1 : end - 1]
            if _LEAD_VERB.search(inner):
                return _without(body, start, end), body[start:end], [("division", inner)]
            units, _ = directory.split_and_resolve(_SHARED.sub("", inner))
            if units and all(u.name is not None or u.is_group for u in units) and any(u.name for u in units):
                return _without(body, start, end), body[start:end], [("unlabelled", inner)]
    return body.strip(), "", []


def _bracket_groups(text: str) -> Iterator[tuple[int, int]]:
    """Top-level parenthesised spans as (start, end) with end exclusive; both bracket widths, nesting allowed."""
    depth = 0
    start = 0
    for match in _BRACKET.finditer(text):
        if match.group() in _OPEN_BRACKETS:
            if depth == 0:
                start = match.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                yield start, match.end()


def _without(body: str, start: int, end: int) -> str:
    text = (body[:start].rstrip() + body[end:].strip()).strip()
    return text


def _dedupe(task: ParsedTask) -> None:
    def key(unit: ParsedUnit) -> str:
        return unit.name or unit.written

    lead_keys = {key(u) for u in task.lead}
    task.lead = list({key(u): u for u in task.lead}.values())
    task.supporting = [u for u in {key(u): u for u in task.supporting}.values() if key(u) not in lead_keys]


def _deadline_value(value: str, year: int | None) -> tuple[dt.date | None, bool]:
    """A deadline as a plan writes it → (date, continuous).

    "2024年6月底前" → 2024-06-30; "9月底" / "9月" → the end of that month in the plan's year; "年内",
    "全年", "年底前" → 31 December of the plan's year; "持续推进", "长期坚持", "常态化" → no date,
    continuous. The plan's year is the year in its title, else its year of issue; without one a deadline
    without a year gives no date (and a warning)."""
    value = value.strip()
    match = _YEAR_MONTH.search(value)
    if match:
        return _end_of(int(match.group("year")), int(match.group("month") or 12)), False
    if _CONTINUOUS.search(value):
        return None, True
    if year is None:
        return None, False
    month = _MONTH_ONLY.search(value)
    if month:
        return _end_of(year, int(month.group("month"))), False
    if _WITHIN_YEAR.search(value):
        return dt.date(year, 12, 31), False
    return None, False


def _deadlines(
    task: ParsedTask, plan: ParsedPlan, deadline_value: str, *, year: int | None = None
) -> tuple[list[ParsedMilestone], dt.date | None, str]:
    by_date: dict[dt.date, list[str]] = {}
    phrases: dict[dt.date, str] = {}
    sentences = _AFTER_SENTENCE.split(task.text) if ("年" in task.text or "五”" in task.text) else []
    for sentence in sentences:
        for match in _DEADLINE_PHRASE.finditer(sentence):
            year = int(match.group("y1") or match.group("y2"))
            month = match.group("m1") or match.group("m2")
            date = _end_of(year, int(month) if month else 12)
            if date is None:
                continue
            what = sentence[match.end() :].strip(" ,，:：").rstrip("。；;")
            what = _DEADLINE_PHRASE.split(what, maxsplit=1)[0].strip(" ,，") or sentence.strip().rstrip("。；;")
            by_date.setdefault(date, []).append(what)
            phrases.setdefault(date, match.group("phrase").replace(" ", ""))
        for match in _PLAN_PERIOD_PHRASE.finditer(sentence):
            if plan.period_end is not None:
                by_date.setdefault(plan.period_end, []).append(
                    sentence[match.end() :].strip(" ,，").rstrip("。；;") or sentence.strip().rstrip("。；;")
                )
                phrases.setdefault(plan.period_end, match.group(0))
    milestones = [ParsedMilestone(date=d, text="；".join(dict.fromkeys(by_date[d]))[:1000]) for d in sorted(by_date)]

    if deadline_value:
        date, continuous = _deadline_value(deadline_value, year)
        if date is not None or continuous:
            return milestones, date, deadline_value
        return milestones, plan.period_end, deadline_value
    if not milestones and year is not None:
        month = _TEXT_MONTH_DEADLINE.search(task.text)
        if month and (date := _end_of(year, int(month.group("month")))) is not None:
            return milestones, date, month.group(0)
        within = _WITHIN_YEAR_IN_TEXT.search(task.text)
        if within:
            return milestones, dt.date(year, 12, 31), within.group(0)
    if milestones:
        last = milestones[-1].date
        if task.kind == "vision" and plan.vision_year and last.year < plan.vision_year:
            return milestones, dt.date(plan.vision_year, 12, 31), f"到{plan.vision_year}年（远景）"
        return milestones, last, phrases[last]
    if task.kind == "vision" and plan.vision_year:
        return milestones, dt.date(plan.vision_year, 12, 31), f"到{plan.vision_year}年（远景）"
    if plan.period_end is not None:
        yearly = plan.period_start is not None and plan.period_start.year == plan.period_end.year
        return milestones, plan.period_end, "年底前" if yearly else "规划期末"
    return milestones, None, ""


def _end_of(year: int, month: int) -> dt.date | None:
    if not 1 <= month <= 12:
        return None
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


# ---------------------------------------------------------------------------------------------------------
# Plan metadata from the preamble


def _parse_plan_metadata(lines: list[str]) -> ParsedPlan:
    head = [line for line in lines[:80] if line]
    joined = "\n".join(head)
    title = ""
    for line in head:
        if ("分工方案" in line or "任务分工" in line) and not re.search(r"[。：:|]|关于|通知", line) and len(line) <= 120:
            title = line
            break
    if not title:
        quoted = re.search(r"《(?P<t>[^》]{4,120}(?:方案|计划|清单))》", joined)
        title = quoted.group("t") if quoted else (head[0][:300] if head else "")

    number_match = _DOCUMENT_NUMBER.search(joined)
    document_number = re.sub(r"\s+", "", number_match.group(0)) if number_match else ""
    if document_number:
        document_number = re.sub(r"[\[［(（]", "〔", re.sub(r"[\]］)）]", "〕", document_number))

    issuer = ""
    issued_on = None
    for i, line in enumerate(head):
        date_match = _DATE_LINE.match(line)
        if date_match:
            issued_on = _safe_date(int(date_match["y"]), int(date_match["m"]), int(date_match["d"]))
            if i > 0 and (issuer_match := _ISSUER_LINE.match(head[i - 1])):
                issuer = issuer_match.group("issuer")
            break

    period_start = period_end = None
    ordinal = _FIVE_YEAR_ORDINAL.search(joined)
    if ordinal:
        n = _cn_number(ordinal.group("n")) if ordinal.group("n") else 10 + _cn_number(ordinal.group("short"))
        if n >= 3:
            start = 1966 + 5 * (n - 3)
            period_start, period_end = dt.date(start, 1, 1), dt.date(start + 4, 12, 31)

    vision_year = None
    vision = _VISION_YEAR.search(joined)
    if vision:
        raw = vision.group("year")
        vision_year = int(raw) if raw.isdigit() else int("".join(str(_cn_digit(c)) for c in raw))

    return ParsedPlan(
        title=title[:300],
        issuer=issuer,
        document_number=document_number,
        issued_on=issued_on,
        period_start=period_start,
        period_end=period_end,
        vision_year=vision_year,
    )


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _cn_digit(char: str) -> int:
    return {"零": 0, "〇": 0, "O": 0, "○": 0, "0": 0}.get(char, "一二三四五六七八九".find(char) + 1)


def _cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十一 → 11, 二十三 → 23 (up to 99)."""
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_cn_digit(tens) if tens else 1) * 10 + (_cn_digit(units) if units else 0)
    return _cn_digit(text)


def _cn_label(n: int) -> str:
    digits = "一二三四五六七八九"
    if n <= 9:
        return digits[n - 1]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else digits[tens - 1]) + "十" + (digits[units - 1] if units else "")


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 7] → "1–3、7"."""
    out: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}–{prev}")
        if n is not None:
            start = prev = n
    return "、".join(out)
