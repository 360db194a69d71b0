"""The answers folder: for every dropped file, what became of it, where the people who drop look.

Each answer is named after the file it answers (`bang-diem - ĐÃ LẬP QUYẾT ĐỊNH.txt` beside
`bang-diem - quyết định.docx`, or `bang-diem - CẦN SỬA.txt` beside `bang-diem - đánh dấu
lỗi.xlsx`), so a listing sorted by name shows each drop's files together and the status is in
the name. A file dropped again under the same name gets a fresh answer: the new files are
written first (each atomically), then the earlier answer's other files are removed, so a run
killed in between leaves the earlier answer or the new one, never a torn one, and the next run
(which resumes the drop) writes it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from processor.unattended.dropfolder.moves import fit_name
from processor.writing.files import write_atomic

# The parts of an answer, after "<stem> - ". The notes say the outcome in capitals.
DONE_NOTE = "ĐÃ LẬP QUYẾT ĐỊNH.txt"
REFUSED_NOTE = "CẦN SỬA.txt"  # the secretary's move: fix the workbook
TECHNICAL_NOTE = "LỖI KỸ THUẬT.txt"  # the technical staff's move: template, rules, server
DUPLICATE_NOTE = "TRÙNG.txt"
REPLACED_NOTE = "ĐÃ BỊ THAY THẾ.txt"  # its draft was replaced by a corrected workbook's
DECISION_COPY = "quyết định.docx"
RESULTS_COPY = "bảng kết quả.xlsx"
PDF_COPY = "quyết định.pdf"
MARKED_COPY = "đánh dấu lỗi.xlsx"
PARTS = (
    DONE_NOTE,
    REFUSED_NOTE,
    TECHNICAL_NOTE,
    DUPLICATE_NOTE,
    REPLACED_NOTE,
    DECISION_COPY,
    RESULTS_COPY,
    PDF_COPY,
    MARKED_COPY,
)
_SEPARATOR = " - "


def stem_of(original: str) -> str:
    """`Bảng điểm 2020` for `Bảng điểm 2020.xlsx`; a name without a suffix is its own stem."""
    stem = Path(original).stem
    return stem or original


def answer_name(original: str, part: str) -> str:
    """The name of one part of the answer to `original`, within the file-name limit."""
    return fit_name("", stem_of(original), _SEPARATOR + part)


def answer_path(folder: Path, original: str, part: str) -> Path:
    return folder / answer_name(original, part)


def write_answer(
    folder: Path, original: str, files: Mapping[str, bytes], kept: Iterable[str] = ()
) -> list[Path]:
    """Write the answer's parts, then remove the parts of an earlier answer to the same name.

    `files` maps a part (DONE_NOTE, DECISION_COPY, ...) to its bytes; `kept` names parts
    already written by someone else (the marked copy) that belong to this answer too.
    """
    written = []
    for part, data in files.items():
        path = answer_path(folder, original, part)
        write_atomic(path, data)
        written.append(path)
    keep = {*files, *kept}
    for part in PARTS:
        if part not in keep:
            answer_path(folder, original, part).unlink(missing_ok=True)
    return written
