"""The rules file: the default one reproduces the reference, and mistakes are named by key."""

import copy
import re
import tomllib
from decimal import Decimal

import pytest

from processor.config.rules_file import load_rules
from processor.core.model import TiePolicy
from processor.core.problems import InputError
from processor.core.rule_fields import FieldReader
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
    assert "sai cú pháp TOML ở dòng 1, cột 10" in caught.value.summary
    problem = caught.value.problems[0]
    assert problem.place == "quy-tac.toml, dòng 1, cột 10"
    vietnamese, detail = problem.message.split("\n")
    assert "thiếu dấu ]" in vietnamese and "Expected" not in vietnamese
    assert detail.strip().startswith("Chi tiết kỹ thuật: Expected ']'")
    with pytest.raises(InputError) as caught:
        load_rules(tmp_path / "khong-co.toml")
    assert "không tồn tại" in caught.value.problems[0].message


# -- keys ---------------------------------------------------------------------------------


def chuyen_doi_so():
    return tomllib.loads(
        (ROOT / "templates" / "chuyen-doi-so-2026" / "quy-tac.toml").read_text(encoding="utf-8")
    )


def test_a_misspelt_threshold_is_one_problem_naming_the_key_and_its_near_miss():
    data = chuyen_doi_so()
    data["grades"][1]["above_percen"] = data["grades"][1].pop("above_percent")
    assert problems_of(data) == [
        (
            "quy-tac.toml: grades[2].above_percen",
            "Khóa «above_percen» không có trong [[grades]]; có phải «above_percent»? Các khóa "
            "dùng được: name, from_points, above_percent, text.",
        )
    ]


def test_an_unknown_key_with_no_near_miss_lists_the_keys_and_still_finds_the_rest():
    data = chuyen_doi_so()
    data["grades"][1]["nguong"] = data["grades"][1].pop("above_percent")
    problems = problems_of(data)
    assert problems[0] == (
        "quy-tac.toml: grades[2].nguong",
        "Khóa «nguong» không có trong [[grades]]. Các khóa dùng được: name, from_points, "
        "above_percent, text.",
    )
    # the band has no threshold now; its sentence, and the next band's, are not blamed for it
    assert [place for place, _ in problems[1:]] == ["quy-tac.toml: grades[2]"]


@pytest.mark.parametrize(
    ("mutate", "place", "guess"),
    [
        (lambda d: d.update(schema_verison=d.pop("schema_version")), "schema_verison", None),
        (lambda d: d.update(wordings=d.pop("wording")), "wordings", "[wording]"),
        (lambda d: d.update(criterion=d.pop("criteria")), "criterion", "[[criteria]]"),
        (
            lambda d: d["document"].update(Province=d["document"].pop("province")),
            "document.Province",
            "province",
        ),
        (
            lambda d: d["wording"].update(article1=d["wording"].pop("article_1")),
            "wording.article1",
            "article_1",
        ),
        (lambda d: d["signature"].update(abve=[]), "signature.abve", "above"),
        (lambda d: d["email"].update(subjet=d["email"].pop("subject")), "email.subjet", "subject"),
        (lambda d: d["scoring"].update(tie="1224"), "scoring.tie", "ties"),
        (lambda d: d["profile"].update(desc="x"), "profile.desc", "description"),
        (
            lambda d: d["groups"][0].update(titel=d["groups"][0].pop("title")),
            "groups[1].titel",
            "title",
        ),
        (lambda d: d["criteria"][2].update(weigth=1), "criteria[3].weigth", "weight"),
        (
            lambda d: d["grades"][0].update(from_point=d["grades"][0].pop("from_points")),
            "grades[1].from_point",
            "from_points",
        ),
    ],
)
def test_every_section_names_an_unknown_key_with_the_keys_allowed(mutate, place, guess):
    data = copy.deepcopy(raw())
    mutate(data)
    problems = problems_of(data)
    found = [message for p, message in problems if p == f"quy-tac.toml: {place}"]
    assert found, problems
    assert "Các khóa dùng được: " in found[0]
    if guess is None:
        assert "schema_version" in found[0]
    else:
        assert f"có phải «{guess}»?" in found[0]
    assert len(problems) == 1, problems  # the value is read as the key it was meant to be


