"""Damaged rules files, made by script from the shipped ones: each is refused in Vietnamese.

Each damage is a string edit of a bundled quy-tac.toml (the slips people make by hand: a quote
or a comma left out, a key typed twice or misspelt, "62,5" for a number, curly quotes from
Word, a file saved in an old encoding, a sentence whose bound words contradict its band). For
each, `check` exits 2, writes nothing, names the place (the key, or the line and column), and
says it without tomllib's English, which may follow only on the "Chi tiết kỹ thuật" line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from processor.cli import main
from processor.config.rules_file import load_rules

from conftest import ROOT, SAMPLE

LAO_CAI = ROOT / "templates" / "lao-cai-2020" / "quy-tac.toml"
CHUYEN_DOI_SO = ROOT / "templates" / "chuyen-doi-so-2026" / "quy-tac.toml"
BENCHMARK = ROOT / "tests" / "benchmarks" / "quy-tac-30-tieu-chi.toml"
CDS_SAMPLE = ROOT / "input_samples" / "chuyen-doi-so-2026.xlsx"

# What tomllib, the codecs and the OS say, that a secretary must never have to read.
ENGLISH = (
    "Illegal character",
    "Expected",
    "Unclosed",
    "Unterminated",
    "Cannot ",
    "Invalid",
    "Duplicate",
    "Found invalid",
    "Unescaped",
    "at line",
    "column",
    "end of document",
    "codec",
    "decode",
    "Errno",
    "Traceback",
    "TOMLDecodeError",
)
DETAIL = "Chi tiết kỹ thuật:"


@dataclass(frozen=True)
class Damage:
    name: str
    source: Path
    old: str
    new: str
    place: str  # must appear in the output: the key, or "dòng N, cột M"
    words: str  # and so must this, the heart of the explanation
    count: int = 1  # how many occurrences to edit (-1: all)

    @property
    def workbook(self) -> Path:
        """The bundled sample the shipped file goes with."""
        return CDS_SAMPLE if self.source == CHUYEN_DOI_SO else SAMPLE

    def apply(self) -> str:
        text = self.source.read_text(encoding="utf-8")
        assert self.old in text, (self.name, self.old)
        return text.replace(self.old, self.new, self.count)


def line_of(source: Path, text: str, offset: int = 0) -> int:
    """The line number of `text`'s first occurrence in the shipped file."""
    content = source.read_text(encoding="utf-8")
    return content[: content.index(text)].count("\n") + 1 + offset


def _place(source: Path, text: str, column: int, offset: int = 0) -> str:
    return f"dòng {line_of(source, text, offset)}, cột {column}"


L, C = LAO_CAI, CHUYEN_DOI_SO
PLACE = 'place = "Lào Cai"'
TOT = "from_points = { I = 85, II = 65, III = 85 }"

