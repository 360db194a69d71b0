"""The decision's wording as data: read from the rules file, its placeholders filled per year.

A province changes what its decision says in its rules file ([document], [wording],
[signature], [email], [[info_fields]]); the Word template keeps layout and fixed legal form.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

from processor.core.model import ChangeStyle, DocumentSettings, InfoField, Wording
from processor.core.rule_fields import FieldReader

# What a wording text may name; [[info_fields]] add their own names.
PLACEHOLDERS = (
    "tinh",
    "nam",
    "nam_truoc",
    "chu_de",
    "chu_de_ngan",
    "co_quan_de_nghi",
    "so_to_trinh",
    "ngay_to_trinh",
)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_BLANK = " " * 6
# "- CVP, PCVP_2;": an underscore before digits marks a subscript copy count.
_SUBSCRIPT = re.compile(r"_(\d+)")
CHANGE_STYLES = {style.value: style for style in ChangeStyle}

# [wording] keys: (key, required, default when left out)
_TEXTS: tuple[tuple[str, bool, str], ...] = (
    ("subject", True, ""),
    ("subject_short", False, ""),
    ("proposal", True, ""),
    ("proposing_body", True, ""),
    ("submission_symbol", True, ""),
    ("article_1", True, ""),
    ("article_1_note", False, "(Chi tiết tại Phụ lục kèm theo)"),
    ("article_2", True, ""),
    ("article_3", True, ""),
    ("closing", False, "Quyết định này có hiệu lực thi hành kể từ ngày ký./."),
    ("appendix_title", True, ""),
    ("scale_heading", True, ""),
    ("grades_heading", False, ""),
    ("results_heading", True, ""),
    ("pillars_heading", False, "Xếp hạng theo chỉ số chính"),
    ("unranked_heading", False, "Đơn vị tham gia đánh giá nhưng không xếp hạng"),
    ("prior_blank", False, ""),
)
# Every key [wording] may have.
WORDING_KEYS = (
    "subject",
    "subject_short",
    "title",
    "legal_bases",
    *(key for key, _, _ in _TEXTS[2:]),
    "recipients",
    "change_style",
)
# Texts printed as they are: no placeholder is filled in them.
_PLAIN = {"subject", "subject_short", "proposing_body", "submission_symbol", "prior_blank"}


def fill(text: str, values: Mapping[str, str]) -> str:
    """The text with its {placeholders} filled; the parser has checked every name."""
    return text.format_map(values)


def recipient_pieces(line: str) -> list[tuple[str, bool]]:
    """`- CVP, PCVP_2;` -> [("- CVP, PCVP", False), ("2", True), (";", False)]."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _SUBSCRIPT.finditer(line):
        if match.start() > position:
            pieces.append((line[position : match.start()], False))
        pieces.append((match.group(1), True))
        position = match.end()
    if position < len(line):
        pieces.append((line[position:], False))
    return pieces