def test_pillars_and_info_fields_name_their_unknown_keys():
    data = chuyen_doi_so()
    data["pillars"][0]["nam"] = data["pillars"][0].pop("name")
    data["info_fields"][0]["blnk"] = "x"
    assert {place for place, _ in problems_of(data)} == {
        "quy-tac.toml: pillars[1].nam",
        "quy-tac.toml: info_fields[1].blnk",
    }


def test_a_key_written_under_the_wrong_heading_says_where_it_belongs():
    data = raw()
    data["criteria"][-1]["precision"] = 3  # typed after the last [[criteria]], not [scoring]
    ((place, message),) = problems_of(data)
    assert place == "quy-tac.toml: criteria[13].precision"
    assert "thuộc [scoring]" in message and "chuyển dòng này" in message


def test_a_misspelt_group_scale_is_not_also_a_sum_and_a_range_problem():
    data = raw()
    data["groups"][1]["max_points"] = "bảy mươi"
    assert [place for place, _ in problems_of(data)] == ["quy-tac.toml: groups[2].max_points"]
    data["groups"][1].pop("max_points")
    assert problems_of(data) == [
        ("quy-tac.toml: groups[2].max_points", "Thiếu giá trị (phải là một số).")
    ]


def test_the_deployment_config_suggests_the_key_it_meant_too():
    from processor.config.settings import parse_settings

    text = '[folders]\nroot = "nhan"\noutput = "ra"\n[smtp]\nhots = "mail"\nsender = "a@b.vn"\n'
    text += '[email]\nto = ["c@d.vn"]\n[shedule]\nday = 5\n'
    with pytest.raises(InputError) as caught:
        parse_settings(tomllib.loads(text), ROOT, "cau-hinh.toml")
    found = {p.place: p.message for p in caught.value.problems}
    assert "có phải «host»?" in found["cau-hinh.toml: smtp.hots"]
    assert "cau-hinh.toml: smtp.host" not in found  # read as host: not also "missing"
    assert "Có phải [schedule]?" in found["cau-hinh.toml: shedule"]


# -- numbers and bound words in the wording -------------------------------------------------


def test_numbers_in_the_wording_are_read_the_vietnamese_way():
    data = raw()
    data["groups"][0]["max_points"] = 1000
    data["groups"][0]["scale_text"] = "Thang điểm tối đa: 1.000 điểm;"
    data["criteria"][0]["max"]["I"] = 908
    assert parse_rules(data).groups[0].max_points == 1000
    data = raw()
    data["grades"][0]["from_points"].update(I=85.5, III=85.5)
    data["grades"][0]["text"] = data["grades"][0]["text"].replace("85 điểm", "85,5 điểm")
    data["grades"][1]["text"] = data["grades"][1]["text"].replace("85 điểm", "85,5 điểm")
    assert parse_rules(data).grades[0].bounds["I"].points == Decimal("85.5")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.000", 1000),
        ("62,5", Decimal("62.5")),
        ("1.234,5", Decimal("1234.5")),
        ("0.5", Decimal("0.5")),
        ("0.125", Decimal("0.125")),
        ("85", 85),
    ],
)
def test_a_number_typed_as_text_is_read_the_vietnamese_way(text, value):
    reader = FieldReader("quy-tac.toml")
    assert reader.number(text, "groups[1].max_points") == value
    assert reader.problems == []


