"""`check` lists the flags before signing, apart from the workbook's problems; and on the two
sample workbooks the flags are the ones the data gives (one_step checked by ranking again)."""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from test_flags import move_start

from processor.cli import main
from processor.cli_parser import margin_value
from processor.core.flags import NEAR_BOUNDARY, ONE_STEP, ROUNDING_SPLIT, ROUNDING_TIE, flags
from processor.core.flags_step import column_steps
from processor.core.model import GroupResult, Rules
from processor.core.scoring import evaluate
from processor.pipeline import inspect

from conftest import ROOT, SAMPLE, cli, full_row
from conftest import RULES_FILE as RULES

DX_SAMPLE = ROOT / "input_samples" / "chuyen-doi-so-2026.xlsx"
HEADING = "Cần xem trước khi ký ("
NEAR_2020 = {
    "Sở Giáo dục và Đào tạo": "85,05 điểm, trên ngưỡng mức Tốt (từ 85 điểm) 0,05 điểm.",
    "Sở Tư pháp": "85,02 điểm, trên ngưỡng mức Tốt (từ 85 điểm) 0,02 điểm.",
    "Thanh Tra tỉnh": "65,00 điểm, đúng bằng ngưỡng mức Tốt (từ 65 điểm).",
    "UBND huyện Bát Xát": "85,05 điểm, trên ngưỡng mức Tốt (từ 85 điểm) 0,05 điểm.",
}


def sample(path: Path, profile: str) -> tuple[Rules, tuple[GroupResult, ...]]:
    found = inspect(path, ROOT / "templates" / profile / "quy-tac.toml")
    assert found.evaluation is not None
    return found.rules, evaluate(found.rules, found.evaluation.agencies)


@pytest.fixture(scope="module")
def lao_cai() -> tuple[Rules, tuple[GroupResult, ...]]:
    return sample(SAMPLE, "lao-cai-2020")


@pytest.fixture(scope="module")
def chuyen_doi_so() -> tuple[Rules, tuple[GroupResult, ...]]:
    return sample(DX_SAMPLE, "chuyen-doi-so-2026")


