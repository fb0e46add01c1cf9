"""Pure resolution of unit names as plan documents write them (no database access).

Documents abbreviate: in "市发改局、工信局、农业农村局等" the "市" carries to every item and the trailing
"等" means "and others"; "市发改局〈科技局〉" is the 科技局 function hosted inside 市发改局; placeholders
such as 各镇办 or 市级相关部门 name groups, not units. ``UnitDirectory`` maps what is written to the
canonical name of a unit or group. It is built either from the fixture (``from_fixture``) or from the
database (``departments.selectors.unit_directory``). The plan parser (``tasks.importer``) and the
unit services use it; it lives with the units (``departments`` sits below ``tasks``).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_FIXTURE_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "units.json"


@dataclass(frozen=True, slots=True)
class ParsedUnit:
    """A unit or placeholder named on a task: as written, and what it resolved to (None if unknown)."""

    written: str
    name: str | None
    is_group: bool = False

    @property
    def display(self) -> str:
        return self.name if self.name is not None else self.written


_OPENING = "〈<(（《〔[【"
_CLOSING = "〉>)）》〕]】"
_BRACKETS = str.maketrans({**dict.fromkeys(_OPENING, "（"), **dict.fromkeys(_CLOSING, "）")})
_SEPARATORS = frozenset("、,，;；")
_TRAILING_PUNCTUATION = "、,，;；.。:：…"
# "等", "等等", and the longer "等部门" / "等相关单位" forms other documents use.
_ETC = re.compile(r"(?:等等|等)(?:(?:相关|有关)?(?:部门|单位))?$")
_WHITESPACE = re.compile(r"\s+")
# Prefixes that are never extended by "市" / "市委": the name is already complete.
_QUALIFIED = ("咸阳市", "兴平市")
_OWN_CITY = "兴平市"


def normalise_name(text: str) -> str:
    """The lookup key of a unit name: NFKC, no whitespace, brackets as （）, no trailing 等 or punctuation."""
    key, _ = _strip_etc(_WHITESPACE.sub("", unicodedata.normalize("NFKC", text)).translate(_BRACKETS))
    return key


def _strip_etc(text: str) -> tuple[str, bool]:
    """Remove trailing punctuation and a trailing 等 (repeatedly); say whether a 等 was removed."""
    open_ended = False
    while True:
        stripped = text.rstrip().rstrip(_TRAILING_PUNCTUATION).rstrip()
        without_etc = _ETC.sub("", stripped)
        if without_etc != stripped:
            open_ended = True
        if without_etc == text:
            return text, open_ended
        text = without_etc


def _leading_prefix(key: str) -> str:
    if key.startswith("市委"):
        return "市委"
    if key.startswith("市"):
        return "市"
    return ""


# Group phrases that contain "、" yet name one group: "各区、县级市", "省政府各部门、各直属机构", "各市、县".
_GROUP_WITH_COMMA = re.compile(
    r"各[市县区镇乡](?:、(?:[市县区镇乡]|县级市))+(?:人民)?(?:政府)?"
    r"|[省市区县]政府各部门、各直属机构"
    r"|各部门、各直属机构"
)
_KEEP = "\x00"
# A name that designates a set of units rather than one unit (各街道, 区直各部门, 各相关单位, 市级相关单位 …).
_GROUP_PHRASE = re.compile(
    r"^(?:全[市县区省]|[市区县省](?:直|级|政府)?)?各|^[市区县省]?(?:级|直)?(?:相关|有关)|各(?:相关|有关)?(?:部门|单位|机构|街道|镇|乡|村|社区|地)"
    r"|(?:相关|有关)(?:部门|单位|机构)$|牵头单位$"
)


def looks_like_group(name: str) -> bool:
    """Whether a name not in the directory designates a group of units ("各街道", "市级相关单位")."""
    return bool(_GROUP_PHRASE.search(normalise_name(name)))


def split_items(value: str) -> list[str]:
    """Split a list of names on 、 , ， ; ； and whitespace, never inside brackets nor inside a group phrase.

    "市发改局〈科技局〉、工信局" gives two items; "县域创新示范县(市)" and "各区、县级市" stay one. With
    unbalanced brackets the text is split everywhere rather than swallowed into one item.
    """
    value = _GROUP_WITH_COMMA.sub(lambda m: m.group().replace("、", _KEEP), value)
    return [item.replace(_KEEP, "、") for item in _split_items(value)]


def _split_items(value: str) -> list[str]:
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for char in value:
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth = max(depth - 1, 0)
        if depth == 0 and (char in _SEPARATORS or char.isspace()):
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    if depth > 0:
        return [item for item in re.split(r"[、,，;；\s]+", value) if item]
    return [item for item in items if item]


class UnitDirectory:
    """Canonical names of units and groups, with every alias, looked up by normalised key."""

    def __init__(
        self,
        units: Iterable[tuple[str, Iterable[str]]],
        groups: Iterable[tuple[str, Iterable[str]]],
        *,
        strict: bool = True,
    ) -> None:
        """``strict``: a written form naming two units is an error (ValueError). Otherwise canonical names
        win over aliases, the first alias wins over later ones, and ``conflicts`` lists what was dropped."""
        self._index: dict[str, tuple[str, bool]] = {}
        self._strict = strict
        self.conflicts: list[str] = []
        entries = [(name, tuple(aliases), False) for name, aliases in units]
        entries += [(name, tuple(aliases), True) for name, aliases in groups]
        for name, _, is_group in entries:
            self._add(name, name, is_group)
        for name, aliases, is_group in entries:
            for alias in aliases:
                self._add(alias, name, is_group)
        # Plans repeat the same lists ("市级相关部门,各镇办") many times: resolve each distinct text once.
        self._lists: dict[str, tuple[tuple[ParsedUnit, ...], bool]] = {}
        self._unit_names = frozenset(name for name, _, is_group in entries if not is_group)
        self._group_names = frozenset(name for name, _, is_group in entries if is_group)

    def _add(self, written: str, name: str, is_group: bool) -> None:
        key = normalise_name(written)
        if not key:
            self._conflict(f"单位“{name}”有空名称或空别名。")
            return
        existing = self._index.setdefault(key, (name, is_group))
        if existing != (name, is_group):
            self._conflict(f"名称“{written}”同时指向“{existing[0]}”和“{name}”，请删除其中一个别名。")

    def _conflict(self, message: str) -> None:
        if self._strict:
            raise ValueError(message)
        self.conflicts.append(message)

    @classmethod
    def from_fixture(cls, path: Path | None = None) -> UnitDirectory:
        """The directory of fixtures/units.json (or of ``path``); loaded once per path."""
        return _directory_from_fixture(Path(path or DEFAULT_FIXTURE_PATH).resolve())

    @property
    def unit_names(self) -> frozenset[str]:
        return self._unit_names

    @property
    def group_names(self) -> frozenset[str]:
        return self._group_names

    def resolve(self, written: str, *, prefix: str = "") -> ParsedUnit:
        """What ``written`` names. ``prefix`` ("市" or "市委") is carried from the previous item of a list.

        Tries, in order: the name itself; ``prefix`` + name; "市" + name; "市委" + name. A name already
        qualified by a city ("咸阳市…", "兴平市…") gets no prefix; "兴平市X" is also tried as "市X".
        """
        shown, _ = _strip_etc(written.strip())
        key = normalise_name(shown)
        if not key:
            return ParsedUnit(written=shown, name=None)
        candidates = [key]
        if key.startswith(_OWN_CITY):
            candidates.append("市" + key[len(_OWN_CITY) :])
        if not key.startswith(_QUALIFIED):
            candidates.extend(p + key for p in (prefix, "市", "市委") if p)
        for candidate in candidates:
            found = self._index.get(candidate)
            if found is not None:
                return ParsedUnit(written=shown, name=found[0], is_group=found[1])
        return ParsedUnit(written=shown, name=None, is_group=looks_like_group(shown))

    def split_and_resolve(self, value: str) -> tuple[list[ParsedUnit], bool]:
        """The units of one label's list, in order, once each; and whether any item ended with 等.

        "市委党校、文明办,市教育局、公安局等" → 市委党校, 市委文明办, 市教育局, 市公安局; True.
        """
        cached = self._lists.get(value)
        if cached is None:
            units, open_ended = self._split_and_resolve(value)
            cached = self._lists[value] = (tuple(units), open_ended)
        return list(cached[0]), cached[1]

    def _split_and_resolve(self, value: str) -> tuple[list[ParsedUnit], bool]:
        units: list[ParsedUnit] = []
        seen: set[tuple[str, str]] = set()
        open_ended = False
        prefix = ""
        for item in self._rejoin(split_items(value)):
            text, item_open_ended = _strip_etc(item.strip())
            open_ended = open_ended or item_open_ended
            if not text:
                continue
            unit = self.resolve(text, prefix=prefix)
            prefix = _leading_prefix(normalise_name(text)) or prefix
            identity = ("name", unit.name) if unit.name is not None else ("written", normalise_name(text))
            if identity not in seen:
                seen.add(identity)
                units.append(unit)
        return units, open_ended

    def _rejoin(self, items: list[str]) -> list[str]:
        """Two unknown pieces that make a known name together were one name cut by a line wrap ("市工 信局")."""
        out: list[str] = []
        for item in items:
            if out and not self.is_known(out[-1]) and not self.is_known(item) and self.is_known(out[-1] + item):
                out[-1] += item
            else:
                out.append(item)
        return out

    def segment(self, text: str) -> list[str] | None:
        """Unit names glued together with no separator ("市发改局市财政局") cut at known names, longest
        first; None when some part is no known name."""
        key = normalise_name(text)
        longest = self._longest_key()
        out: list[str] = []
        i = 0
        while i < len(key):
            for j in range(min(len(key), i + longest), i, -1):
                if key[i:j] in self._index:
                    out.append(key[i:j])
                    i = j
                    break
            else:
                return None
        return out

    def known_prefix(self, text: str, start: int = 0) -> int:
        """Length of the longest known name at ``start`` in ``text`` (0 when none)."""
        if not hasattr(self, "_lengths_by_head"):
            heads: dict[str, set[int]] = {}
            for key in self._index:
                if len(key) >= 2:
                    heads.setdefault(key[:2], set()).add(len(key))
            self._lengths_by_head = {head: sorted(lengths, reverse=True) for head, lengths in heads.items()}
        for j in self._lengths_by_head.get(text[start : start + 2], ()):
            if text[start : start + j] in self._index:
                return j
        return 0

    @property
    def longest_name(self) -> int:
        return self._longest_key()

    def _longest_key(self) -> int:
        if not hasattr(self, "_longest"):
            self._longest = max((len(k) for k in self._index), default=0)
        return self._longest

    def is_known(self, written: str) -> bool:
        return self.resolve(written).name is not None


def load_fixture(path: Path | None = None) -> dict[str, Any]:
    """The parsed JSON of the unit fixture: {"units": [...], "groups": [...]}."""
    with Path(path or DEFAULT_FIXTURE_PATH).open(encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        raise ValueError("单位名录文件格式不对：顶层应为含 units 列表的对象。")
    data.setdefault("groups", [])
    return data


@functools.lru_cache(maxsize=8)
def _directory_from_fixture(path: Path) -> UnitDirectory:
    data = load_fixture(path)
    return UnitDirectory(
        units=[(unit["name"], unit.get("aliases", ())) for unit in data["units"]],
        groups=[(group["name"], group.get("aliases", ())) for group in data["groups"]],
    )
