"""A third profile, for an invented province, built from TOML and a copy of a template alone.

What the issue asks a new user to be able to do: write a rules file for another province, copy
one of the bundled Word templates next to it, and get a decision that carries that province's
words and none of Lào Cai's. The province ("tỉnh Hòa Phong"), its bodies, communes, legal
references and numbers are fictional on purpose.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from test_profile_chuyen_doi_so import READ, package_texts
from test_profile_chuyen_doi_so import WORKBOOK as DIGITAL_SAMPLE

from conftest import ROOT, SAMPLE, cli
from docx_reading import lines

TEMPLATES = ROOT / "templates"
BUNDLED = ("lao-cai-2020", "chuyen-doi-so-2026")

RULES = r'''
# Hồ sơ thử nghiệm cho một tỉnh GIẢ ĐỊNH (tỉnh Hòa Phong): mọi tên, số hiệu đều bịa ra.
schema_version = 1

[profile]
description = "Tỉnh Hòa Phong (giả định) — xếp hạng mức độ xây dựng chính quyền số"

[document]
province = "Hòa Phong"
place = "Hòa Phong"
issuer = ["ỦY BAN NHÂN DÂN", "TỈNH HÒA PHONG"]
issuer_short = "UBND tỉnh Hòa Phong"
authority = "ỦY BAN NHÂN DÂN TỈNH HÒA PHONG"
decision_symbol = "QĐ-UBND"
output_file = "quyet-dinh-hoa-phong-{nam}.docx"

[wording]
subject = "xây dựng chính quyền số"
subject_short = "chính quyền số"
title = [
    "Phê duyệt kết quả đánh giá mức độ {chu_de}",
    "của các cơ quan, địa phương tỉnh {tinh} năm {nam}",
]
legal_bases = [
    "Căn cứ Quy chế mẫu số 0/QCM-HP ngày 01/01/2001 (văn bản giả định, dùng để kiểm thử);",
    "Căn cứ Kế hoạch số {ke_hoach} của UBND tỉnh {tinh} về {chu_de};",
]
proposal = "Xét đề nghị của {co_quan_de_nghi} tại Tờ trình số {so_to_trinh} ngày {ngay_to_trinh}."
proposing_body = "Sở Khoa học, Công nghệ và Số hóa"
submission_symbol = "TTr-KHCNSH"
article_1 = """\
    Phê duyệt kết quả đánh giá mức độ {chu_de} năm {nam} \
    của các cơ quan, địa phương tỉnh {tinh}."""
article_1_note = "(Có Phụ lục chi tiết kèm theo)"
article_2 = "Giao {co_quan_de_nghi} thông báo kết quả tới các cơ quan, địa phương."
article_3 = """\
    Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc {co_quan_de_nghi}, \
    Thủ trưởng các cơ quan chuyên môn; Chủ tịch UBND các xã, đặc khu \
    chịu trách nhiệm thi hành Quyết định này."""
closing = "Quyết định này có hiệu lực kể từ ngày ký./."
recipients = [
    "- Như Điều 3;",
    "- Thường trực Tỉnh ủy Hòa Phong;",
    "- Lưu: VT, SHS_3.",
]
appendix_title = "Kết quả đánh giá mức độ {chu_de} tỉnh {tinh} năm {nam}"
scale_heading = "1. Thang điểm và mức đánh giá {chu_de_ngan}:"
grades_heading = "b) Mức đánh giá:"
results_heading = "2. Kết quả đánh giá {chu_de_ngan} năm {nam}:"
pillars_heading = "3. Điểm theo lĩnh vực:"
unranked_heading = "Đơn vị được đánh giá nhưng không xếp thứ tự"
prior_blank = "Mới"
change_style = "signed"

[signature]
above = ["TM. ỦY BAN NHÂN DÂN"]

[email]
subject = "Dự thảo kết quả {chu_de_ngan} tỉnh {tinh} năm {nam}"
salutation = "Kính gửi: Văn phòng UBND tỉnh {tinh}."

[[info_fields]]
key = "Kế hoạch chính quyền số"
name = "ke_hoach"
blank = "      /KH-UBND"

[scoring]
precision = 1
ties = "1223"

[[groups]]
code = "CQ"
label = "A"
title = "Các cơ quan chuyên môn của tỉnh Hòa Phong"
max_points = 200
scale_text = "Cơ quan chuyên môn: tối đa 200 điểm;"

[[groups]]
code = "DP"
label = "B"
title = "Các xã và đặc khu"
max_points = 300
scale_text = "Xã và đặc khu: tối đa 300 điểm."

[[grades]]
name = "Xuất sắc"
from_points = { CQ = 180, DP = 270 }
text = "Xuất sắc: từ 180 điểm (cơ quan) hoặc từ 270 điểm (xã, đặc khu) trở lên;"

[[grades]]
name = "Đạt yêu cầu"
from_points = { CQ = 120, DP = 180 }
text = """\
    Đạt yêu cầu: từ 120 điểm đến dưới 180 điểm (cơ quan), \
    từ 180 điểm đến dưới 270 điểm (xã, đặc khu);"""

[[grades]]
name = "Cần cố gắng"
text = "Cần cố gắng: dưới 120 điểm (cơ quan), dưới 180 điểm (xã, đặc khu)."

[[pillars]]
code = "HT"
name = "Hạ tầng số Hòa Phong"

[[pillars]]
code = "DV"
name = "Dịch vụ số Hòa Phong"

[[criteria]]
code = "HT1"
pillar = "HT"
name = "Mạng và thiết bị"
max = { CQ = 80, DP = 100 }

[[criteria]]
code = "HT2"
pillar = "HT"
name = "Nền tảng dùng chung"
max = { CQ = 40, DP = 60 }

[[criteria]]
code = "DV1"
pillar = "DV"
name = "Dịch vụ trực tuyến"
max = { CQ = 80, DP = 140 }

[[criteria]]
code = "TRU"
pillar = "DV"
name = "Trừ điểm"
deduction = true
max = { CQ = 20, DP = 20 }
'''

# (group, name, prior rank, HT1, HT2, DV1, TRU, not-ranked reason)
AGENCIES: tuple[tuple[str, str, int | None, float, float, float, float, str | None], ...] = (
    ("CQ", "Sở Khoa học, Công nghệ và Số hóa", 2, 75.5, 38, 72.5, 0, None),
    ("CQ", "Sở Kinh tế biển Hòa Phong", 1, 60, 30.5, 55, -5, None),
    ("CQ", "Sở Thủy lợi và Rừng ngập mặn", None, 41, 20, 38.5, 0, None),
    (
        "CQ",
        "Ban Quản lý Cảng cá Vịnh Ngọc",
        None,
        52,
        25,
        44,
        0,
        "Đơn vị thí điểm, chưa xếp thứ tự",
    ),
    ("DP", "Đặc khu Hòn Mây", 1, 95, 58, 130, 0, None),
    ("DP", "Xã Suối Ngọc", 3, 70, 42.5, 90, -10, None),
    ("DP", "Xã Đồng Vân Hạ", 2, 70, 42.5, 90, -10, None),
    ("DP", "Xã Bến Lau", None, 40, 22, 61.5, 0, None),
)

INFO: tuple[tuple[str, Any], ...] = (
    ("Thông tin", "Giá trị"),
    ("Năm đánh giá", 2026),
    ("Số tờ trình", 15),
    ("Ngày tờ trình", dt.date(2027, 2, 3)),
    ("Người ký", "Lê Thị Mai Phương"),
    ("Chức vụ người ký", "KT. Chủ tịch\nPhó Chủ tịch"),
    ("Kế hoạch chính quyền số", "77/KH-UBND ngày 02/02/2026"),
)

# Lào Cai's words and numbers that a template or the tool could still carry.
LAO_CAI = (
    "Lào Cai",
    "Yên Bái",
    "1462",
    "3948",
    "19/6/2015",
    "27/5/2019",
    "22/11/2019",
    "Trịnh Xuân Trường",
    "Nguyễn Văn A",
    "Sở Thông tin và Truyền thông",
    "Thông tin và Truyền thông",
    "STTTT",
    "SKHCN",
    "ứng dụng CNTT",
    "công nghệ thông tin",
    "HCNN",
    "chuyển đổi số",
    "405/QĐ-BKHCN",
    "148/2025/QH15",
    "Bộ Khoa học và Công nghệ",
    "huyện",
    "TCHC",
    "KSTT",
    "BBT",
    "KGVX",
    "Dẫn dắt",
    "Tốt",
)

# Hòa Phong's words that must reach the decision.
HOA_PHONG = (
    "ỦY BAN NHÂN DÂN",
    "TỈNH HÒA PHONG",
    "Hòa Phong, ngày",
    "ỦY BAN NHÂN DÂN TỈNH HÒA PHONG",
    "Phê duyệt kết quả đánh giá mức độ xây dựng chính quyền số",
    "của các cơ quan, địa phương tỉnh Hòa Phong năm 2026",
    "Căn cứ Quy chế mẫu số 0/QCM-HP ngày 01/01/2001 (văn bản giả định, dùng để kiểm thử);",
    "Căn cứ Kế hoạch số 77/KH-UBND ngày 02/02/2026 của UBND tỉnh Hòa Phong về xây dựng "
    "chính quyền số;",
    "Xét đề nghị của Sở Khoa học, Công nghệ và Số hóa tại Tờ trình số 15/TTr-KHCNSH "
    "ngày 03/02/2027.",
    "Giao Sở Khoa học, Công nghệ và Số hóa thông báo kết quả tới các cơ quan, địa phương.",
    "Chủ tịch UBND các xã, đặc khu chịu trách nhiệm thi hành Quyết định này.",
    "- Thường trực Tỉnh ủy Hòa Phong;",
    "- Lưu: VT, SHS₃.",
    "TM. ỦY BAN NHÂN DÂN",
    "KT. CHỦ TỊCH",
    "PHÓ CHỦ TỊCH",
    "Lê Thị Mai Phương",
    "KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ XÂY DỰNG CHÍNH QUYỀN SỐ TỈNH HÒA PHONG NĂM 2026",
    "(Kèm theo Quyết định số",
    "của UBND tỉnh Hòa Phong)",
    "Cơ quan chuyên môn: tối đa 200 điểm;",
    "Xuất sắc: từ 180 điểm (cơ quan) hoặc từ 270 điểm (xã, đặc khu) trở lên;",
    "2. Kết quả đánh giá chính quyền số năm 2026:",
    "Các cơ quan chuyên môn của tỉnh Hòa Phong",
    "Các xã và đặc khu",
    "Đơn vị được đánh giá nhưng không xếp thứ tự",
    "Đơn vị thí điểm, chưa xếp thứ tự",
    *(name for _, name, *_ in AGENCIES),
)


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def lao_cai_agencies() -> set[str]:
    """The names of every agency in both bundled Lào Cai samples."""
    names = set()
    for path in (SAMPLE, DIGITAL_SAMPLE):
        book = openpyxl.load_workbook(path, read_only=True)
        for row in book["Điểm"].iter_rows(min_row=2, values_only=True):
            if row[1]:
                names.add(str(row[1]))
        book.close()
    return names


HEADER = (
    *("TT", "Tên đơn vị", "Nhóm", "Xếp hạng năm trước"),
    *("HT1", "HT2", "DV1", "TRU"),
    *("Tổng điểm", "Không xếp hạng"),
)


def write_workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Điểm"
    sheet.append(HEADER)
    for number, (group, name, prior, *scores, reason) in enumerate(AGENCIES, start=1):
        sheet.append([number, name, group, prior, *scores, round(sum(scores), 2), reason])
    info = book.create_sheet("Thông tin")
    for key, value in INFO:
        info.append([key, value])
    book.save(path)


@pytest.fixture(scope="module", params=BUNDLED)
def profile(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """templates/<bundled>/quyet-dinh.docx copied into a new folder beside the test's TOML."""
    folder = tmp_path_factory.mktemp(f"hoa-phong-from-{request.param}") / "hoa-phong-2026"
    folder.mkdir()
    shutil.copyfile(TEMPLATES / request.param / "quyet-dinh.docx", folder / "quyet-dinh.docx")
    (folder / "quy-tac.toml").write_text(RULES, encoding="utf-8")
    write_workbook(folder.parent / "bang-diem-hoa-phong.xlsx")
    return folder


