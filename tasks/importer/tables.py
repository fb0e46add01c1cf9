"""Task tables that reached us as plain text → task lines the parser reads ("1.任务(牵头单位:X;…)").

A table copied out of a web page or a PDF arrives in one of three shapes:

- one row per line, cells separated by " | " (or "｜" or a tab);
- one cell per line: the header's column names on consecutive lines, then each row starting with its
  number on a line of its own;
- cells glued with no separator ("序号重点工作牵头单位责任领导完成时限", "1加快…市发改局市财政局张三9月底").
  The deadline is cut from the end, and unit names are split against the known unit list; the first unit
  found leads, the others support, and a warning asks to check the row.

The columns are recognised by ``decoding.column_role`` (the same as for .docx tables): 序号, 重点工作 / 工作任务,
牵头单位, 责任单位, 配合单位, 责任领导, 完成时限. Lines outside a table pass through unchanged.
"""

from __future__ import annotations

import re

from departments.directory import UnitDirectory

from .decoding import column_role

_CELL_SEPARATOR = re.compile(r"\s*[|｜\t]\s*")
_LABELS = {
    "lead": "牵头单位",
    "responsible": "责任单位",
    "supporting": "配合单位",
    "leaders": "责任领导",
    "deadline": "完成时限",
}
_GLUED_COLUMNS = (
    "序号",
    "重点工作",
    "重点任务",
    "工作任务",
    "主要任务",
    "工作内容",
    "任务内容",
    "具体措施",
    "牵头单位",
    "牵头部门",
    "责任单位",
    "责任部门",
    "配合单位",
    "配合部门",
    "责任领导",
    "牵头领导",
    "完成时限",
    "完成时间",
)
_GLUED_HEADER = re.compile("^(?:" + "|".join(_GLUED_COLUMNS) + "){3,}$")
_GLUED_ROW = re.compile(r"^(?P<number>\d{1,4})(?![\d.．、])(?P<rest>\S.*)$")
_GLUED_DEADLINE = re.compile(
    r"(?:(?:19|20)\d{2}年(?:\d{1,2}月)?(?:底|末)?前?|\d{1,2}月(?:底|末)?前?|年内|全年|持续推进|长期坚持)$"
)
_NUMBER_CELL = re.compile(r"^\d{1,4}[.．、]?$")


def flatten_tables(lines: list[str], directory: UnitDirectory) -> tuple[list[str], list[str], frozenset[str]]:
    """The lines with every text table rewritten as task lines, the warnings that raised, and the numbers of
    the rows whose units were guessed (glued cells)."""
    out: list[str] = []
    warnings: list[str] = []
    guessed: set[str] = set()
    i = 0
    while i < len(lines):
        line = lines[i]
        roles = _pipe_header(line)
        if roles:
            i = _pipe_rows(lines, i + 1, roles, out)
            continue
        columns = _cell_per_line_header(lines, i)
        if columns:
            i = _cell_per_line_rows(lines, i + len(columns), columns, out)
            continue
        glued = _glued_header(line)
        if glued:
            i = _glued_rows(lines, i + 1, glued, directory, out, warnings, guessed)
            continue
        out.append(line)
        i += 1
    return out, warnings, frozenset(guessed)


def _is_task_header(roles: list[str | None]) -> bool:
    found = set(roles)
    return "task" in found and bool(found & {"number", "lead", "responsible"})


def _row_line(number: str, values: dict[str, list[str]]) -> str:
    number = number.rstrip(".．、 ")
    task = "".join(values.get("task", []))
    parts = [f"{label}:{'、'.join(values[role])}" for role, label in _LABELS.items() if values.get(role)]
    return f"{number}.{task}" + (f"({';'.join(parts)})" if parts else "")


def _values(cells: list[str], roles: list[str | None]) -> tuple[str, dict[str, list[str]]]:
    number = ""
    values: dict[str, list[str]] = {}
    for cell, role in zip(cells, roles, strict=False):
        cell = cell.strip()
        if not cell or role is None:
            continue
        if role == "number":
            number = cell
        else:
            values.setdefault(role, []).append(cell)
    return number, values


# --- " | " rows ------------------------------------------------------------------------------------


def _pipe_header(line: str) -> list[str | None] | None:
    if not _CELL_SEPARATOR.search(line):
        return None
    cells = _CELL_SEPARATOR.split(line.strip(" |｜"))
    if len(cells) < 3 or any(len(c) > 12 for c in cells):
        return None
    roles = [column_role(c) for c in cells]
    return roles if _is_task_header(roles) else None


