"""Splitting a work report into candidate tasks: the two seed reports."""

from decimal import Decimal

from drafting.report import split_report


def by_text(draft):
    return {c.text: c for c in draft.candidates}


def target_tuples(candidate):
    return [(t.indicator, t.value, t.unit, t.direction, t.year) for t in candidate.targets]


class TestHanzhong2024:
    """An excerpt of the key-work part (no heading): read whole, the year given by the caller."""

    def test_candidates(self, hanzhong_report):
        draft = split_report(hanzhong_report, year=2024)
        assert draft.whole_text
        assert len(draft.candidates) == 51
        assert [c.position for c in draft.candidates] == list(range(1, 52))

    def test_expected_candidates_with_their_figures(self, hanzhong_report):
        found = by_text(split_report(hanzhong_report, year=2024))
        toilets = found["新建和改建卫生厕所2.3万座以上"]
        assert target_tuples(toilets) == [("新建和改建卫生厕所", Decimal("2.3"), "万座", "at_least", 2024)]
        assert toilets.topic == "加快和美乡村建设"
        assert target_tuples(found["城镇新增就业3.5万人以上"]) == [
            ("城镇新增就业", Decimal("3.5"), "万人", "at_least", 2024)
        ]
        assert (
            found["新增护理型养老床位700张"].section == "（七）聚焦群众关切推进民生改善,在健全公共服务体系上实现新突破"
        )
        assert target_tuples(found["单位生产总值二氧化碳排放强度下降3.89%"])[0][1:4] == (
            Decimal("3.89"),
            "%",
            "reduce_by",
        )
        # A commitment without a figure, and list markers dropped.
        assert "启动“四好农村路”国家示范市创建" in found
        assert "实施20个燃气项目" in found


class TestAnkang2022:
    """A whole report: only the key-work part after "四、2022年重点工作任务" counts; its heading gives the year."""

    def test_candidates(self, ankang_report):
        draft = split_report(ankang_report)
        assert not draft.whole_text
        assert draft.year == 2022
        assert len(draft.candidates) == 46

    def test_expected_candidates_with_their_figures(self, ankang_report):
        found = by_text(split_report(ankang_report))
        assert target_tuples(found["新建高标准茶园2万亩"]) == [
            ("新建高标准茶园", Decimal("2"), "万亩", "at_least", 2022)
        ]
        assert target_tuples(found["新增高新技术企业15家"]) == [
            ("新增高新技术企业", Decimal("15"), "家", "at_least", 2022)
        ]
        assert [t.value for t in found["稳定粮食产量77万吨、蔬菜产量170万吨"].targets] == [
            Decimal("77"),
            Decimal("170"),
        ]
        assert found["新增高新技术企业15家"].section == "（二）实施创新驱动战略,激活发展内生动力"

    def test_the_review_of_past_years_gives_no_candidate(self, ankang_report):
        texts = " ".join(c.sentence for c in split_report(ankang_report).candidates)
        assert "生产总值突破1200亿元" not in texts
        assert "固定资产投资年均增长9%" not in texts


def test_lines_wrapped_by_the_page_are_joined_and_page_marks_dropped():
    text = (
        "四、2024年重点工作任务\n"
        "（一）狠抓项目建设,扩大有效投资 扎实开展“项目建设年”行动,全年实施市级重点项目300个,完成投资\n"
        "\n(下转四版)\n"
        "590亿元以上,新开工项目120个。\n"
        "五、全面加强政府自身建设\n"
        "全年开展政务公开培训10次。\n"
    )
    draft = split_report(text)
    assert [c.text for c in draft.candidates] == ["全年实施市级重点项目300个", "完成投资590亿元以上", "新开工项目120个"]
    assert draft.candidates[1].section == "（一）狠抓项目建设,扩大有效投资"
    assert draft.year == 2024


def test_nothing_to_draft():
    assert split_report("各位代表：\n现在，我代表市人民政府向大会报告工作。").candidates == []