@pytest.fixture(scope="module", params=("--profile", "--rules/--template"))
def decision(request: pytest.FixtureRequest, profile: Path) -> tuple[Path, dict[str, Any]]:
    workbook = profile.parent / "bang-diem-hoa-phong.xlsx"
    out = profile.parent / f"out{request.param.replace('/', '-')}"
    if request.param == "--profile":
        select = ["--profile", str(profile)]
    else:
        select = ["--rules", str(profile / "quy-tac.toml")]
        select += ["--template", str(profile / "quyet-dinh.docx")]
    done = cli("run", str(workbook), *select, "--out", str(out), "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    written = out / "quyet-dinh-hoa-phong-2026.docx"
    assert Path(report["output"]).resolve() == written.resolve()
    return written, report


def test_no_word_or_number_of_lao_cai(decision: tuple[Path, dict[str, Any]]) -> None:
    path, _ = decision
    everything = [(kind, fold(text)) for kind, text in package_texts(path)]
    forbidden = sorted({*LAO_CAI, *lao_cai_agencies()})
    found = {
        word: text
        for word in forbidden
        for kind, text in everything
        # numbers only in words people read: widths and revision ids are digits too
        if fold(word) in text and (kind in READ or not any(ch.isdigit() for ch in word))
    }
    assert not found, {word: text[:200] for word, text in found.items()}


def test_hoa_phong_words_reach_the_decision(decision: tuple[Path, dict[str, Any]]) -> None:
    path, _ = decision
    document = fold("\n".join(lines(path)))
    missing = [words for words in HOA_PHONG if fold(words) not in document]
    assert not missing


def test_signature_block_in_order(decision: tuple[Path, dict[str, Any]]) -> None:
    path, _ = decision
    text = lines(path)
    first = text.index("TM. ỦY BAN NHÂN DÂN")
    assert text[first : first + 4] == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Lê Thị Mai Phương",
    ]