def _pipe_rows(lines: list[str], i: int, roles: list[str | None], out: list[str]) -> int:
    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            continue
        if not _CELL_SEPARATOR.search(line):
            return i
        cells = _CELL_SEPARATOR.split(line.strip(" |｜"))
        number, values = _values(cells, roles)
        if _NUMBER_CELL.match(number) and values.get("task"):
            out.append(_row_line(number, values))
        elif _pipe_header(line) is None:
            # A heading row merged across the table ("一、产业发展 | | |").
            out.append("".join(cells))
        i += 1
    return i


# --- one cell per line ------------------------------------------------------------------------------


def _cell_per_line_header(lines: list[str], i: int) -> list[str | None] | None:
    roles: list[str | None] = []
    for line in lines[i : i + 8]:
        role = column_role(line) if line and len(line) <= 8 else None
        if role is None:
            break
        roles.append(role)
    return roles if len(roles) >= 3 and roles[0] == "number" and _is_task_header(roles) else None


def _cell_per_line_rows(lines: list[str], i: int, roles: list[str | None], out: list[str]) -> int:
    width = len(roles)
    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            continue
        if not _NUMBER_CELL.match(line):
            return i
        cells = [line]
        j = i + 1
        while j < len(lines) and len(cells) < width:
            if lines[j] and _NUMBER_CELL.match(lines[j]) and len(cells) > 2:
                break  # the next row starts: the cells left empty were dropped by the export
            if lines[j]:
                cells.append(lines[j])
            j += 1
        number, values = _values(cells, roles)
        if values.get("task"):
            out.append(_row_line(number, values))
        i = j
    return i


# --- glued cells ------------------------------------------------------------------------------------


def _glued_header(line: str) -> list[str | None] | None:
    text = re.sub(r"\s+", "", line)
    if not _GLUED_HEADER.match(text):
        return None
    columns = re.findall("|".join(_GLUED_COLUMNS), text)
    roles = [column_role(c) for c in columns]
    return roles if _is_task_header(roles) else None


def _glued_rows(
    lines: list[str],
    i: int,
    roles: list[str | None],
    directory: UnitDirectory,
    out: list[str],
    warnings: list[str],
    guessed: set[str],
) -> int:
    while i < len(lines):
        line = re.sub(r"\s+", "", lines[i])
        if not line:
            i += 1
            continue
        match = _GLUED_ROW.match(line)
        if not match:
            return i
        number, rest = match.group("number"), match.group("rest")
        guessed.add(number)
        values: dict[str, list[str]] = {}
        deadline = _GLUED_DEADLINE.search(rest) if "deadline" in roles else None
        if deadline:
            values["deadline"] = [deadline.group()]
            rest = rest[: deadline.start()]
        task, units, leftover = _cut_units(rest, directory)
        values["task"] = [task]
        if units:
            values["lead"] = units[:1]
            if units[1:]:
                values["supporting"] = units[1:]
            if leftover and "leaders" in roles:
                values["leaders"] = [leftover]
            warnings.append(
                f"任务{number}：表格各栏连在一起，已按单位名录拆出“{'、'.join(units)}”，"
                "以第一个为牵头单位，请在导入预览中核对。"
            )
        else:
            warnings.append(f"任务{number}：表格各栏连在一起，未能拆出单位，请在导入预览中补充。")
        out.append(_row_line(number, values))
        i += 1
    return i


def _cut_units(text: str, directory: UnitDirectory) -> tuple[str, list[str], str]:
    """Task text, the run of known unit names that follows it, and what is left after them (leaders).

    The run is the earliest position from which known names follow one another (longest name first) to
    within a few characters (names of people) of the end. One pass from the right: linear in the row."""
    size = len(text)
    longest = directory.longest_name
    length = [0] * (size + 1)
    chain_end = list(range(size + 1))
    best = None  # the leftmost start found so far
    for i in range(size - 1, 0, -1):
        if best is not None and best - i > longest:
            break  # no run of names can reach over this gap to the end
        length[i] = directory.known_prefix(text, i)
        if length[i]:
            chain_end[i] = chain_end[i + length[i]]
            if size - chain_end[i] <= 12:
                best = i
    if best is None:
        return text, [], ""
    units, position = [], best
    while position < chain_end[best]:
        units.append(text[position : position + length[position]])
        position += length[position]
    return text[:best], units, text[position:]
