"""The `Điểm` sheet of next year's workbook: headings, group heading rows, agencies, checks.

Excel itself refuses most slips as they are typed: each score cell accepts only a number between
its criterion's bounds for that row's group (or the profile's «Không đánh giá» marks), a
criterion the group does not have accepts nothing, the group cell offers the rules' codes, the
prior rank only a whole number. Each heading carries the criterion's name and maxima as a
comment. The title and heading rows are locked (no password) and frozen; the agencies' rows, and
the rows below them, stay free to type in, insert and delete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

from processor.core.formatting import format_points
from processor.core.model import (
    COL_EMAIL,
    COL_GROUP,
    COL_NAME,
    COL_NO,
    COL_PRIOR,
    COL_TOTAL,
    COL_UNRANKED,
    Criterion,
    Group,
    Rules,
)
from processor.core.past import agency_key
from processor.core.sheet import EXCEL_MAX_COLUMN, cell_name, column_letter
from processor.writing.openpyxl_cells import set_value

TITLE_ROW, HEADER_ROW = 1, 2
FIRST_DATA_ROW = HEADER_ROW + 1
SPARE_ROWS = 200  # rows below the table where an added agency still gets the list checks
HEADER_FILL, HEADING_FILL, NOT_APPLICABLE_FILL = "DDEBF7", "F2F2F2", "BFBFBF"
FIXED = (COL_NO, COL_NAME, COL_GROUP, COL_PRIOR)
AUTHOR = "Chương trình xếp hạng"
MAX_FORMULA = 255  # the longest formula a data validation may hold


class Row(Protocol):
    """One agency's row (processor/history/next_year.py NewRow)."""

    @property
    def name(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def prior_rank(self) -> int | None: ...
    @property
    def unranked_reason(self) -> str | None: ...


def style(**kwargs: Any) -> dict[str, Any]:
    """Font, fill, alignment, border and protection objects, made when a sheet is filled."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side  # type: ignore[import-untyped]

    thin = Side(style="thin", color="808080")
    made: dict[str, Any] = {}
    if kwargs.get("border", True):
        made["border"] = Border(left=thin, right=thin, top=thin, bottom=thin)
    if "fill" in kwargs:
        made["fill"] = PatternFill("solid", fgColor=kwargs["fill"])
    made["font"] = Font(name="Times New Roman", size=12, bold=kwargs.get("bold", False))
    made["alignment"] = Alignment(
        horizontal=kwargs.get("align"), vertical="center", wrap_text=kwargs.get("wrap", False)
    )
    made["protection"] = Protection(locked=kwargs.get("locked", False))
    return made


def put(sheet: Any, row: int, column: int, value: Any = None) -> Any:
    """The cell, holding `value` as typed: text starting with "=" stays text, not a formula."""
    return set_value(sheet.cell(row, column), value)


def validation(**kwargs: Any) -> Any:
    """A data validation Excel enforces: it stops a wrong entry with its message (openpyxl's
    default would only record the rule) and shows its prompt; a blank cell is left alone."""
    from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

    return DataValidation(
        allow_blank=True, showErrorMessage=True, showInputMessage=True, errorStyle="stop", **kwargs
    )


def apply(cell: Any, style: dict[str, Any]) -> None:
    for name, value in style.items():
        setattr(cell, name, value)


class ScoreSheet:
    """The `Điểm` sheet: a title, the headings, then each group's heading row and agencies."""

    def __init__(
        self,
        rules: Rules,
        year: int,
        sheet: Any,
        previous: int,
        emails: Mapping[str, str] | None = None,
    ):
        self.rules = rules
        self.year = year
        self.previous = previous  # the year the prior ranks are of
        self.sheet = sheet
        self.first_criterion = len(FIXED) + 1
        self.total_col = self.first_criterion + len(rules.criteria)
        self.unranked_col = self.total_col + 1
        self.headings = [*FIXED, *(c.code for c in rules.criteria), COL_TOTAL, COL_UNRANKED]
        # agency_key(name) -> last year's Email cell; the column is kept when last year had it
        self.emails = dict(emails or {})
        self.email_col = self.unranked_col + 1 if self.emails else None
        if self.emails:
            self.headings.append(COL_EMAIL)
        self.marks = rules.not_scored

    def fill(self, agencies: Sequence[Row]) -> None:
        sheet, last = self.sheet, len(self.headings)
        self._title_and_headings()
        row_no = FIRST_DATA_ROW
        blocks: list[tuple[Group, int, int]] = []
        for group in self.rules.groups:
            members = [a for a in agencies if a.group == group.code]
            if not members:
                continue
            self._group_heading(row_no, group)
            start = row_no + 1
            for number, agency in enumerate(members, start=1):
                self._agency(start + number - 1, number, agency, group)
            blocks.append((group, start, start + len(members) - 1))
            row_no = start + len(members)
        end = max(row_no - 1, FIRST_DATA_ROW) + SPARE_ROWS
        group_column = column_letter(FIXED.index(COL_GROUP) + 1)
        prior_column = column_letter(FIXED.index(COL_PRIOR) + 1)
        codes = ",".join(g.code for g in self.rules.groups)
        # A list Excel can hold: at most 255 characters, no comma or quote inside a code.
        if len(codes) < 250 and not any("," in g.code or '"' in g.code for g in self.rules.groups):
            group_list = validation(
                type="list",
                formula1=f'"{codes}"',
                errorTitle="Mã nhóm không hợp lệ",
                error=fit(f"Mã nhóm phải là một trong: {codes.replace(',', ', ')}."),
                promptTitle="Nhóm",
                prompt="Chọn mã nhóm trong danh sách; đơn vị phải nằm dưới hàng tiêu đề nhóm đó.",
            )
            group_list.add(f"{group_column}{FIRST_DATA_ROW}:{group_column}{end}")
            sheet.add_data_validation(group_list)
        prior = validation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="1",
            errorTitle="Thứ hạng không hợp lệ",
            error="Xếp hạng năm trước là số nguyên dương (1, 2, 3, …); để trống nếu không có.",
            promptTitle="Xếp hạng năm trước",
            prompt=fit(f"Thứ hạng năm {self.previous} trong nhóm; để trống nếu không có."),
        )
        prior.add(f"{prior_column}{FIRST_DATA_ROW}:{prior_column}{end}")
        sheet.add_data_validation(prior)
        for group, start, stop in blocks:
            for offset, criterion in enumerate(self.rules.criteria):
                column = column_letter(self.first_criterion + offset)
                check = self._score_check(criterion, group, f"{column}{start}")
                check.add(f"{column}{start}:{column}{stop}")
                sheet.add_data_validation(check)
        self._sheet_setup(last)

    def _title_and_headings(self) -> None:
        from openpyxl.comments import Comment  # type: ignore[import-untyped]

        sheet, last = self.sheet, len(self.headings)
        subject = self.rules.wording.subject.upper()
        title = put(
            sheet, TITLE_ROW, 1, f"BẢNG ĐIỂM ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ {subject} NĂM {self.year}"
        )
        apply(title, style(bold=True, align="center", locked=True, border=False))
        sheet.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=last)
        sheet.row_dimensions[TITLE_ROW].height = 30
        header = style(bold=True, align="center", wrap=True, fill=HEADER_FILL, locked=True)
        notes = self._fixed_notes()
        for column, text in enumerate(self.headings, start=1):
            cell = put(sheet, HEADER_ROW, column, text)
            apply(cell, header)
            note = notes.get(text) or self._criterion_note(
                self.rules.criteria[column - self.first_criterion]
            )
            comment = Comment(note, AUTHOR)
            comment.width = 320
            comment.height = 40 + 18 * note.count("\n")
            cell.comment = comment
        sheet.row_dimensions[HEADER_ROW].height = 48

    def _fixed_notes(self) -> dict[str, str]:
        groups = "\n".join(f"{g.code}: {g.title}" for g in self.rules.groups)
        previous = self.previous
        return {
            COL_NO: "Số thứ tự trong nhóm, chỉ để dễ theo dõi; phụ lục đánh số lại theo thứ hạng.",
            COL_NAME: "Tên cơ quan, đơn vị, in nguyên văn vào phụ lục; không được trùng.",
            COL_GROUP: f"Mã nhóm của đơn vị:\n{groups}",
            COL_PRIOR: f"Thứ hạng năm {previous} trong nhóm (đã điền sẵn). Để trống: đơn vị "
            f"mới, không xếp hạng năm {previous}, hoặc mới hợp nhất.",
            COL_TOTAL: "Tự cộng bằng công thức; không cần nhập. Chương trình tự cộng lại và "
            "đối chiếu.",
            COL_UNRANKED: "Để trống nếu đơn vị được xếp hạng; ghi lý do nếu đơn vị được chấm "
            "điểm nhưng không xếp hạng.",
            COL_EMAIL: "Không bắt buộc: địa chỉ thư của đơn vị, để gửi phiếu kết quả riêng; "
            "nhiều địa chỉ cách nhau dấu ;. Không ảnh hưởng đến kết quả.",
        }

    def _criterion_note(self, criterion: Criterion) -> str:
        lines = [f"{criterion.code}: {criterion.name}"]
        if criterion.pillar is not None:
            pillar = next((p for p in self.rules.pillars if p.code == criterion.pillar), None)
            lines.append(
                f"Chỉ số chính {criterion.pillar}" + (f": {pillar.name}" if pillar else "")
            )
        if criterion.weight != 1:
            lines.append(f"Trọng số {format_points(criterion.weight)}")
        lines.append("Trừ điểm, điểm tối đa được trừ:" if criterion.deduction else "Điểm tối đa:")
        for group in self.rules.groups:
            most = criterion.max_points.get(group.code)
            shown = "không áp dụng (để trống)" if most is None else format_points(most)
            lines.append(f"  nhóm {group.code}: {shown}")
        return "\n".join(lines)

    def _group_heading(self, row_no: int, group: Group) -> None:
        heading = style(bold=True, fill=HEADING_FILL, locked=True)
        for column in range(1, len(self.headings) + 1):
            apply(put(self.sheet, row_no, column), heading)
        label = put(self.sheet, row_no, 1, group.printed_label)
        label.alignment = style(align="center")["alignment"]
        put(self.sheet, row_no, 2, group.title)

    def _agency(self, row_no: int, number: int, agency: Row, group: Group) -> None:
        sheet = self.sheet
        plain, centred = style(), style(align="center")
        values: list[tuple[int, Any, dict[str, Any]]] = [
            (1, number, centred),
            (2, agency.name, style(wrap=True)),
            (3, group.code, centred),
            (4, agency.prior_rank, centred),
        ]
        for column, value, look in values:
            apply(put(sheet, row_no, column, value), look)
        grey = style(fill=NOT_APPLICABLE_FILL)
        for offset, criterion in enumerate(self.rules.criteria):
            cell = put(sheet, row_no, self.first_criterion + offset)
            apply(cell, plain if criterion.applies_to(group.code) else grey)
        first = cell_name(row_no, self.first_criterion)
        end = cell_name(row_no, self.total_col - 1)
        total = sheet.cell(row_no, self.total_col, self._total_formula(first, end))
        apply(total, style(bold=True))
        total.number_format = "0." + "0" * self.rules.precision if self.rules.precision else "0"
        apply(put(sheet, row_no, self.unranked_col, agency.unranked_reason), style(wrap=True))
        if self.email_col is not None:
            address = self.emails.get(agency_key(agency.name))
            apply(put(sheet, row_no, self.email_col, address), style(wrap=True))

    def _total_formula(self, first: str, end: str) -> str:
        weights = [c.weight for c in self.rules.criteria]
        if all(w == 1 for w in weights):
            return f"=SUM({first}:{end})"
        constants = ",".join(format(w.normalize(), "f") for w in weights)
        return f"=SUMPRODUCT({first}:{end},{{{constants}}})"

    def _score_check(self, criterion: Criterion, group: Group, top_left: str) -> Any:
        """The data validation of one criterion's cells in one group's rows."""
        code, where = criterion.code, f"{criterion.code}, nhóm {group.code}"
        most = criterion.max_points.get(group.code)
        if most is None:
            return validation(
                type="textLength",
                operator="equal",
                formula1="0",
                errorTitle="Tiêu chí không áp dụng",
                error=fit(f"Tiêu chí {code} không áp dụng cho nhóm {group.code}: để trống ô này."),
                promptTitle=fit(where, 32),
                prompt="Không áp dụng cho nhóm này: để trống.",
            )
        low, high = (-most, Decimal(0)) if criterion.deduction else (Decimal(0), most)
        span = f"từ {format_points(low)} đến {format_points(high)}"
        digits = self.rules.precision
        places = "số nguyên" if digits == 0 else f"tối đa {digits} chữ số thập phân"
        marks = [] if criterion.deduction else list(self.marks)
        said = " hoặc ".join(f"«{m}»" for m in marks)
        message = f"{where}: ghi số {span} ({places})" + (f", hoặc {said}" if said else "") + "."
        if criterion.deduction:
            message += " Ghi 0 nếu không bị trừ điểm."
        common = {
            "errorTitle": "Điểm không hợp lệ",
            "error": fit(message),
            "promptTitle": fit(where, 32),
            "prompt": fit(f"Điểm {span}" + (f"; hoặc {said}" if said else "") + "."),
        }
        bounds = (format(low.normalize(), "f"), format(high.normalize(), "f"))
        if not marks:
            return validation(
                type="decimal", operator="between", formula1=bounds[0], formula2=bounds[1], **common
            )
        number = f"AND(ISNUMBER({top_left}),{top_left}>={bounds[0]},{top_left}<={bounds[1]})"
        texts = ",".join(f'{top_left}="{m.replace(chr(34), chr(34) * 2)}"' for m in marks)
        formula = f"OR({number},{texts})"
        if len(formula) > MAX_FORMULA:  # too many marks for Excel: any text, the tool checks it
            formula = f"OR({number},ISTEXT({top_left}))"
        return validation(type="custom", formula1=formula, **common)

    def _sheet_setup(self, last: int) -> None:
        from openpyxl.styles import Protection

        sheet = self.sheet
        widths = {1: 6, 2: 38, 3: 11, 4: 11, self.total_col: 10, self.unranked_col: 24}
        if self.email_col is not None:
            widths[self.email_col] = 30
        # Every cell but the locked headings is free: rows added below the table stay typeable,
        # and Excel deletes a row of a protected sheet only when none of its cells is locked.
        for column in range(1, last + 1):
            dimension = sheet.column_dimensions[column_letter(column)]
            dimension.width = widths.get(column, 8.5)
            dimension.protection = Protection(locked=False)
        rest = sheet.column_dimensions[column_letter(last + 1)]
        rest.min, rest.max = last + 1, EXCEL_MAX_COLUMN
        rest.protection = Protection(locked=False)
        sheet.freeze_panes = f"C{FIRST_DATA_ROW}"
        sheet.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"
        fit_to_width(sheet, "landscape")
        protection = sheet.protection
        protection.sheet = True
        protection.insertRows = protection.deleteRows = False  # False: allowed
        protection.formatColumns = protection.formatRows = False
        protection.selectLockedCells = protection.selectUnlockedCells = False


def fit_to_width(sheet: Any, orientation: str) -> None:
    """Printed on A4, as wide as the page, as many pages down as it takes."""
    sheet.page_setup.orientation = orientation
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def fit(text: str, limit: int = 225) -> str:
    """Excel refuses a validation message longer than its limit (225; 32 for titles)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
