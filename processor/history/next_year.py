"""Next year's list of agencies: last year's, in last year's order, renamed and merged as decided.

Pure: it takes an earlier year's results (from the history or from last year's workbook) and
the successions that take effect by the new year, and says which rows next year's workbook
starts with. A renamed agency keeps its rank; a merged agency gets no prior rank here, because
which rank it carries (none, the best of its predecessors, their mean re-ranked) is the
profile's rule, applied when the decision is made (processor/core/prior_years.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from processor.core.past import PastYear, Succession, agency_key


@dataclass(frozen=True, slots=True)
class NewRow:
    """One agency's row in next year's score sheet, before any score is typed."""

    name: str
    group: str  # the group code, as last year
    prior_rank: int | None  # last year's rank; None: not ranked, new, or merged
    unranked_reason: str | None = None  # carried over when last year's workbook gave one


@dataclass(frozen=True, slots=True)
class NextYear:
    """The rows, and what was done to last year's list to get them (for the summary)."""

    rows: tuple[NewRow, ...]
    renamed: tuple[tuple[str, str], ...] = ()  # (last year's name, the new name)
    merged: tuple[tuple[tuple[str, ...], str], ...] = ()  # (the names merged, the new name)
    notes: tuple[str, ...] = ()  # Vietnamese: successions that found nothing to apply to


def next_year(
    past: PastYear,
    year: int,
    successions: Sequence[Succession] = (),
    group_order: Sequence[str] = (),
    reasons: Mapping[str, str] | None = None,
) -> NextYear:
    """Every agency of `past`, by group (in `group_order`, then any other group as met) and by
    last year's rank (the unranked after the ranked), with the successions effective after
    `past.year` and by `year` applied in the order of their years.

    `reasons` maps an agency's key (agency_key) to why it was not ranked last year; it is
    carried over to the row, except through a merger.
    """
    reasons = reasons or {}
    order = {code: index for index, code in enumerate(group_order)}
    seen: dict[str, int] = {}
    for agency in past.agencies:
        seen.setdefault(agency.group, len(order) + len(seen))
    position = {**seen, **order}
    ranked = sorted(
        enumerate(past.agencies),
        key=lambda item: (
            position[item[1].group],
            item[1].rank is None,
            item[1].rank or 0,
            item[0],
        ),
    )
    rows = [
        NewRow(a.name, a.group, a.rank, reasons.get(agency_key(a.name)) if a.rank is None else None)
        for _, a in ranked
    ]
    due = sorted((s for s in successions if past.year < s.year <= year), key=lambda s: s.year)
    renamed: list[tuple[str, str]] = []
    merged: list[tuple[tuple[str, ...], str]] = []
    notes: list[str] = []
    for succession in due:
        rows = _apply(succession, rows, past.year, renamed, merged, notes)
    return NextYear(tuple(rows), tuple(renamed), tuple(merged), tuple(notes))


def _apply(
    succession: Succession,
    rows: list[NewRow],
    past_year: int,
    renamed: list[tuple[str, str]],
    merged: list[tuple[tuple[str, ...], str]],
    notes: list[str],
) -> list[NewRow]:
    """The rows after one succession: the rows it names become one row with the new name."""
    olds = {agency_key(name) for name in succession.old_names}
    new = agency_key(succession.new_name)
    members = [i for i, row in enumerate(rows) if agency_key(row.name) in olds | {new}]
    missing = [
        n for n in succession.old_names if all(agency_key(r.name) != agency_key(n) for r in rows)
    ]
    where = f" ({succession.place})" if succession.place else ""
    if missing:
        listed = ", ".join(f"«{name}»" for name in missing)
        notes.append(
            f"{listed} không có trong danh sách đơn vị năm {past_year} nên không có gì để "
            f"chuyển sang «{succession.new_name}»{where}."
        )
    if not members:
        return rows
    first = rows[members[0]]
    if len(members) == 1 and not succession.is_merger:
        if agency_key(first.name) != new:
            renamed.append((first.name, succession.new_name))
            rows[members[0]] = replace(first, name=succession.new_name)
        return rows
    names = tuple(rows[i].name for i in members)
    groups = {rows[i].group for i in members}
    if len(groups) > 1:
        notes.append(
            f"Các đơn vị hợp nhất thành «{succession.new_name}»{where} năm trước ở các nhóm "
            f"{', '.join(sorted(groups))}; đơn vị mới được đặt vào nhóm {first.group} (nhóm của "
            f"«{first.name}»); sửa ô Nhóm nếu cần."
        )
    merged.append((names, succession.new_name))
    rows[members[0]] = NewRow(succession.new_name, first.group, None)
    dropped = set(members[1:])
    return [row for i, row in enumerate(rows) if i not in dropped]