@pytest.mark.parametrize(
    ("grade", "old", "new", "words"),
    [
        (0, "đạt từ 85 điểm trở lên", "đạt trên 85 điểm", "«trên 85 điểm»"),
        (0, "và 65 điểm trở lên", "và hơn 65 điểm", "«hơn 65 điểm»"),
        (1, "đến dưới 85 điểm", "đến 85 điểm", "«đến 85 điểm»"),
        (3, "dưới 50 điểm", "từ 50 điểm trở xuống", "«từ 50 điểm trở xuống»"),
        (2, "từ 50 điểm đến dưới 70", "trên 50 điểm đến dưới 70", "«trên 50 điểm»"),
    ],
)
def test_from_points_bands_are_said_inclusive_and_the_band_below_exclusive(grade, old, new, words):
    data = raw()
    assert old in data["grades"][grade]["text"]
    data["grades"][grade]["text"] = data["grades"][grade]["text"].replace(old, new, 1)
    ((place, message),) = problems_of(data)
    assert place == f"quy-tac.toml: grades[{grade + 1}].text"
    assert words in message and "tính cả ngưỡng" in message


@pytest.mark.parametrize(
    ("grade", "old", "new", "words"),
    [
        (0, "trên 75%", "từ 75%", "«từ 75%»"),
        (1, "trên 50% đến 75%", "từ 50% trở lên đến 75%", "«từ 50% trở lên»"),
        (1, "trên 50% đến 75%", "không dưới 50% đến 75%", "«không dưới 50%»"),
        (1, "trên 50% đến 75%", "trên 50% đến dưới 75%", "«dưới 75%»"),
        (3, "từ 25% điểm tối đa của cơ quan, đơn vị trở xuống", "dưới 25%", "«dưới 25%»"),
    ],
)
def test_above_percent_bands_are_said_exclusive_and_the_band_below_inclusive(
    grade, old, new, words
):
    data = chuyen_doi_so()
    assert old in data["grades"][grade]["text"]
    data["grades"][grade]["text"] = data["grades"][grade]["text"].replace(old, new, 1)
    ((place, message),) = problems_of(data)
    assert place == f"quy-tac.toml: grades[{grade + 1}].text"
    assert words in message and "không tính ngưỡng" in message


@pytest.mark.parametrize(
    "text",
    [
        "Mức nâng cao: trên 50% đến 75% tổng điểm tối đa;",
        "Mức nâng cao: lớn hơn 50% và không quá 75% điểm tối đa;",
        "Mức nâng cao: > 50% và <= 75%;",
        "Mức nâng cao: từ trên 50% đến 75%;",
        "Mức nâng cao: 50% – 75%;",  # no bound words: only the numbers are checked
        "Mức nâng cao: trên 50% đến 75% tổng điểm tối đa (75% trở xuống).",
    ],
)
def test_sentences_that_say_the_bounds_rightly_are_accepted(text):
    data = chuyen_doi_so()
    data["grades"][1]["text"] = text
    parse_rules(data)


def test_the_bound_words_of_the_shipped_sentences_are_read_as_meant():
    from processor.core.bound_words import Side, stated_numbers

    sides = [
        (s.words, s.side)
        for grade in raw()["grades"] + chuyen_doi_so()["grades"]
        for s in stated_numbers(grade["text"])
    ]
    assert sides == [
        ("từ 85 điểm trở lên", Side.FROM),
        ("65 điểm trở lên", Side.FROM),
        ("từ 70 điểm", Side.FROM),
        ("dưới 85 điểm", Side.BELOW),
        ("từ 60 điểm", Side.FROM),
        ("dưới 65 điểm", Side.BELOW),
        ("từ 50 điểm", Side.FROM),
        ("dưới 70 điểm", Side.BELOW),
        ("từ 50 điểm", Side.FROM),
        ("dưới 60 điểm", Side.BELOW),
        ("dưới 50 điểm", Side.BELOW),
        ("trên 75%", Side.ABOVE),
        ("trên 50%", Side.ABOVE),
        ("đến 75%", Side.UP_TO),
        ("trên 25%", Side.ABOVE),
        ("đến 50%", Side.UP_TO),
        ("từ 25% … trở xuống", Side.UP_TO),
    ]
