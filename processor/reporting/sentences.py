"""The summary's short paragraph per group, written from the computed table by fixed templates.

Nothing here computes a figure: every number is read from the Report objects (tables.py) and
printed the Vietnamese way at the rules' precision; every sentence is a template of
processor.core.report_wording (a province may reword it in [report] of its rules file). A
sentence with nothing to say (no ranked agency, no prior year, nobody moved) is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from processor.core.formatting import format_number, format_points
from processor.core.report_wording import report_text
from processor.reporting.model import GroupReport, Leader, LevelCount, Mover, Report, Stats

NAMED = 3  # a list of tied agencies names at most this many, then "và N đơn vị khác"
SHORT_NAME = 40  # an index name longer than this is cut in a sentence (tables keep it whole)


def summary_title(report: Report) -> str:
    """The summary's title line (capitals: the subject is upper-cased, Decree 30's title form)."""
    return report_text(report.texts, "summary_title", **_subject(report))


def summary_intro(report: Report) -> str:
    agencies = sum(group.ranked + group.unranked for group in report.groups)
    return report_text(
        report.texts,
        "summary_intro",
        so_don_vi=count(agencies),
        so_nhom=count(len(report.groups)),
        **_subject(report),
    )


def _subject(report: Report) -> dict[str, str]:
    return {
        "chu_de_hoa": report.subject_short.upper(),
        "chu_de": report.subject,
        "chu_de_ngan": report.subject_short,
        "tinh": report.province,
        "nam": str(report.year),
    }


def group_sentences(report: Report, group: GroupReport) -> tuple[str, ...]:
    """The group's paragraph, one sentence a figure family, in the order the tables follow."""
    return tuple(sentence for part in group_paragraphs(report, group) for sentence in part)


def group_paragraphs(report: Report, group: GroupReport) -> tuple[tuple[str, ...], ...]:
    """`group_sentences` in three parts: the figures, the movers, the leaders (empty ones left
    out), so the summary can print them as three short paragraphs."""
    texts = report.texts
    figures = [
        report_text(
            texts,
            "group_count",
            nhom=group.label or group.code,
            ten_nhom=group.title,
            so_don_vi=count(group.ranked),
        )
    ]
    if group.unranked:
        figures.append(report_text(texts, "group_unranked", so_don_vi=count(group.unranked)))
    if group.totals is None:
        return (tuple(figures),)
    ranked = group.cards[: group.ranked]
    figures.append(
        _stats_sentence(
            report,
            "group_totals",
            group.totals,
            report.precision,
            [(card.name, card.total) for card in ranked],
            maximum=group.max_points,
        )
    )
    if group.percents is not None:
        figures.append(
            _stats_sentence(
                report,
                "group_percents",
                group.percents,
                report.percent_precision,
                [(card.name, card.percent) for card in ranked],
            )
        )
    levels = [level for level in group.levels if level.count]
    if levels:
        listed = ", ".join(f"{level.grade} {count(level.count)} đơn vị" for level in levels)
        figures.append(report_text(texts, "group_levels", muc_do=listed))
    changes = _level_changes(group.levels)
    if changes:
        before = report.prior_year if report.prior_year is not None else report.year - 1
        figures.append(
            report_text(texts, "group_levels_change", nam_truoc=str(before), thay_doi=changes)
        )
    moved = []
    if group.movers_up:
        moved.append(report_text(texts, "group_up", danh_sach=movers(group.movers_up)))
    if group.movers_down:
        moved.append(report_text(texts, "group_down", danh_sach=movers(group.movers_down)))
    leaders = [leader_phrase(report, leader) for leader in group.leaders if _leads(leader)]
    led = []
    if leaders:
        kind = "chỉ số chính" if report.index_kind == "pillar" else "tiêu chí"
        led.append(report_text(texts, "group_leaders", danh_sach="; ".join(leaders), loai=kind))
    return tuple(tuple(part) for part in (figures, moved, led) if part)


