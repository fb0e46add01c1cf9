"""What changed between two texts of a report, for the review page (difflib, rendered server-side).

Chinese has no spaces between words, so a word diff means nothing and a character diff of a whole
paragraph is noise. The texts are cut into clauses (after ，。；：！？、 and line ends); the clauses are
compared with :class:`difflib.SequenceMatcher`, and a clause replaced by a similar one is compared
again character by character (a number as one token), so "占比4.2%" → "占比4.1%" shows as one changed
number inside an unchanged sentence. The result is a list of segments (``equal`` / ``insert`` / ``delete``) that the
template renders as plain text, ``<ins>`` and ``<del>``: no markup is built here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
_CLAUSE_END = re.compile(r"(?<=[，。；：！？、,;:!?\n])")
# Inside a clause a number is one token (3.9 → 4.2 reads as one change, not as "3"→"4" and "9"→"2").
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|.", re.S)
# Replaced clauses this similar (ratio) are diffed character by character; below it they are shown
# as deleted then inserted whole, which reads better than scattered single characters.
SIMILAR_CLAUSES = 0.5


@dataclass(frozen=True)
class Segment:
    kind: str  # EQUAL, INSERT or DELETE
    text: str


@dataclass(frozen=True)
class TextDiff:
    label: str
    segments: tuple[Segment, ...]

    @property
    def changed(self) -> bool:
        return any(segment.kind != EQUAL for segment in self.segments)


def clauses(text: str) -> list[str]:
    return [part for part in _CLAUSE_END.split(text) if part]


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if not segment.text:
            continue
        if merged and merged[-1].kind == segment.kind:
            merged[-1] = Segment(segment.kind, merged[-1].text + segment.text)
        else:
            merged.append(segment)
    return merged


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _chars(old: str, new: str) -> list[Segment]:
    """Characters (numbers whole) of two similar clauses."""
    a, b = tokens(old), tokens(new)
    result: list[Segment] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            result.append(Segment(EQUAL, "".join(a[i1:i2])))
        else:
            result.append(Segment(DELETE, "".join(a[i1:i2])))
            result.append(Segment(INSERT, "".join(b[j1:j2])))
    return result


def diff_segments(old: str, new: str) -> list[Segment]:
    """The segments that turn ``old`` into ``new`` (their EQUAL+DELETE texts give ``old``, EQUAL+INSERT ``new``)."""
    old, new = old or "", new or ""
    a, b = clauses(old), clauses(new)
    result: list[Segment] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            result.append(Segment(EQUAL, removed))
        elif op == "replace" and SequenceMatcher(None, removed, added, autojunk=False).ratio() >= SIMILAR_CLAUSES:
            result.extend(_chars(removed, added))
        else:
            result.append(Segment(DELETE, removed))
            result.append(Segment(INSERT, added))
    return _merge(result)


def text_diff(label: str, old: str, new: str) -> TextDiff:
    return TextDiff(label=label, segments=tuple(diff_segments(old, new)))
