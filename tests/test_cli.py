"""The real CLI in a subprocess: exit statuses, Vietnamese messages, nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest

from processor.cli_parser import build_parser

from conftest import ROOT, SAMPLE, cli, full_row

DECISION = "quyet-dinh-xep-hang-cntt-2020.docx"
RESULTS = "quyet-dinh-xep-hang-cntt-2020-ket-qua.xlsx"


def test_run_prints_the_path_and_a_summary_per_group(tmp_path):
    done = cli("run", str(SAMPLE), "--out", str(tmp_path / "kq"), "--no-pdf")
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[1] == f"Bảng kết quả (Excel): {tmp_path / 'kq' / RESULTS}"
    assert out[2] == "Năm đánh giá 2020, 32 đơn vị:"
    assert out[3].startswith("  Nhóm I – Các cơ quan, đơn vị có TTHC: 16 đơn vị (Tốt 12, Khá 4)")
    assert "(Tốt 3, Trung bình 3, Yếu 1)" in out[4]
    assert "UBND huyện Bảo Yên, 89,34 điểm" in out[5]
    assert done.stderr == ""
    assert sorted(p.name for p in (tmp_path / "kq").iterdir()) == [RESULTS, DECISION]


def test_the_default_output_folder_is_output_in_the_current_folder(tmp_path):
    done = cli("run", str(SAMPLE), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "output" / "quyet-dinh-xep-hang-cntt-2020.docx").is_file()


def readme_block(after: str) -> str:
    """The first ```text block after a sentence of the README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rest = readme[readme.index(after) :]
    return rest.split("```text\n", 1)[1].split("```", 1)[0]


def test_the_readme_shows_what_command_1_prints(tmp_path):
    done = cli("run", str(SAMPLE), cwd=tmp_path)
    shown = readme_block("Lệnh 1 in ra")
    if not (tmp_path / "output" / "quyet-dinh-xep-hang-cntt-2020.pdf").is_file():
        # without LibreOffice there is no PDF line, and the reason is on stderr instead
        shown = "".join(line for line in shown.splitlines(True) if "PDF" not in line)
        assert "LibreOffice" in done.stderr
    assert done.stdout == shown


def test_a_bad_workbook_exits_2_names_every_cell_and_writes_nothing(make_workbook, rules, tmp_path):
    scores = full_row(rules, "I")
    scores["TC2.1"] = 15
    path = make_workbook([("Sở A", "I", 1, scores), ("Sở B", "IV", 2, full_row(rules, "I"))])
    before = path.read_bytes()
    out = tmp_path / "kq"
    done = cli("run", str(path), "--out", str(out))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == readme_block("Lỗi được in ra theo dạng")  # exactly as documented
    assert (
        "Lỗi Điểm!G2 (Sở A): Điểm tiêu chí TC2.1 là 15, vượt điểm tối đa 12 của nhóm I."
        in done.stderr
    )
    assert "Traceback" not in done.stderr
    assert not out.exists()
    assert path.read_bytes() == before  # the input is never modified


def test_a_failed_run_leaves_the_previous_decision_untouched(make_workbook, rules, tmp_path):
    out = tmp_path / "kq"
    assert cli("run", str(SAMPLE), "--out", str(out), "--no-pdf").returncode == 0
    decision = out / DECISION
    previous = decision.read_bytes(), (out / RESULTS).read_bytes()
    bad = make_workbook([("Sở A", "I", 1, {})])
    assert cli("run", str(bad), "--out", str(out)).returncode == 2
    assert (decision.read_bytes(), (out / RESULTS).read_bytes()) == previous
    assert sorted(p.name for p in out.iterdir()) == [RESULTS, DECISION]  # no temporaries left


def test_names_with_markup_characters_come_out_exactly_as_typed(make_workbook, rules, tmp_path):
    name = 'Ban "Đặc biệt" & <Thử nghiệm> \u0110a\u0300'  # with a combining grave accent
    path = make_workbook([(name, "II", None, full_row(rules, "II"))])
    done = cli("run", str(path), "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    decision = tmp_path / "quyet-dinh-xep-hang-cntt-2020.docx"
    results = docx.Document(str(decision)).tables[-1]  # reopens: the XML is well-formed
    names = [row.cells[1].text for row in results.rows]
    assert names[-1] == name  # not escaped twice, not normalised: exactly as typed
    assert results.rows[-1].cells[2].text == ""  # new this year: no prior rank


def test_names_that_look_like_formulas_stay_text(tmp_path, rules):
    from bad_workbooks import base_book

    book = base_book(rules)
    names = ['=HYPERLINK("http://x";"Sở")', "+84 Sở", "-Sở Nội vụ", "@Ban Dân tộc"]
    for row, name in enumerate(names, start=2):
        cell = book["Điểm"].cell(row, 2)
        cell.value = name
        cell.data_type = "s"  # typed text, as Excel stores '=… with a leading apostrophe
    path = tmp_path / "cong-thuc-trong-ten.xlsx"
    book.save(path)
    done = cli("run", str(path), "--out", str(tmp_path / "kq"))
    assert done.returncode == 0, done.stderr
    decision = docx.Document(str(tmp_path / "kq" / "quyet-dinh-xep-hang-cntt-2020.docx"))
    printed = {row.cells[1].text for row in decision.tables[-1].rows}
    assert set(names) <= printed


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("run", "khong-co.xlsx"), "Tệp không tồn tại"),
        (("run", str(SAMPLE), "--rules", "khong-co.toml"), "Không tìm thấy tệp quy tắc"),
        (("run", str(SAMPLE), "--template", "khong-co.docx"), "Không tìm thấy mẫu Word"),
        (("run",), "thiếu tham số bắt buộc: BẢNG_ĐIỂM"),
        (("chay",), "lựa chọn không hợp lệ"),
        (("run", str(SAMPLE), "--bogus"), "tham số không hiểu được: --bogus"),
    ],
)
def test_user_mistakes_exit_2_in_vietnamese(args, words, tmp_path):
    done = (
        cli(*args, "--out", str(tmp_path / "kq"))
        if args[:1] == ("run",) and len(args) > 1
        else cli(*args)
    )
    assert done.returncode == 2
    assert words in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "kq").exists()


def test_a_bad_rules_file_is_named_by_key(tmp_path):
    text = (ROOT / "templates" / "lao-cai-2020" / "quy-tac.toml").read_text(encoding="utf-8")
    rules = tmp_path / "quy-tac.toml"
    rules.write_text(text.replace('ties = "1224"', 'ties = "hai"'), encoding="utf-8")
    done = cli("run", str(SAMPLE), "--rules", str(rules), "--out", str(tmp_path / "kq"))
    assert done.returncode == 2
    assert "Lỗi quy-tac.toml: scoring.ties:" in done.stderr


def test_a_template_with_an_unknown_variable_is_refused(tmp_path):
    template = tmp_path / "mau.docx"
    document = docx.Document()
    document.add_paragraph("Năm {{ nam }}, {{ bien_khong_co }}")
    document.save(str(template))
    done = cli("run", str(SAMPLE), "--template", str(template), "--out", str(tmp_path / "kq"))
    assert done.returncode == 2
    assert "bien_khong_co" in done.stderr
    assert not (tmp_path / "kq").exists()


def test_a_damaged_template_is_refused(tmp_path):
    template = tmp_path / "mau.docx"
    template.write_bytes(b"PK\x03\x04 not really a docx")
    done = cli("run", str(SAMPLE), "--template", str(template), "--out", str(tmp_path / "kq"))
    assert done.returncode == 2
    assert "không phải tài liệu Word .docx hợp lệ" in done.stderr


def test_help_and_version():
    done = cli("--help")
    assert done.returncode == 0
    assert "Cách dùng:" in done.stdout and "run" in done.stdout
    assert cli("--version").stdout.startswith("python -m processor 0.")


def test_the_readme_documents_every_command_and_option():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, command in commands.items():
        assert f"### `{name}`" in readme
        for action in command._actions:
            for option in action.option_strings:
                if option not in {"-h", "--help"}:
                    assert f"`{option}" in readme, option
            if not action.option_strings:
                assert f"`{action.metavar}`" in readme


