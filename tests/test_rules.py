"""The rules file: the default one reproduces the reference, and mistakes are named by key."""

import copy
import re
import tomllib
from decimal import Decimal

import pytest

from processor.config.rules_file import load_rules
from processor.core.model import TiePolicy
from processor.core.problems import InputError
from processor.core.rules import parse_rules

from conftest import ROOT, RULES_FILE

REFERENCE = (ROOT / "tests" / "data" / "quyet-dinh-2020-lao-cai.txt").read_text(encoding="utf-8")


def raw():
    return tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))


def problems_of(data):
    with pytest.raises(InputError) as caught:
        parse_rules(data, "quy-tac.toml")
    return [(p.place, p.message) for p in caught.value.problems]


def test_default_rules_reproduce_the_reference_scales_and_bands(rules):
    assert [(g.code, g.max_points) for g in rules.groups] == [
        ("I", 100),
        ("II", 70),
        ("III", 100),
    ]
    assert [g.name for g in rules.grades] == ["Tốt", "Khá", "Trung bình", "Yếu"]
    bounds = {g.name: {k: b.points for k, b in g.bounds.items()} for g in rules.grades[:-1]}
    assert bounds == {
        "Tốt": {"I": 85, "II": 65, "III": 85},
        "Khá": {"I": 70, "II": 60, "III": 70},
        "Trung bình": {"I": 50, "II": 50, "III": 50},
    }
    assert all(b.inclusive for g in rules.grades[:-1] for b in g.bounds.values())
    assert rules.grades[-1].bounds is None
    assert rules.ties is TiePolicy.COMPETITION
    assert rules.precision == 2


def test_band_and_scale_wording_is_the_reference_text(rules):
    lines = [line.strip() for line in REFERENCE.splitlines()]
    for sentence in [g.text for g in rules.grades] + [
        g.scale_text for g in rules.groups if g.scale_text
    ]:
        assert f"- {sentence}" in lines


def test_numbers_in_the_wording_are_the_thresholds(rules):
    """Read the numbers back out of each sentence and compare them with the bands beside it."""
    above: set[Decimal] = set()
    for grade in rules.grades:
        own = set() if grade.bounds is None else {b.points for b in grade.bounds.values()}
        stated = {
            Decimal(n.replace(",", ".")) for n in re.findall(r"(\d+(?:,\d+)?) điểm", grade.text)
        }
        assert stated == own | above, grade.name
        above = own
    for group in rules.groups:
        if group.scale_text:
            assert re.findall(r"(\d+) điểm", group.scale_text) == [str(group.max_points)]


def test_criteria_add_up_to_each_group_scale(rules):
    for group in rules.groups:
        total = sum(
            c.max_points[group.code]
            for c in rules.criteria
            if c.applies_to(group.code) and not c.deduction
        )
        assert total == group.max_points
    online = [c for c in rules.criteria if c.code.startswith("TC3")]
    assert online and all(not c.applies_to("II") for c in online)  # why group II tops out at 70


def test_a_threshold_changed_without_its_wording_is_refused():
    data = raw()
    data["grades"][0]["from_points"]["I"] = 86
    problems = problems_of(data)
    assert any(
        place == "quy-tac.toml: grades[1].text" and "86 điểm" in msg for place, msg in problems
    )
    # the band below states "dưới 85 điểm" too
    assert any(place == "quy-tac.toml: grades[2].text" for place, _ in problems)


def test_a_scale_changed_without_its_wording_is_refused():
    data = raw()
    data["groups"][1]["max_points"] = 75
    places = [place for place, _ in problems_of(data)]
    assert "quy-tac.toml: groups[2].scale_text" in places
    assert "quy-tac.toml: groups[2].max_points" in places  # criteria add up to 70


@pytest.mark.parametrize(
    ("mutate", "place", "words"),
    [
        (lambda d: d["scoring"].update(ties="1234"), "scoring.ties", "1224"),
        (lambda d: d["scoring"].update(precision=-1), "scoring.precision", "0 đến 6"),
        (lambda d: d["grades"][3].update(from_points=10), "grades[4].from_points", "Mức cuối"),
        (lambda d: d["grades"][1].pop("from_points"), "grades[2]", "from_points"),
        (lambda d: d["grades"][1]["from_points"].update(II=65), "grades[2]", "thấp hơn"),
        (lambda d: d["grades"][0]["from_points"].pop("III"), "grades[1].from_points.III", "Thiếu"),
        (lambda d: d["criteria"][0]["max"].update(IV=5), "criteria[1].max.IV", "IV"),
        (lambda d: d["criteria"][1].update(code="TC1.1"), "criteria[2].code", "trùng"),
        (lambda d: d["groups"][2].update(code="I"), "groups[3].code", "trùng"),
        (lambda d: d["groups"][2].update(code=" i "), "groups[3].code", "trùng"),
        (lambda d: d["criteria"][1].update(code="tc1.1"), "criteria[2].code", "trùng"),
        (lambda d: d["document"].pop("province"), "document.province", "Thiếu"),
        (lambda d: d["document"].update(issuer="UBND"), "document.issuer", "danh sách"),
        (
            lambda d: d["document"].update(output_file="../qd-{nam}.docx"),
            "document.output_file",
            "thư mục",
        ),
        (
            lambda d: d["document"].update(output_file="qd-{year}.docx"),
            "document.output_file",
            "{nam}",
        ),
        (lambda d: d["criteria"][0]["max"].update(I=0), "criteria[1].max.I", "lớn hơn 0"),
        (lambda d: d["criteria"][0].update(code=" tt "), "criteria[1].code", "cột cố định"),
        (lambda d: d["criteria"][0].update(code="Tổng điểm"), "criteria[1].code", "cột cố định"),
        (lambda d: d.update(schema_version=9), "schema_version", "phiên bản"),
    ],
)
def test_rule_mistakes_are_named_by_key(mutate, place, words):
    data = copy.deepcopy(raw())
    mutate(data)
    problems = problems_of(data)
    assert any(p == f"quy-tac.toml: {place}" and words in m for p, m in problems), problems


def test_dense_ties_by_option():
    data = raw()
    data["scoring"]["ties"] = "1223"
    assert parse_rules(data).ties is TiePolicy.DENSE


def test_unreadable_files_are_reported_in_vietnamese(tmp_path):
    broken = tmp_path / "quy-tac.toml"
    broken.write_text("[document\nprovince = 1", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_rules(broken)
    assert "TOML" in caught.value.problems[0].message
    with pytest.raises(InputError) as caught:
        load_rules(tmp_path / "khong-co.toml")
    assert "không tồn tại" in caught.value.problems[0].message