def check_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["check", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


# -- the 2020 sample ---------------------------------------------------------------------------


def test_the_2020_sample_is_flagged_near_a_level_boundary_where_the_data_is(lao_cai):
    rules, groups = lao_cai
    found = flags(rules, groups)
    assert {f.name: f.detail for f in found if f.kind == NEAR_BOUNDARY} == NEAR_2020
    assert {f.group for f in found if f.name == "Thanh Tra tỉnh"} == {"II"}


def test_check_prints_the_flags_as_a_list_of_their_own(capsys):
    assert main(["check", str(SAMPLE)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Bảng tính xep-hang-cntt-2020.xlsx dùng được:")
    assert lines[1].startswith(HEADING)
    assert lines[1].endswith("kết quả sát ngưỡng hoặc dễ đổi hạng; không phải lỗi của bảng tính):")
    count = int(lines[1].removeprefix(HEADING).split()[0])
    assert count == len(lines) - 2
    for name, detail in NEAR_2020.items():
        group = "II" if name == "Thanh Tra tỉnh" else "III" if name.startswith("UBND") else "I"
        assert f"  Nhóm {group} – {name}: {detail}" in lines


def test_check_in_json_gives_the_flags_as_data(capsys):
    code, document = check_json(capsys, str(SAMPLE))
    assert code == 0
    records = document["flags"]
    assert isinstance(records, list) and records
    assert all(set(r) == {"group", "name", "kind", "detail"} for r in records)
    assert {r["name"]: r["detail"] for r in records if r["kind"] == NEAR_BOUNDARY} == NEAR_2020
    assert {r["kind"] for r in records} <= {NEAR_BOUNDARY, ROUNDING_TIE, ROUNDING_SPLIT, ONE_STEP}


def test_margin_on_the_command_line_overrides_the_profile(capsys, tmp_path):
    def near_names(*args: str) -> set[str]:
        _, document = check_json(capsys, str(SAMPLE), *args)
        return {r["name"] for r in document["flags"] if r["kind"] == NEAR_BOUNDARY}

    default = near_names()
    assert default == set(NEAR_2020)
    wider = near_names("--margin", "0,2")
    assert wider == near_names("--margin", "0.2")
    assert wider > default
    assert {"Sở Giao thông Vận tải - Xây dựng", "Sở Ngoại vụ"} <= wider  # 85,16 and 65,15
    assert near_names("--margin", "0,001") == {"Thanh Tra tỉnh"}  # exactly on its boundary
    # a profile's [report] margin is the default the command line overrides
    text = (ROOT / "templates" / "lao-cai-2020" / "quy-tac.toml").read_text(encoding="utf-8")
    rules = tmp_path / "quy-tac.toml"
    rules.write_text(text + "\n[report]\nmargin = 0.2\n", encoding="utf-8")
    assert near_names("--rules", str(rules)) == wider
    assert near_names("--rules", str(rules), "--margin", "0,01") == {"Thanh Tra tỉnh"}


def test_a_bad_margin_is_refused_in_vietnamese():
    done = cli("check", str(SAMPLE), "--margin", "nhiều")
    assert done.returncode == 2
    assert "lỗi: tham số --margin" in done.stderr
    assert done.stdout == ""


# -- workbooks of the tests' own ---------------------------------------------------------------


def test_no_flags_is_said_and_given_as_an_empty_list(make_workbook, rules, capsys):
    path = make_workbook([("Sở A", "I", 1, full_row(rules, "I"))])  # 90 points, alone
    code, document = check_json(capsys, str(path))
    assert code == 0 and document["flags"] == []
    assert main(["check", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Không có kết quả nào cần xem trước khi ký (sát ngưỡng xếp loại hoặc dễ đổi hạng)."
    )


def test_a_workbook_that_needs_fixing_has_no_flags(make_workbook, rules, capsys):
    scores = full_row(rules, "I")
    scores["TC2.1"] = 15  # above its maximum of 12
    path = make_workbook([("Sở A", "I", 1, scores)])
    code, document = check_json(capsys, str(path))
    assert code == 2 and "flags" not in document
    assert main(["check", str(path)]) == 2
    assert HEADING not in capsys.readouterr().out


def test_the_flags_come_after_the_workbooks_warnings(make_workbook, rules, capsys):
    codes = [c.code for c in rules.criteria]
    header = ["TT", "Tên đơn vị", "Nhóm", "Xếp hạng năm trước", *codes, "Ghi chú"]
    near_85 = {**full_row(rules, "I", 0.85), "TC1.1": 6.82}  # 85,02 in all
    path = make_workbook(
        [("Sở A", "I", 1, near_85), ("Sở B", "I", 2, full_row(rules, "I", 0.6))], header=header
    )
    assert main(["check", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    warning = next(i for i, line in enumerate(lines) if line.startswith("  Cảnh báo"))
    heading = next(i for i, line in enumerate(lines) if line.startswith(HEADING))
    assert warning < heading
    assert "  Nhóm I – Sở A: 85,02 điểm, trên ngưỡng mức Tốt (từ 85 điểm) 0,02 điểm." in lines


# -- the digital-transformation sample: bounds in percent, ranked by percent ----------------


def test_percent_bounds_are_flagged_in_percentage_points(chuyen_doi_so):
    rules, groups = chuyen_doi_so
    assert {f.name for f in flags(rules, groups) if f.kind == NEAR_BOUNDARY} == set()
    found = {
        f.name: f.detail for f in flags(rules, groups, Decimal("0.5")) if f.kind == NEAR_BOUNDARY
    }
    assert found == {
        "Xã Ngũ Chỉ Sơn": "75,37%, trên ngưỡng mức Dẫn dắt (trên 75%) 0,37 điểm phần trăm.",
        "Xã Mỏ Vàng": "50,24%, trên ngưỡng mức Nâng cao (trên 50%) 0,24 điểm phần trăm.",
        "Xã Bản Liền": "49,76%, dưới ngưỡng mức Nâng cao (trên 50%) 0,24 điểm phần trăm.",
        "Xã Xuân Quang": "25,46%, trên ngưỡng mức Hình thành (trên 25%) 0,46 điểm phần trăm.",
        "Xã Xuân Hòa": "24,71%, dưới ngưỡng mức Hình thành (trên 25%) 0,29 điểm phần trăm.",
    }


def test_percent_ties_and_splits_made_by_rounding(chuyen_doi_so):
    rules, groups = chuyen_doi_so
    found = flags(rules, groups)
    ties = {f.name: f.detail for f in found if f.kind == ROUNDING_TIE}
    assert set(ties) == {
        "Xã Púng Luông",
        "Xã Thác Bà",
        "Xã Nghĩa Tâm",
        "Xã Tân Hợp",
        "Xã Hợp Thành",
        "Xã Bảo Yên",
    }  # Xã Bảo Hà and Xã Văn Yên tie at full precision too: not flagged
    assert ties["Xã Púng Luông"] == (
        "Bằng tỷ lệ Xã Thác Bà khi làm tròn (62,41%) nhưng tỷ lệ đầy đủ khác (62,405% và 62,414%)."
    )
    splits = {f.name: f.detail for f in found if f.kind == ROUNDING_SPLIT}
    assert set(splits) == {"Xã Bảo Nhai", "Xã Bắc Hà"}


# -- one_step against ranking again ------------------------------------------------------------


def brute_force(rules: Rules, group: GroupResult, stride: int = 1) -> dict[str, tuple[str, bool]]:
    """Each agency's smallest one-step move that changes any rank of its group, found by
    changing the cell and ranking the group again (every `stride`-th agency)."""
    steps = column_steps(rules, (group,))
    agencies = [r.agency for r in (*group.results, *group.unranked)]
    before = {r.agency.name: r.rank for r in group.results}
    found: dict[str, tuple[str, bool]] = {}
    for result in group.results[::stride]:
        agency = result.agency
        changing = []
        for order, criterion in enumerate(rules.criteria):
            if criterion.code not in agency.scores or criterion.code not in steps:
                continue
            maximum = criterion.max_points[agency.group]
            low, high = (-maximum, 0) if criterion.deduction else (0, maximum)
            for up in (True, False):
                step = steps[criterion.code]
                new = agency.scores[criterion.code] + (step if up else -step)
                if not low <= new <= high:
                    continue
                moved = replace(agency, scores={**agency.scores, criterion.code: new})
                again = evaluate(rules, [moved if a is agency else a for a in agencies])
                (regrouped,) = [g for g in again if g.group.code == group.group.code]
                if {r.agency.name: r.rank for r in regrouped.results} != before:
                    changing.append((criterion.weight * step, order, not up))
        if changing:
            _, order, down = min(changing)
            found[agency.name] = (rules.criteria[order].code, not down)
    return found


@pytest.mark.parametrize(("which", "stride"), [("lao_cai", 1), ("chuyen_doi_so", 4)])
def test_one_step_agrees_with_ranking_again_on_the_samples(which, stride, request):
    rules, groups = request.getfixturevalue(which)
    # the steps are the columns' over the whole workbook, so the brute force uses those too
    steps = column_steps(rules, groups)
    rules = replace(
        rules, criteria=tuple(replace(c, step=steps.get(c.code)) for c in rules.criteria)
    )
    found = flags(rules, groups)
    for group in groups:
        named = {
            f.name: f.detail for f in found if f.kind == ONE_STEP and f.group == group.group.code
        }
        sampled = {r.agency.name for r in group.results[::stride]}
        expected = brute_force(rules, group, stride)
        assert set(named) & sampled == set(expected), group.group.code
        for name, (code, up) in expected.items():
            assert named[name].startswith(move_start(rules, code, up))


# -- what the new user saw: the groups' printed names, the margin, the declared step ----------


def test_check_and_report_name_a_group_as_the_documents_do(capsys, tmp_path):
    """The digital-transformation profile codes its groups SBN-TTHC, SBN-DT and XP and prints
    them I, II and III: the flags say "Nhóm III", JSON keeps the code."""
    args = [str(DX_SAMPLE), "--profile", "chuyen-doi-so-2026"]
    assert main(["check", *args]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  Nhóm ")]
    labels = ("  Nhóm I –", "  Nhóm II –", "  Nhóm III –")
    assert lines and all(line.startswith(labels) for line in lines)
    assert any(line.startswith("  Nhóm III – Xã ") for line in lines)
    code, document = check_json(capsys, *args)
    assert code == 0
    assert {flag["group"] for flag in document["flags"]} <= {"SBN-TTHC", "SBN-DT", "XP"}
    assert "XP" in {flag["group"] for flag in document["flags"]}
    done = cli("report", *args, "--out", str(tmp_path / "kq"), "--no-pdf")
    assert done.returncode == 0, done.stderr
    printed = [line for line in done.stdout.splitlines() if line.startswith("  Nhóm ")]
    assert printed == lines


def test_flag_scores_print_at_the_rules_precision(lao_cai, chuyen_doi_so):
    """The cells a one-step flag moves print as the tables do (7,20, not 7,2); the step itself
    stays as the rules write it (0,5)."""
    moves = re.compile(r"\(từ (\S+) (?:lên|xuống) ([^;)]+)")
    for rules, groups in (lao_cai, chuyen_doi_so):
        moved = [f.detail for f in flags(rules, groups) if f.kind == ONE_STEP]
        cells = [value for detail in moved for pair in moves.findall(detail) for value in pair]
        assert cells and all(re.fullmatch(r"-?[\d.]+,\d\d", value) for value in cells), cells
    rules, groups = chuyen_doi_so
    named = {f.name: f.detail for f in flags(rules, groups) if f.kind == ONE_STEP}
    assert named["Xã Mậu A"].startswith(
        "Nếu điểm CS1.1 tăng một bước 0,01 (từ 28,89 lên 28,90), đơn vị lên đồng hạng"
    )
    rules, groups = lao_cai
    named = {f.name: f.detail for f in flags(rules, groups) if f.kind == ONE_STEP}
    assert named["Sở Tư pháp"] == (
        "Nếu bớt 0,5 điểm trừ ở TD (từ -0,50 lên 0,00), đơn vị lên hạng 10 (đang hạng 12)."
    )
    assert named["Sở Giáo dục và Đào tạo"] == (
        "Nếu bị trừ thêm 0,5 điểm ở TD (từ 0,00 xuống -0,50), đơn vị xuống hạng 12 "
        "(đang hạng 11) và xuống mức Khá."
    )


@pytest.mark.parametrize("margin", ["0", "0,0", "-0,1"])
def test_a_margin_of_zero_or_less_is_refused_as_the_rules_file_refuses_it(margin):
    done = cli("check", str(SAMPLE), f"--margin={margin}")
    assert done.returncode == 2
    assert f"lỗi: tham số --margin: «{margin}»: khoảng sát ngưỡng phải lớn hơn 0" in done.stderr
    assert "'" not in done.stderr.split("--margin", 1)[1]
    assert done.stdout == ""


def test_a_bad_margin_is_quoted_the_vietnamese_way():
    with pytest.raises(argparse.ArgumentTypeError, match=r"^«nhiều» không phải là một số"):
        margin_value("nhiều")
    assert margin_value("0,05") == Decimal("0.05")


def stepped_rules(tmp_path: Path, step: str) -> Path:
    """The bundled Lào Cai rules with `step` declared for TC1.1 (maxima 8, 8 and 6)."""
    text = RULES.read_text(encoding="utf-8")
    marker = 'code = "TC1.1"\n'
    head, tail = text.split(marker, 1)
    name, maxima, rest = tail.split("\n", 2)
    path = tmp_path / "quy-tac.toml"
    path.write_text(f"{head}{marker}{name}\n{maxima}\nstep = {step}\n{rest}", encoding="utf-8")
    return path


def test_a_score_off_its_criterions_declared_step_is_a_warning_at_its_cell(
    make_workbook, rules, tmp_path, capsys
):
    rules_file = stepped_rules(tmp_path, "0.25")
    path = make_workbook(
        [
            ("Sở A", "I", 1, {**full_row(rules, "I"), "TC1.1": 6.35}),  # off the step
            ("Sở B", "I", 2, {**full_row(rules, "I"), "TC1.1": 6.25}),  # on it
            ("Sở C", "II", 1, {**full_row(rules, "II"), "TC1.1": "KĐG"}),  # not scored
            ("Sở D", "III", 1, {**full_row(rules, "III"), "TC1.1": 6}),  # its maximum
        ]
    )
    code, document = check_json(capsys, str(path), "--rules", str(rules_file))
    assert code == 0 and document["ok"] is True
    problems = [p for p in document["problems"] if "bước" in p["message"]]
    assert problems == [
        {
            "severity": "warning",
            "place": "Điểm!E2",
            "agency": "Sở A",
            "sheet": "Điểm",
            "cell": "E2",
            "message": "Điểm 6,35 của tiêu chí TC1.1 không theo bước 0,25 của tiêu chí "
            "(quy-tac.toml: step).",
        }
    ]
    assert main(["check", str(path), "--rules", str(rules_file)]) == 0
    out = capsys.readouterr().out
    assert "Điểm!E2" in out and "Sở A" in out and "không theo bước 0,25" in out
    # without a declared step nothing is said: the flags infer a step from the column
    code, document = check_json(capsys, str(path))
    assert code == 0
    assert not [p for p in document["problems"] if "bước" in p["message"]]


def test_a_declared_step_the_maxima_are_not_multiples_of_is_refused(make_workbook, rules, tmp_path):
    rules_file = stepped_rules(tmp_path, "0.3")
    path = make_workbook([("Sở A", "I", 1, full_row(rules, "I"))])
    done = cli("check", str(path), "--rules", str(rules_file))
    assert done.returncode == 2
    assert "criteria[1].step" in done.stdout + done.stderr
    assert "tiêu chí TC1.1 không chia hết cho bước điểm 0,3" in done.stdout + done.stderr
