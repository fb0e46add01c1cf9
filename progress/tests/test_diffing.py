"""The diff of a report's texts against last period's (progress.diffing)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from progress.diffing import DELETE, EQUAL, INSERT, diff_segments, text_diff

CHINESE = st.text(alphabet="项目建设推进完成亿元个，。；、1234567890.%\n", max_size=80)


@given(CHINESE, CHINESE)
def test_segments_rebuild_both_texts(old, new):
    segments = diff_segments(old, new)
    assert "".join(s.text for s in segments if s.kind != INSERT) == old
    assert "".join(s.text for s in segments if s.kind != DELETE) == new
    assert all(s.text for s in segments)
    assert all(a.kind != b.kind for a, b in zip(segments, segments[1:], strict=False))  # merged runs


@given(CHINESE)
def test_the_same_text_has_no_change(text):
    assert not text_diff("进展情况", text, text).changed


def test_a_changed_number_is_one_change_inside_the_sentence():
    segments = diff_segments("新增高新技术企业18户，占比3.9%。", "新增高新技术企业21户，占比4.2%。")
    assert [(s.kind, s.text) for s in segments] == [
        (EQUAL, "新增高新技术企业"),
        (DELETE, "18"),
        (INSERT, "21"),
        (EQUAL, "户，占比"),
        (DELETE, "3.9%"),
        (INSERT, "4.2%"),
        (EQUAL, "。"),
    ]


def test_an_unrelated_clause_is_replaced_whole():
    segments = diff_segments("加快项目建设。", "推进数据要素市场建设，引进企业。")
    kinds = [s.kind for s in segments]
    assert EQUAL not in kinds[:1] and DELETE in kinds and INSERT in kinds
    assert "".join(s.text for s in segments if s.kind == DELETE) == "加快项目建设。"


def test_an_added_sentence_is_inserted_and_the_rest_kept():
    segments = diff_segments("完成投资5亿元。", "完成投资5亿元。开工项目3个。")
    assert [(s.kind, s.text) for s in segments] == [(EQUAL, "完成投资5亿元。"), (INSERT, "开工项目3个。")]
