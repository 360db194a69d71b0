"""Checking the workbook cell by cell against the rules; pure, no file access.

One pass collects every problem, each naming its sheet and cell (and, on an agency's row, the
agency), so the secretary fixes the workbook once instead of once per run. The checks are split
by what they look at: `values` (one cell), `headers` (where the heading row is, what a mistyped
heading meant), `layout` (the columns and what hides cells), `groups` (group heading rows and
which group each agency is in), `scores` and `criteria` (the score sheet's rows), `totals` (a
council total that does not add up, and the cell that may hold the slip), `emails` (the optional
`Email` column: warnings only), `info` (the `Thông tin` sheet).
"""

from __future__ import annotations

from processor.core.model import Evaluation, Rules
from processor.core.problems import Problem, Severity, errors
from processor.core.sheet import INFO_SHEET, SCORE_SHEET, RawWorkbook
from processor.core.validation.info import (
    INFO_KEYS,
    KEY_DECISION_DATE,
    KEY_DECISION_NO,
    KEY_SIGNER,
    KEY_SIGNER_TITLE,
    KEY_SUBMISSION_DATE,
    KEY_SUBMISSION_NO,
    KEY_YEAR,
    OPTIONAL_INFO_KEYS,
    check_info,
)
from processor.core.validation.scores import check_scores
from processor.core.validation.values import cell_ref

__all__ = [
    "INFO_KEYS",
    "KEY_DECISION_DATE",
    "KEY_DECISION_NO",
    "KEY_SIGNER",
    "KEY_SIGNER_TITLE",
    "KEY_SUBMISSION_DATE",
    "KEY_SUBMISSION_NO",
    "KEY_YEAR",
    "OPTIONAL_INFO_KEYS",
    "cell_ref",
    "check_workbook",
]


def check_workbook(raw: RawWorkbook, rules: Rules) -> tuple[Evaluation | None, list[Problem]]:
    """Every problem in the workbook; the Evaluation only when none of them is an error."""
    problems: list[Problem] = []
    scores = raw.sheets.get(SCORE_SHEET)
    info_sheet = raw.sheets.get(INFO_SHEET)
    for wanted, sheet in ((SCORE_SHEET, scores), (INFO_SHEET, info_sheet)):
        if sheet is None:
            present = ", ".join(f"«{n}»" for n in raw.sheet_names) or "(không có sheet nào)"
            problems.append(
                Problem(
                    wanted,
                    f"Không tìm thấy sheet «{wanted}». Bảng tính đang có: {present}.",
                )
            )
    if raw.has_macros:
        problems.append(
            Problem(
                raw.file_name,
                "Bảng tính có macro (.xlsm). Macro không bao giờ được chạy; chương trình chỉ đọc "
                "giá trị các ô.",
                Severity.WARNING,
            )
        )
    problems.extend(Problem(raw.file_name, text, Severity.WARNING) for text in raw.warnings)
    agencies = check_scores(scores, rules, problems) if scores else []
    info = check_info(info_sheet, problems, rules.info_fields) if info_sheet else None
    if info is None or errors(problems):
        return None, problems
    return Evaluation(info=info, agencies=tuple(agencies)), problems