class WordingReader(FieldReader):
    """The wording sections of a rules file."""

    def document(self, table: Any) -> DocumentSettings | None:
        if not isinstance(table, dict):
            self.fail("[document]", "Thiếu bảng [document] (tên tỉnh, cơ quan ban hành...).")
            return None
        where = "document."
        table = self.known(table, "document", where)
        issuer = self.lines(table, "issuer", where)
        output_file = self.text(table, "output_file", where, required=False) or (
            "quyet-dinh-xep-hang-{nam}.docx"
        )
        self.check_output_file(output_file)
        return DocumentSettings(
            province=self.text(table, "province", where),
            place=self.text(table, "place", where),
            issuer=issuer,
            issuer_short=self.text(table, "issuer_short", where),
            authority=self.text(table, "authority", where),
            decision_symbol=self.text(table, "decision_symbol", where),
            output_file=output_file,
        )

    def check_output_file(self, pattern: str) -> None:
        key = "document.output_file"
        try:
            name = pattern.format(nam=2020)
        except (KeyError, IndexError, ValueError):
            self.fail(key, "Chỉ được dùng chỗ trống {nam} (năm đánh giá) trong tên tệp.")
            return
        if not name.lower().endswith(".docx"):
            self.fail(key, "Tên tệp quyết định phải có đuôi .docx.")
        if any(mark in name for mark in "/\\:") or name.startswith("."):
            self.fail(key, "Chỉ ghi tên tệp, không ghi thư mục (không có / \\ : hay dấu chấm đầu).")

    def info_fields(self, items: Any) -> tuple[InfoField, ...]:
        if items is None:
            return ()
        if not isinstance(items, list):
            self.fail("[[info_fields]]", "Phải là các bảng [[info_fields]] (key, name, blank).")
            return ()
        fields: list[InfoField] = []
        for where, item in self.tables(items, "info_fields", "mục"):
            name = self.text(item, "name", where)
            if name and (not _NAME.match(name) or name in PLACEHOLDERS):
                self.fail(
                    f"{where}name",
                    f"Tên chỗ trống {name!r} phải viết thường không dấu (a-z, 0-9, _) và khác "
                    f"các tên có sẵn: {', '.join(PLACEHOLDERS)}.",
                )
            fields.append(
                InfoField(
                    key=self.text(item, "key", where),
                    name=name,
                    blank=self.optional_text(item, "blank", where, _BLANK) or _BLANK,
                )
            )
        return tuple(fields)

    def wording(
        self, table: Any, signature: Any, email: Any, extra_names: tuple[str, ...]
    ) -> Wording | None:
        if not isinstance(table, dict):
            self.fail(
                "[wording]",
                "Thiếu bảng [wording]: chủ đề, trích yếu, căn cứ, các điều, nơi nhận, tiêu đề "
                "phụ lục (xem README, mục «Tỉnh khác cần sửa gì»).",
            )
            return None
        allowed = (*PLACEHOLDERS, *extra_names)
        where = "wording."
        table = self.known(table, "wording", where)
        if isinstance(signature, dict):
            signature = self.known(signature, "signature", "signature.")
        if isinstance(email, dict):
            email = self.known(email, "email", "email.")
        texts = {}
        for key, required, default in _TEXTS:
            value = (
                self.text(table, key, where)
                if required
                else self.optional_text(table, key, where, default)
            )
            if key not in _PLAIN:
                self.check_placeholders(f"{where}{key}", value, allowed)
            texts[key] = value
        title = self.lines(table, "title", where)
        if title and len(title) != 2:
            self.fail(
                f"{where}title",
                f"Trích yếu phải có đúng hai dòng (đang có {len(title)}), như mẫu Quyết định "
                "của Nghị định 30/2020/NĐ-CP.",
            )
        legal_bases = self.lines(table, "legal_bases", where)
        recipients = self.lines(table, "recipients", where)
        for key, lines in (
            ("title", title),
            ("legal_bases", legal_bases),
            ("recipients", recipients),
        ):
            for line in lines:
                self.check_placeholders(f"{where}{key}", line, allowed)
        style_name = self.optional_text(table, "change_style", where, "signed")
        style = CHANGE_STYLES.get(style_name)
        if style is None:
            self.fail(
                f"{where}change_style", f'Phải là "signed" hoặc "words", đang là {style_name!r}.'
            )
        above = self.lines(signature or {}, "above", "signature.", required=False)
        if signature is not None and not isinstance(signature, dict):
            self.fail("[signature]", "Phải là một bảng (above = [...]).")
        if not isinstance(email, dict):
            self.fail("[email]", "Thiếu bảng [email] (subject, salutation của thư gửi dự thảo).")
            email = {}
        email_subject = self.text(email, "subject", "email.")
        salutation = self.text(email, "salutation", "email.")
        for key, value in (("subject", email_subject), ("salutation", salutation)):
            self.check_placeholders(f"email.{key}", value, allowed)
        if len(title) != 2 or style is None:
            return None
        return Wording(
            subject=texts["subject"],
            subject_short=texts["subject_short"] or texts["subject"],
            title=(title[0], title[1]),
            legal_bases=legal_bases,
            proposal=texts["proposal"],
            proposing_body=texts["proposing_body"],
            submission_symbol=texts["submission_symbol"],
            article_1=texts["article_1"],
            article_1_note=texts["article_1_note"],
            article_2=texts["article_2"],
            article_3=texts["article_3"],
            closing=texts["closing"],
            recipients=recipients,
            appendix_title=texts["appendix_title"],
            scale_heading=texts["scale_heading"],
            grades_heading=texts["grades_heading"],
            results_heading=texts["results_heading"],
            pillars_heading=texts["pillars_heading"],
            unranked_heading=texts["unranked_heading"],
            prior_blank=texts["prior_blank"],
            change_style=style,
            signature_above=above,
            email_subject=email_subject,
            email_salutation=salutation,
        )

    def check_placeholders(self, key: str, text: str, allowed: tuple[str, ...]) -> None:
        try:
            parts = list(string.Formatter().parse(text))
        except ValueError:
            self.fail(
                key,
                "Dấu ngoặc { } không khớp: chỗ trống viết là {tinh}, {nam}...; muốn in dấu "
                "ngoặc thì gõ hai lần {{ hoặc }}.",
            )
            return
        for _, name, spec, conversion in parts:
            if name is None:
                continue
            if name not in allowed or spec or conversion:
                shown = ", ".join("{" + n + "}" for n in allowed)
                self.fail(key, f"Chỗ trống {{{name}}} không có; dùng được: {shown}.")
