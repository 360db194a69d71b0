"""A small decision made up from a profile's rules: every kind of row the template can print.

The checks use it twice. Before filling, its shape joins the workbook's, so that a misspelt key
in a part of the template this year's workbook does not reach (the unranked agencies, the main
indices, the footnotes) is found now, not the year that part is first printed. And `config
check` fills the configured template with it, so a broken template is found when it is
installed. Each group has two ranked agencies (one new, without last year's rank) and one
assessed but not ranked; the first agency is a merged one, with the footnote saying so.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from processor.core.decision import build_context, wording_values
from processor.core.model import AgencyScores, DecisionInfo, Rules
from processor.core.scoring import evaluate
from processor.core.wording import fill

_SHARES = (Decimal("0.9"), Decimal("0.8"), Decimal("0.7"))


def sample_agencies(rules: Rules) -> list[AgencyScores]:
    agencies = []
    row = 2
    for group in rules.groups:
        for number, share in enumerate(_SHARES, start=1):
            scores = {
                c.code: Decimal(0) if c.deduction else c.max_points[group.code] * share
                for c in rules.criteria
                if c.applies_to(group.code)
            }
            agencies.append(
                AgencyScores(
                    row=row,
                    name=f"Đơn vị mẫu {number} nhóm {group.code}",
                    group=group.code,
                    prior_rank=None if number == 2 else number,
                    scores=scores,
                    unranked_reason="Ví dụ lý do không xếp hạng" if number == 3 else None,
                    prior_note=0 if row == 2 else None,
                )
            )
            row += 1
    return agencies


def sample_context(rules: Rules, year: int = 2020) -> dict[str, Any]:
    """The context of a plausible decision for `rules`, with every list holding something."""
    info = DecisionInfo(
        year=year,
        submission_number="01",
        submission_date=date(year + 1, 1, 8),
        signer="Nguyễn Văn A",
        signer_title=("CHỦ TỊCH",),
        decision_number="02",
        decision_date=date(year + 1, 1, 15),
        extra={field.name: f"ví dụ {field.key}" for field in rules.info_fields},
    )
    agencies = sample_agencies(rules)
    notes = rules.prior_notes
    values = wording_values(rules, info)
    item = fill(
        notes.merged_item, {**values, "moi": agencies[0].name, "cu": "Đơn vị A và Đơn vị B"}
    )
    note = fill(notes.merged_best, {**values, "don_vi": item})
    return build_context(rules, info, evaluate(rules, agencies), notes=(note,))


def try_template(template: Path, rules: Rules) -> None:
    """Fill `template` with the sample decision and check it before and after filling.

    TemplateDamaged (an InputError) says where the template is broken; nothing is written.
    """
    from processor.writing.rendering import render_decision
    from processor.writing.template_problems import TemplateDamaged

    try:
        render_decision(template, sample_context(rules))
    except TemplateDamaged as exc:
        if not template.is_file():
            raise
        raise TemplateDamaged(
            template,
            f"Mẫu Word {template} bị hỏng ({len(exc.problems)} chỗ, tìm thấy khi điền thử một "
            "quyết định mẫu): sửa mẫu theo các dòng dưới đây (README.md, mục «Sửa mẫu Word») "
            "rồi chạy lại config check. Trong lúc đó inbox và watch từ chối mọi bảng tính.",
            exc.problems,
        ) from None
