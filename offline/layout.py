"""The template's sheets and columns: names, header comments, widths, which are editable. One place,
read by the writer and the reader."""

from __future__ import annotations

from dataclasses import dataclass

from progress.models import ActualState, ProgressStatus

MAIN_SHEET = "填报表"
ACTUALS_SHEET = "指标实际值"
IDENTITY_SHEET = "_模板标识"
IDENTITY_MARK = "xingping-offline-template"
IDENTITY_FORMAT = 1
TITLE_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3
# A cell holds at most 32,767 characters: the signed token is split over several.
TOKEN_CHUNK = 30000

STATUS_LABELS = [label for _, label in ProgressStatus.choices]
STATUS_BY_LABEL = {label: value for value, label in ProgressStatus.choices}
ACTUAL_STATE_LABELS = [label for _, label in ActualState.choices]
ACTUAL_STATE_BY_LABEL = {label: value for value, label in ActualState.choices}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    comment: str
    editable: bool = False


MAIN_COLUMNS = [
    Column("number", "序号", 7, "任务在方案中的序号，用于识别任务，请勿修改。"),
    Column("task", "任务内容", 40, "方案中的任务原文，仅供参考，不可修改。"),
    Column("role", "身份", 8, "本单位在该任务中的身份：牵头或配合。配合单位填写本单位的配合情况。"),
    Column("deadline", "完成时限", 12, "任务的完成时限（经批准延期的为延期后时限），仅供参考。"),
    Column("previous", "上期进展", 36, "本单位上一填报期报告的进展情况，仅供参考；本期内容请填写在右侧“进展情况”列。"),
    Column("review", "审核意见", 24, "报告被规划科退回时的审核意见，请按意见修改后上传，再在网页上报送。"),
    Column("report_status", "报告状态", 10, "本期报告在系统中的状态（下载时）。已报送或已审核的报告不能修改，该行请保持原样。"),
    Column("status", "状态", 12, "任务推进状态，请从下拉列表中选择：" + "、".join(STATUS_LABELS) + "。", editable=True),
    Column("percent", "完成百分比", 10, "任务完成进度，填写0到100的整数，可留空；状态为“已完成”时应为100。", editable=True),
    Column("progress_text", "进展情况", 44, "本期完成的工作，尽量写明数据（不超过5000字）。上传后保存为草稿，报送请在网页上操作。", editable=True),
    Column("problems_text", "存在问题", 30, "推进中遇到的问题和困难（不超过5000字），没有可留空。", editable=True),
    Column("next_steps_text", "下步打算", 30, "下一步工作安排（不超过5000字）。", editable=True),
]

ACTUAL_COLUMNS = [
    Column("number", "序号", 7, "任务在方案中的序号，请勿修改。"),
    Column("position", "指标编号", 8, "该任务的第几项量化指标，请勿修改。"),
    Column("indicator", "指标", 36, "方案中的量化指标，仅供参考，不可修改。"),
    Column("target", "目标值", 12, "方案确定的目标值，仅供参考。"),
    Column("unit", "单位", 10, "目标值和实际值的计量单位。"),
    Column("value", "实际值", 12, "截至数据截至日期的实际值，填写数字（最多4位小数），单位与目标值相同。", editable=True),
    Column("data_date", "数据截至日期", 14, "实际值对应的统计截止日期，如 2024-06-30，不能晚于今天。", editable=True),
    Column(
        "state",
        "数据状态",
        14,
        "从下拉列表中选择：已填报（填写实际值和日期）或数据尚未发布（统计数据未发布时选择，不填实际值）。留空视为未填写。",
        editable=True,
    ),
    Column("note", "说明", 30, "对实际值的说明，如数据来源、口径（不超过300字）。", editable=True),
]


def column_index(columns: list[Column], key: str) -> int:
    """The 1-based column of ``key``."""
    return next(i for i, column in enumerate(columns, start=1) if column.key == key)


def letter(columns: list[Column], key: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column_index(columns, key))