SYNTAX = [
    Damage("quote-left-open", L, PLACE, 'place = "Lào Cai', _place(L, PLACE, 17), "chưa được đóng"),
    Damage(
        "comma-missing-in-a-list",
        L,
        '"- Như Điều 3;",',
        '"- Như Điều 3;"',
        _place(L, '"- CVP, PCVP_2;"', 5),
        "thiếu dấu phẩy",
    ),
    Damage(
        "comma-missing-in-a-table",
        L,
        TOT,
        "from_points = { I = 85 II = 65, III = 85 }",
        _place(L, TOT, 24),
        "thiếu dấu phẩy",
    ),
    Damage(
        "brace-left-open",
        L,
        TOT,
        "from_points = { I = 85, II = 65, III = 85",
        _place(L, TOT, 42),
        "thiếu dấu }",
    ),
    Damage(
        "comma-after-the-last-pair",
        L,
        TOT,
        "from_points = { I = 85, II = 65, III = 85, }",
        _place(L, TOT, 44),
        "Thừa dấu phẩy",
    ),
    Damage(
        "key-written-twice",
        L,
        "precision = 2",
        "precision = 2\nprecision = 3",
        _place(L, "precision = 2", 14, 1),
        "«precision» được ghi hai lần",
    ),
    Damage(
        "table-declared-twice",
        L,
        "[email]",
        "[document]",
        _place(L, "[email]", 10),
        "[document] được khai báo hai lần",
    ),
    Damage(
        "decimal-comma",
        L,
        "max_points = 70",
        "max_points = 70,5",
        _place(L, "max_points = 70", 16),
        "dấu chấm (62.5)",
    ),
    Damage("text-without-quotes", L, PLACE, "place = Lào Cai", _place(L, PLACE, 9), "dấu nháy kép"),
    Damage(
        "curly-quotes-from-word",
        L,
        PLACE,
        "place = “Lào Cai”",
        _place(L, PLACE, 9),
        "dấu nháy kép thẳng",
    ),
    Damage("value-missing", L, PLACE, "place = ", _place(L, PLACE, 9), "Thiếu giá trị"),
    Damage(
        "table-heading-unclosed",
        L,
        "[scoring]",
        "[scoring",
        _place(L, "[scoring]", 9),
        "thiếu dấu ]",
    ),
    Damage(
        "array-heading-unclosed",
        L,
        "[[groups]]",
        "[[groups]",
        _place(L, "[[groups]]", 9),
        "]]",
    ),
    Damage(
        "key-with-accents",
        L,
        'province = "Lào Cai"',
        'tỉnh = "Lào Cai"',
        _place(L, 'province = "Lào Cai"', 2),
        "chữ không dấu",
    ),
    Damage(
        "equals-sign-missing",
        L,
        'province = "Lào Cai"',
        'province "Lào Cai"',
        _place(L, 'province = "Lào Cai"', 10),
        "Thiếu dấu =",
    ),
    Damage(
        "quotes-inside-a-text",
        L,
        'subject = "ứng dụng công nghệ thông tin"',
        'subject = "ứng dụng "công nghệ" thông tin"',
        _place(L, 'subject = "ứng dụng công nghệ thông tin"', 22),
        '\\"',
    ),
    Damage(
        "lone-backslash",
        L,
        'decision_symbol = "QĐ-UBND"',
        'decision_symbol = "QĐ\\-UBND"',
        _place(L, 'decision_symbol = "QĐ-UBND"', 24),
        "hai lần (\\\\)",
    ),
    Damage(
        "control-character-pasted",
        L,
        'issuer_short = "UBND tỉnh Lào Cai"',
        'issuer_short = "UBND tỉnh\x01 Lào Cai"',
        _place(L, 'issuer_short = "UBND tỉnh Lào Cai"', 26),
        "U+0001",
    ),
    Damage(
        "multiline-text-left-open",
        L,
        'closing = "Quyết định này có hiệu lực thi hành kể từ ngày ký./."',
        'closing = """Quyết định này có hiệu lực thi hành kể từ ngày ký./.',
        f"dòng {line_of(L, 'closing = ')}",
        'mở bằng """',
    ),
    Damage(
        "name-used-for-a-value-and-a-table",
        L,
        "schema_version = 1",
        "schema_version = 1\ngroups = 3",
        _place(L, "[[groups]]", 9, 1),
        "«groups»",
    ),
]