def test_the_readme_first_two_commands_are_the_sample_run_and_the_test_suite():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0].strip() for b in readme.split("```sh\n")[1:3]]
    assert blocks[0] == (
        "python -m pip install -e . && python -m processor run "
        "input_samples/xep-hang-cntt-2020.xlsx"
    )
    assert blocks[1] == 'python -m pip install -e ".[test]" && python -m pytest'
    assert blocks[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_same_workbook_gives_the_same_bytes(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert cli("run", str(SAMPLE), "--out", str(first)).returncode == 0
    assert cli("run", str(SAMPLE), "--out", str(second)).returncode == 0
    name = "quyet-dinh-xep-hang-cntt-2020.docx"
    assert (first / name).read_bytes() == (second / name).read_bytes()


def test_check_prints_what_the_readme_shows_and_writes_nothing(tmp_path):
    done = cli("check", str(SAMPLE), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == readme_block("Ví dụ với bảng điểm mẫu")
    assert list(tmp_path.iterdir()) == []


def test_check_and_run_speak_json_for_programs(make_workbook, rules, tmp_path):
    scores = full_row(rules, "I")
    scores["TC2.1"] = 15
    bad = make_workbook([("Sở A", "I", 1, scores)])
    done = cli("check", str(bad), "--format", "json")
    assert done.returncode == 2
    found = json.loads(done.stdout)
    assert found["ok"] is False and found["errors"] == 1
    assert found["summary"] == "Bảng tính bang-diem.xlsx cần sửa: 1 lỗi."
    assert found["problems"][0] == {
        "severity": "error",
        "place": "Điểm!G2",
        "sheet": "Điểm",
        "cell": "G2",
        "agency": "Sở A",
        "message": "Điểm tiêu chí TC2.1 là 15, vượt điểm tối đa 12 của nhóm I.",
    }
    done = cli(
        "run", str(SAMPLE), "--out", str(tmp_path), "--format", "json", "--timings", "--no-pdf"
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] is True and result["agency_count"] == 32
    assert len(result["agencies"]) == 32 and result["profile"] == "lao-cai-2020"
    assert result["agencies"][0] == {
        "group": "I",
        "name": "Sở Thông tin và Truyền thông",
        "ranked": True,
        "rank": 1,
        "total": "96.34",
        "max_points": "100",
        "percent": "96.34",
        "grade": "Tốt",
        "prior_rank": 3,
        "rank_change": 2,
        "pillars": {},
        "unranked_reason": None,
    }
    assert Path(result["output"]).is_file()
    assert list(result["timings"]) == ["read", "check", "compute", "render", "write"]
    assert Path(result["results"]).name == RESULTS
    assert result["pdf"] is None and result["notes"] == [] and result["history"] is None
    assert [g["agencies"] for g in result["groups"]] == [16, 7, 9]


def test_an_unreadable_workbook_is_answered_in_json_too(tmp_path):
    empty = tmp_path / "rong.xlsx"
    empty.write_bytes(b"")
    done = cli("check", str(empty), "--format", "json")
    assert done.returncode == 2
    found = json.loads(done.stdout)
    assert found["ok"] is False and found["summary"] and found["problems"]
