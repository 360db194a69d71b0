"""The bundled sample, run through the real CLI, reproduces the 2020 Lào Cai decision."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from conftest import ROOT, SAMPLE, cli
from docx_reading import lines, normalise, table_rows

REFERENCE = ROOT / "tests" / "data" / "quyet-dinh-2020-lao-cai.txt"
# The one evident typo of the reference's title, which the decision prints corrected.
TYPO = ("cơ quan hành HCNN", "cơ quan HCNN")


def reference_lines() -> list[str]:
    out = []
    for raw in REFERENCE.read_text(encoding="utf-8").splitlines():
        line = normalise(raw.replace("**", "").replace(*TYPO))
        if line:
            out.append(line)
    return out


def reference_table() -> list[list[str]]:
    """The appendix rows of the reference: group rows and agency rows, tab-separated."""
    rows = []
    for raw in REFERENCE.read_text(encoding="utf-8").splitlines():
        cells = [normalise(c) for c in raw.split("\t")]
        if len(cells) >= 6 and re.fullmatch(r"\d+|I|II|III", cells[0]):
            rows.append([c for c in cells if c])
    return rows


@pytest.fixture(scope="module")
def decision(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("output")
    done = cli("run", str(SAMPLE), "--out", str(out))
    assert done.returncode == 0, done.stderr
    path = out / "quyet-dinh-xep-hang-cntt-2020.docx"
    assert done.stdout.splitlines()[0] == f"Đã lập dự thảo quyết định: {path}"
    return path


def test_every_reference_line_appears_in_order(decision):
    produced = lines(decision)
    position = 0
    for wanted in reference_lines():
        try:
            position = produced.index(wanted, position) + 1
        except ValueError:
            context = "\n".join(produced[max(0, position - 3) : position + 3])
            pytest.fail(f"missing, in order: {wanted!r}\nafter:\n{context}")


def test_the_appendix_table_holds_the_reference_rows(decision):
    document = docx.Document(str(decision))
    results = document.tables[-1]
    rows = table_rows(results)
    header, body = rows[:2], rows[2:]
    assert header[0][:3] == ["TT", "Tên đơn vị", "Xếp hạng năm 2019"]
    assert header[1][3:] == ["Tổng điểm", "Xếp hạng", "Xếp loại"]
    produced = []
    for cells in body:
        if cells[0] in {"I", "II", "III"}:
            assert len(set(cells[1:])) == 1  # the title spans the rest of the row
            produced.append(cells[:2])
        else:
            produced.append(cells)
    expected = reference_table()
    assert len([r for r in expected if r[0] not in {"I", "II", "III"}]) == 32
    assert produced == expected


def test_the_draft_leaves_number_and_date_blank_for_the_office(decision):
    produced = lines(decision)
    assert "Số: /QĐ-UBND" in produced
    assert "Lào Cai, ngày tháng năm 2021" in produced
    assert "(Kèm theo Quyết định số /QĐ-UBND ngày /01/2021 của UBND tỉnh Lào Cai)" in produced


def test_the_decision_is_well_formed(decision):
    document = docx.Document(str(decision))  # reopens
    cells = list(document.element.body.iter(qn("w:tc")))
    assert cells and all(tc.find(qn("w:p")) is not None for tc in cells)
    assert len(document.sections) == 2  # the decision, then the appendix


def test_the_decision_renders_to_pdf_with_libreoffice(decision, tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not on PATH: cannot render the decision to PDF")
    from render_pages import docx_to_pdf

    pdf = docx_to_pdf(decision, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "UBND huyện Sa Pa" in text