def test_results_follow_the_invented_rules(decision: tuple[Path, dict[str, Any]]) -> None:
    """Its own groups, bands, main indices, precision (1 decimal) and ties ("1223")."""
    _, report = decision
    got = {
        a["name"]: (a["group"], a["rank"], a["total"], a["grade"], a["pillars"])
        for a in report["agencies"]
    }
    unranked = got["Ban Quản lý Cảng cá Vịnh Ngọc"]
    assert got == {
        "Sở Khoa học, Công nghệ và Số hóa": (
            "CQ",
            1,
            "186.0",
            "Xuất sắc",
            pillars("113.5", "72.5"),
        ),
        "Sở Kinh tế biển Hòa Phong": ("CQ", 2, "140.5", "Đạt yêu cầu", pillars("90.5", "50.0")),
        "Sở Thủy lợi và Rừng ngập mặn": ("CQ", 3, "99.5", "Cần cố gắng", pillars("61.0", "38.5")),
        "Ban Quản lý Cảng cá Vịnh Ngọc": (
            "CQ",
            None,
            "121.0",
            unranked[3],
            pillars("77.0", "44.0"),
        ),
        "Đặc khu Hòn Mây": ("DP", 1, "283.0", "Xuất sắc", pillars("153.0", "130.0")),
        "Xã Suối Ngọc": ("DP", 2, "192.5", "Đạt yêu cầu", pillars("112.5", "80.0")),
        "Xã Đồng Vân Hạ": ("DP", 2, "192.5", "Đạt yêu cầu", pillars("112.5", "80.0")),
        "Xã Bến Lau": ("DP", 3, "123.5", "Cần cố gắng", pillars("62.0", "61.5")),
    }
    assert report["agency_count"] == len(AGENCIES)


def pillars(ht: str, dv: str) -> dict[str, str]:
    return {"HT": ht, "DV": dv}
