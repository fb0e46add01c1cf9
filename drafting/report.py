"""A 政府工作报告 (government work report) → candidate tasks for a new plan. Pure: no database.

1. Lines wrapped by the page (a line that does not end a sentence) are joined to the next; "(下转四版)"
   and similar page marks are dropped.
2. The key-work part is the text after the heading "…重点工作…" / "…重点任务…" / "…主要任务…"
   ("四、2022年重点工作任务") up to the heading on the government's own conduct ("政府自身建设") or the
   end; a report without such a heading (an excerpt) is taken whole.
3. Headings "（一）…" give each candidate its section; a heading run into its first paragraph ("(二)实施创新
   驱动战略,激活发展内生动力 扎实提升创新能力。…") is cut at the space. A paragraph's first short
   sentence ("加快和美乡村建设。") is its topic.
4. Each sentence is cut into clauses at "，" / "；". A clause that holds a quantified target (a figure with a
   unit: "新建和改建卫生厕所2.3万座以上") is a candidate; so is one that commits to a concrete deliverable
   without a figure (启动 / 创建 / 建成 / 开工 / 出台 … a named thing). Clauses of a figure list are kept
   apart ("新建高标准茶园2万亩" and "新增魔芋种植面积10万亩" are two candidates).
5. Targets are read by the importer's ``extract_targets`` with the report's year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tasks.importer.targets import extract_targets
from tasks.importer.types import ParsedTarget

_PAGE_MARK = re.compile(r"^[(（](?:上接|下转)[^)）]*[)）]$")
_SENTENCE_END = "。！？!?；;：:”"
_KEY_WORK_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]\s*)?(?:(?:19|20)\d{2}年)?.{0,12}(?:重点工作|重点任务|主要任务|工作安排)"
)
_KEY_WORK_END = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]\s*)?.{0,10}(?:政府自身建设|自身建设)")
_SECTION = re.compile(
    r"^[(（](?P<label>[一二三四五六七八九十]+)[)）]\s*(?P<title>[^ \u3000。]+)(?:[ \u3000]+(?P<rest>.+))?$"
)
_CHAPTER = re.compile(r"^[一二三四五六七八九十]+、\s*\S{2,30}$")
_YEAR = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年")
_SENTENCES = re.compile(r"[^。！？!?]+[。！？!?]?")
_CLAUSES = re.compile(r"[^,，;；]+")
# Commitments without a figure: a verb of delivery followed by a named thing.
_DELIVERABLE = re.compile(
    r"^(?:启动|创建|建成|开工|竣工|出台|制定|组建|成立|设立|挂牌|获批|创成|争创|申报|举办|召开|开通|投用)\S{4,}"
)
_TOPIC_MAX = 16
_MARKER = re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]\s*")


@dataclass(slots=True)
class Candidate:
    """One candidate task: its text, the sentence it comes from, where it sits and the targets it states."""

    position: int
    text: str
    sentence: str
    section: str = ""
    topic: str = ""
    targets: list[ParsedTarget] = field(default_factory=list)
    year: int | None = None

    @property
    def query(self) -> str:
        """What the unit suggestion reads: the clause, with the topic and the whole sentence for the context a
        clause lacks."""
        return f"{self.topic}{self.text}{self.sentence}"

    def as_json(self) -> dict[str, object]:
        return {
            "position": self.position,
            "text": self.text,
            "sentence": self.sentence,
            "section": self.section,
            "topic": self.topic,
            "year": self.year,
            "targets": [t.as_json() for t in self.targets],
        }


@dataclass(slots=True)
class ReportDraft:
    year: int | None
    candidates: list[Candidate]
    whole_text: bool  # no key-work heading was found: the whole report was read

    def as_json(self) -> dict[str, object]:
        return {
            "year": self.year,
            "whole_text": self.whole_text,
            "candidates": [c.as_json() for c in self.candidates],
        }


def split_report(text: str, *, year: int | None = None) -> ReportDraft:
    """Candidate tasks of the report's key-work part, in order. ``year``: the year the report plans for
    (else the year in the key-work heading)."""
    paragraphs = _paragraphs(text)
    start, end, heading_year = _key_work(paragraphs)
    year = year or heading_year
    candidates: list[Candidate] = []
    section = ""
    for paragraph in paragraphs[start:end]:
        if _CHAPTER.match(paragraph):
            continue
        match = _SECTION.match(paragraph)
        if match:
            section = f"（{match.group('label')}）{match.group('title')}"
            paragraph = match.group("rest") or ""
            if not paragraph:
                continue
        sentences = [s.strip() for s in _SENTENCES.findall(paragraph) if s.strip()]
        topic = ""
        if sentences and len(sentences[0]) <= _TOPIC_MAX and not re.search(r"\d", sentences[0]):
            topic = sentences.pop(0).rstrip("。")
        for sentence in sentences:
            for clause in _CLAUSES.findall(sentence):
                clause = _MARKER.sub("", clause.strip()).rstrip("。！？!?")
                if not clause:
                    continue
                targets = extract_targets(clause, default_year=year)
                if targets or _DELIVERABLE.match(clause):
                    candidates.append(
                        Candidate(
                            position=len(candidates) + 1,
                            text=clause,
                            sentence=sentence,
                            section=section,
                            topic=topic,
                            targets=targets,
                            year=year,
                        )
                    )
    return ReportDraft(year=year, candidates=candidates, whole_text=start == 0 and end == len(paragraphs))


def _paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs, lines broken inside a sentence joined again, page marks dropped."""
    out: list[str] = []
    joining = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line or _PAGE_MARK.match(line):
            continue
        if joining and out:
            out[-1] += line
        else:
            out.append(line)
        # A short line is a heading; a long one cut before the end of its sentence goes on on the next line.
        joining = line[-1] not in _SENTENCE_END and len(line) > 40
    return out


def _key_work(paragraphs: list[str]) -> tuple[int, int, int | None]:
    start, year = 0, None
    for index, paragraph in enumerate(paragraphs):
        if len(paragraph) <= 40 and _KEY_WORK_HEADING.match(paragraph):
            start = index + 1
            found = _YEAR.search(paragraph)
            year = int(found.group("year")) if found else None
            break
    end = len(paragraphs)
    for index in range(start, len(paragraphs)):
        if len(paragraphs[index]) <= 40 and _KEY_WORK_END.match(paragraphs[index]):
            end = index
            break
    return start, end, year