KEYS = [
    Damage(
        "threshold-key-misspelt",
        C,
        "above_percent = 50",
        "above_percen = 50",
        "quy-tac.toml: grades[2].above_percen",
        "có phải «above_percent»?",
    ),
    Damage(
        "document-key-misspelt",
        L,
        "province = ",
        "provnce = ",
        "document.provnce",
        "có phải «province»?",
    ),
    Damage("section-misspelt", L, "[scoring]", "[scorng]", ": scorng:", "có phải «[scoring]»?"),
    Damage(
        "array-misspelt",
        L,
        "[[grades]]",
        "[[grade]]",
        ": grade:",
        "có phải «[[grades]]»?",
        count=-1,
    ),
    Damage(
        "criteria-key-misspelt",
        L,
        "deduction = true\nmax",
        "dedution = true\nmax",
        "criteria[13].dedution",
        "có phải «deduction»?",
    ),
    Damage(
        "group-key-misspelt",
        L,
        "max_points = 70",
        "max_point = 70",
        "groups[2].max_point",
        "có phải «max_points»?",
    ),
    Damage(
        "wording-key-misspelt",
        L,
        "article_2 = ",
        "artcle_2 = ",
        "wording.artcle_2",
        "có phải «article_2»?",
    ),
    Damage(
        "email-key-misspelt",
        L,
        'salutation = "Kính gửi',
        'salutaion = "Kính gửi',
        "email.salutaion",
        "có phải «salutation»?",
    ),
    Damage("signature-key-misspelt", L, "above = []", "abov = []", "signature.abov", "«above»"),
    Damage(
        "profile-key-misspelt",
        L,
        "description = ",
        "descripton = ",
        "profile.descripton",
        "«description»",
    ),
    Damage(
        "key-under-the-wrong-heading",
        L,
        "max = { I = 10, II = 10, III = 10 }",
        'max = { I = 10, II = 10, III = 10 }\nties = "1223"',
        "criteria[13].ties",
        "thuộc [scoring]",
    ),
    Damage(
        "pillar-key-misspelt",
        C,
        "[[pillars]]\ncode",
        "[[pillars]]\ncdoe",
        "pillars[1].cdoe",
        "có phải «code»?",
    ),
    Damage(
        "info-field-key-misspelt",
        C,
        "[[info_fields]]\nkey",
        "[[info_fields]]\nkeys",
        "info_fields[1].keys",
        "có phải «key»?",
    ),
]

WORDING = [
    Damage(
        "from-points-band-said-exclusive",
        L,
        "đạt từ 85 điểm trở lên",
        "đạt trên 85 điểm",
        "grades[1].text",
        "tính cả ngưỡng",
    ),
    Damage(
        "above-percent-band-said-inclusive",
        C,
        "trên 50% đến 75%",
        "từ 50% trở lên đến 75%",
        "grades[2].text",
        "không tính ngưỡng",
    ),
    Damage(
        "upper-end-of-a-from-points-band-said-inclusive",
        L,
        "từ 70 điểm đến dưới 85 điểm",
        "từ 70 điểm đến 85 điểm",
        "grades[2].text",
        "«dưới 85 điểm»",
    ),
    Damage(
        "upper-end-of-an-above-percent-band-said-exclusive",
        C,
        "từ 25% điểm tối đa của cơ quan, đơn vị trở xuống",
        "dưới 25% điểm tối đa của cơ quan, đơn vị",
        "grades[4].text",
        "«đến 25%»",
    ),
    Damage(
        "scale-in-thousands-changed",
        C,
        "(TTHC): 1.000 điểm;",
        "(TTHC): 1.001 điểm;",
        "groups[1].scale_text",
        "1.001 điểm",
    ),
]

CORPUS = SYNTAX + KEYS + WORDING


def check(
    rules: Path, capsys: pytest.CaptureFixture[str], workbook: Path = SAMPLE
) -> tuple[int, str]:
    status = main(["check", str(workbook), "--rules", str(rules)])
    out = capsys.readouterr()
    return status, out.out + out.err


def assert_refused_in_vietnamese(status: int, output: str, folder: Path, *places: str) -> None:
    assert status == 2, output
    assert sorted(p.name for p in folder.iterdir()) == ["quy-tac.toml"]  # nothing written
    for place in places:
        assert place in output, (place, output)
    for line in output.splitlines():
        if line.strip().startswith(DETAIL):
            continue
        assert not [phrase for phrase in ENGLISH if phrase in line], line
    assert ".." not in output.replace("./.", ""), output  # "./." ends a Decree 30 closing
    assert "Traceback" not in output