def _stats_sentence(
    report: Report,
    key: str,
    stats: Stats,
    precision: int,
    values: Sequence[tuple[str, Decimal | None]],
    maximum: Decimal | None = None,
) -> str:
    def fmt(value: Decimal) -> str:
        return format_number(value, precision)

    def holders(value: Decimal) -> str:
        printed = fmt(value)
        return names([name for name, v in values if v is not None and fmt(v) == printed])

    return report_text(
        report.texts,
        key,
        trung_binh=fmt(stats.mean),
        trung_vi=fmt(stats.median),
        cao_nhat=fmt(stats.best),
        dan_dau=holders(stats.best),
        thap_nhat=fmt(stats.worst),
        cuoi_bang=holders(stats.worst),
        chenh_lech=fmt(stats.spread),
        toi_da="" if maximum is None else format_points(maximum),
    )


def _level_changes(levels: Sequence[LevelCount]) -> str:
    """ "Tốt tăng 2 đơn vị (từ 10 lên 12), Khá giữ nguyên 4 đơn vị"; "" without last year."""
    phrases = []
    for level in levels:
        if level.prior is None or (level.prior == 0 and level.count == 0):
            continue
        change = level.count - level.prior
        if change > 0:
            phrases.append(
                f"{level.grade} tăng {count(change)} đơn vị "
                f"(từ {count(level.prior)} lên {count(level.count)})"
            )
        elif change < 0:
            phrases.append(
                f"{level.grade} giảm {count(-change)} đơn vị "
                f"(từ {count(level.prior)} xuống {count(level.count)})"
            )
        else:
            phrases.append(f"{level.grade} giữ nguyên {count(level.count)} đơn vị")
    return ", ".join(phrases)


def movers(moved: Sequence[Mover]) -> str:
    """ "Sở A (từ hạng 9 lên hạng 4, tăng 5 bậc); Sở B (…)"."""
    return "; ".join(mover_phrase(mover) for mover in moved)


def mover_phrase(mover: Mover) -> str:
    way, verb = ("lên", "tăng") if mover.change > 0 else ("xuống", "giảm")
    return (
        f"{mover.name} (từ hạng {count(mover.prior_rank)} {way} hạng {count(mover.rank)}, "
        f"{verb} {count(abs(mover.change))} bậc)"
    )


def _leads(leader: Leader) -> bool:
    """A deduction (maximum 0) has no leader worth naming: the best there lost nothing."""
    return leader.maximum is None or leader.maximum > 0


def leader_phrase(report: Report, leader: Leader) -> str:
    """ "TC1.1 Hạ tầng kỹ thuật…: Sở X (7,85/8 điểm)"; many tied: "5 đơn vị cùng đạt 8,00/8"."""
    score = format_number(leader.score, report.precision)
    if leader.maximum is not None:
        score += "/" + format_points(leader.maximum)
    label = index_label(leader.code, leader.name)
    if len(leader.agencies) > NAMED:
        return f"{label}: {count(len(leader.agencies))} đơn vị cùng đạt {score} điểm"
    return f"{label}: {names(leader.agencies)} ({score} điểm)"


def index_label(code: str, name: str) -> str:
    """The code and a name short enough for a sentence."""
    short = short_name(name)
    return f"{code} {short}" if short else code


def short_name(name: str) -> str:
    """A long criterion name cut at its first clause (or word boundary), with "…"."""
    name = " ".join(name.split())
    if len(name) <= SHORT_NAME:
        return name
    cut = name
    for mark in (":", "(", ";", ","):
        head = cut.split(mark, 1)[0].strip()
        if head:
            cut = head
    words: list[str] = []
    for word in cut.split():
        if len(" ".join([*words, word])) > SHORT_NAME:
            break
        words.append(word)
    return " ".join(words) + "…"


def names(agencies: Sequence[str]) -> str:
    """ "A", "A và B", "A, B và C"; more than three: "A, B, C và 4 đơn vị khác"."""
    if len(agencies) > NAMED:
        shown = ", ".join(agencies[:NAMED])
        return f"{shown} và {count(len(agencies) - NAMED)} đơn vị khác"
    if len(agencies) <= 1:
        return "".join(agencies)
    if any(" và " in name for name in agencies):  # "Sở A và B và Sở C" would read as three
        return ", ".join(agencies)
    return ", ".join(agencies[:-1]) + " và " + agencies[-1]


def count(value: int) -> str:
    """A count or a rank, the Vietnamese way ("1.000")."""
    return format_number(Decimal(value), 0)