@pytest.mark.parametrize("damage", CORPUS, ids=[d.name for d in CORPUS])
def test_a_damaged_rules_file_is_refused_in_vietnamese_at_its_place(damage, tmp_path, capsys):
    rules = tmp_path / "quy-tac.toml"
    rules.write_text(damage.apply(), encoding="utf-8")
    status, output = check(rules, capsys, damage.workbook)
    assert_refused_in_vietnamese(status, output, tmp_path, damage.place, damage.words)
    if damage in SYNTAX:
        assert f"{DETAIL} " in output  # the original, for the IT officer
        assert "sai cú pháp TOML" in output


@pytest.mark.parametrize("damage", KEYS, ids=[d.name for d in KEYS])
def test_a_misspelt_key_is_one_problem_not_its_follow_ons(damage, tmp_path, capsys):
    rules = tmp_path / "quy-tac.toml"
    rules.write_text(damage.apply(), encoding="utf-8")
    _, output = check(rules, capsys, damage.workbook)
    problems = [line for line in output.splitlines() if line.startswith("  Lỗi ")]
    assert len(problems) == 1, output


@pytest.mark.parametrize(
    ("encoding", "place", "words"),
    [
        ("cp1258", "quy-tac.toml, dòng 1, cột", "Windows-1258"),
        ("utf-16", "quy-tac.toml:", "UTF-16"),
    ],
)
def test_a_file_saved_in_another_encoding_is_refused(encoding, place, words, tmp_path, capsys):
    rules = tmp_path / "quy-tac.toml"
    rules.write_bytes(LAO_CAI.read_text(encoding="utf-8").encode(encoding, errors="replace"))
    status, output = check(rules, capsys)
    assert_refused_in_vietnamese(status, output, tmp_path, place, words, "UTF-8")


def test_notepads_byte_order_mark_and_windows_line_ends_are_read(tmp_path, capsys):
    rules = tmp_path / "quy-tac.toml"
    text = LAO_CAI.read_text(encoding="utf-8").replace("\n", "\r\n")
    rules.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    status, output = check(rules, capsys)
    assert status == 0, output


def test_a_workbook_or_a_folder_given_as_the_rules_file_is_refused(tmp_path, capsys):
    status, output = check(SAMPLE, capsys)
    assert status == 2 and "tệp nén" in output and "Errno" not in output
    status, output = check(tmp_path, capsys)
    assert status == 2 and "là một thư mục, không phải tệp quy tắc" in output
    status, output = check(tmp_path / "khong-co.toml", capsys)
    assert status == 2 and "Không tìm thấy tệp quy tắc" in output and ".." not in output


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root reads every file; needs POSIX modes"
)
def test_a_rules_file_that_cannot_be_read_is_refused_in_vietnamese(tmp_path, capsys):
    rules = tmp_path / "quy-tac.toml"
    rules.write_bytes(LAO_CAI.read_bytes())
    rules.chmod(0)
    try:
        status, output = check(rules, capsys)
    finally:
        rules.chmod(0o644)
    assert_refused_in_vietnamese(status, output, tmp_path, "không có quyền đọc")


def test_the_shipped_rules_files_are_undamaged(capsys):
    for source, workbook in ((LAO_CAI, SAMPLE), (CHUYEN_DOI_SO, CDS_SAMPLE)):
        status, output = check(source, capsys, workbook)
        assert status == 0, output
    assert len(load_rules(BENCHMARK).criteria) == 30


@pytest.mark.parametrize("damage", [SYNTAX[0], KEYS[0], WORDING[1]], ids=lambda d: d.name)
def test_through_the_real_command_nothing_is_written(damage, tmp_path):
    """`python -m processor run` too: exit 2, no decision, the same Vietnamese place."""
    rules = tmp_path / "quy-tac.toml"
    rules.write_text(damage.apply(), encoding="utf-8")
    out = tmp_path / "ket-qua"
    command = ["run", str(damage.workbook), "--rules", str(rules), "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "processor", *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quy-tac.toml"]  # no decision, no folder
    assert damage.place in done.stderr and damage.words in done.stderr
