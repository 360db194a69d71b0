"""Last year's rank of each agency: the workbook's, else the history's, through renames and mergers.

Pure. The workbook's `Xếp hạng năm trước` wins whenever it is typed (the council has the last
word); a blank cell is filled from last year's results in the history, found by the agency's
name (agency_key), but only when the agency was in the same group (a rank in another group is
no rank to compare with). A difference between the two is a warning naming the cell.

Successions taking effect this year (the crosswalk: the workbook's sheet and the profile) say
who last year's agencies are now. A renamed agency takes its old name's rank. A merged agency
follows the profile's [prior] merge_rule: none (no prior rank), best (the best rank of its
predecessors in its group), or mean (its predecessors' mean total, or percent when last year
ranked by percent, ranked again against the rest of last year's group, as the national index
did for merged provinces). The decision says so in a footnote, one per rule used, listing the
agencies it explains; their prior-rank cells carry the footnote's sign (decision.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum

from processor.core.criteria_change import criteria_changes
from processor.core.decision import wording_values
from processor.core.merge_rank import merged_rank
from processor.core.model import AgencyScores, Evaluation, Rules
from processor.core.near_miss import closest
from processor.core.past import MergeRule, PastAgency, PastYear, Succession, agency_key
from processor.core.problems import Problem, Severity
from processor.core.sheet import SCORE_SHEET
from processor.core.wording import fill

CROSSWALK = "«Sáp nhập - đổi tên»"  # the sheet, as messages name it
_LISTED = 10  # names listed in one message


@dataclass(frozen=True, slots=True)
class PastApplied:
    """The evaluation with its prior ranks settled, what to tell the secretary, and the
    decision's footnotes (each agency's `prior_note` is an index into `notes`)."""

    evaluation: Evaluation
    warnings: tuple[Problem, ...]
    notes: tuple[str, ...]


class _Kind(Enum):
    """Which footnote explains an agency's prior rank, in the order the notes are printed."""

    BEST = "best"
    MEAN = "mean"
    NONE = "none"
    TYPED = "typed"
    RENAMED = "renamed"


_RULE_KIND = {MergeRule.BEST: _Kind.BEST, MergeRule.MEAN: _Kind.MEAN, MergeRule.NONE: _Kind.NONE}
_RULE_WORDS = {
    MergeRule.BEST: "thứ hạng cao nhất của các đơn vị được hợp nhất",
    MergeRule.MEAN: "điểm trung bình của các đơn vị được hợp nhất xếp lại trong nhóm năm trước",
}


def apply_past(
    rules: Rules,
    evaluation: Evaluation,
    past: PastYear | None,
    successions: Sequence[Succession],
    prior_column: str | None,
) -> PastApplied:
    """Settle every agency's prior rank; `past` is last year's results of this profile (None
    without a history), `prior_column` the place of the prior-rank column (`Điểm!D`; see
    validation/crosswalk.prior_column), so that a warning names the cell."""
    year = evaluation.info.year
    warnings: list[Problem] = []
    if past is not None and past.year != year - 1:
        warnings.append(
            Problem(
                "Lịch sử",
                f"Kết quả gần nhất trong lịch sử là năm {past.year}, không phải năm {year - 1}: "
                "không lấy thứ hạng năm trước từ lịch sử.",
                Severity.WARNING,
            )
        )
        past = None
    if past is not None:
        changed = criteria_changes(rules, past)
        if changed is not None:
            warnings.append(changed)
    settler = _Settler(rules, past, [s for s in successions if s.year == year], prior_column)
    settled = [settler.settle(agency) for agency in evaluation.agencies]
    warnings += settler.warnings
    warnings += settler.leftovers(evaluation.agencies)
    notes, indices = settler.notes(wording_values(rules, evaluation.info))
    agencies = tuple(
        replace(agency, prior_rank=rank, prior_note=indices.get(kind) if kind else None)
        for agency, (rank, kind) in zip(evaluation.agencies, settled, strict=True)
    )
    return PastApplied(replace(evaluation, agencies=agencies), tuple(warnings), notes)


def join_names(names: Sequence[str]) -> str:
    """`A`, `A và B`, `A, B và C`."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]


def listed(names: Sequence[str]) -> str:
    shown = ", ".join(f"«{n}»" for n in names[:_LISTED])
    more = len(names) - _LISTED
    return shown + (f" và {more} đơn vị khác" if more > 0 else "")


class _Settler:
    """Who each agency was last year, and the prior rank that follows."""

    def __init__(
        self,
        rules: Rules,
        past: PastYear | None,
        due: Sequence[Succession],
        prior_column: str | None,
    ):
        self.rules = rules
        self.past = past
        self.due = due
        self.column = prior_column
        self.warnings: list[Problem] = []
        self.forward: dict[str, str] = {}  # old key -> new name
        self.declared: dict[str, dict[str, str]] = {}  # new key -> old key -> old name
        for succession in due:
            olds = self.declared.setdefault(agency_key(succession.new_name), {})
            for name in succession.old_names:
                self.forward[agency_key(name)] = succession.new_name
                olds.setdefault(agency_key(name), name)
        self.before: dict[str, list[PastAgency]] = {}  # new key -> last year's agencies
        for agency in past.agencies if past is not None else ():
            target = agency_key(self.forward.get(agency_key(agency.name), agency.name))
            self.before.setdefault(target, []).append(agency)
        self.explained: dict[_Kind, list[tuple[str, tuple[str, ...]]]] = {}

    # -- one agency ------------------------------------------------------------------------

    def place(self, agency: AgencyScores) -> str:
        if self.column is None:
            return f"{SCORE_SHEET}!{agency.row}:{agency.row}"
        sheet_column = self.column if "!" in self.column else f"{SCORE_SHEET}!{self.column}"
        return f"{sheet_column}{agency.row}"

    def warn(self, agency: AgencyScores, message: str) -> None:
        self.warnings.append(Problem(self.place(agency), message, Severity.WARNING, agency.name))

    def settle(self, agency: AgencyScores) -> tuple[int | None, _Kind | None]:
        """The prior rank, and the footnote that explains it (None: nothing to explain)."""
        key = agency_key(agency.name)
        olds = self.declared.get(key, {})
        before = self.before.get(key, [])
        names = dict(olds)
        names.update(
            (agency_key(p.name), p.name) for p in before if agency_key(p.name) not in names
        )
        moved = self.forward.get(key)
        if moved is not None and agency_key(moved) != key:
            self.warn(
                agency,
                f"Sheet {CROSSWALK} hoặc tệp quy tắc ghi «{agency.name}» đã đổi tên hoặc hợp "
                f"nhất thành «{moved}», nhưng bảng điểm vẫn có «{agency.name}»; kiểm tra lại.",
            )
        if len(names) >= 2:
            return self.merged(agency, olds, before, tuple(names.values()))
        if names and key not in names:
            old_name = next(iter(names.values()))
            rank = self.direct(agency, before[0] if before else None, old_name)
            typed = self.typed(agency, rank)
            shown = typed if typed is not None else rank
            if shown is None:
                return None, None
            self.explain(_Kind.RENAMED, agency, (old_name,))
            return shown, _Kind.RENAMED
        rank = self.direct(agency, before[0] if before else None, None)
        typed = self.typed(agency, rank)
        return (typed if typed is not None else rank), None

    def typed(self, agency: AgencyScores, derived: int | None) -> int | None:
        """The workbook's own prior rank; a different one from the history is a warning."""
        typed = agency.prior_rank
        if typed is not None and derived is not None and typed != derived:
            assert self.past is not None
            self.warn(
                agency,
                f"Xếp hạng năm trước ghi trong bảng điểm là {typed}, theo kết quả năm "
                f"{self.past.year} trong lịch sử là {derived}; dùng {typed} như bảng điểm ghi. "
                "Kiểm tra lại nếu ghi nhầm.",
            )
        return typed

    def direct(
        self, agency: AgencyScores, before: PastAgency | None, old: str | None
    ) -> int | None:
        """Last year's rank of the agency itself (or of its old name): only in the same group."""
        past = self.past
        if past is None:
            return None
        if before is None:
            if old is not None:
                self.warn(
                    agency,
                    f"«{old}» (tên cũ của «{agency.name}») không có trong kết quả "
                    f"năm {past.year}; không có thứ hạng năm trước để lấy.",
                )
            else:
                self.new(agency, past)
            return None
        if before.group != agency.group:
            self.warn(
                agency,
                f"Năm {past.year} «{before.name}» thuộc nhóm {before.group}, năm nay thuộc "
                f"nhóm {agency.group}: thứ hạng trong nhóm khác không so sánh được, nên "
                "không lấy thứ hạng năm trước từ lịch sử.",
            )
            return None
        return before.rank

    def new(self, agency: AgencyScores, past: PastYear) -> None:
        if agency.prior_rank is None:
            rest = "nên không có thứ hạng năm trước"
        else:
            rest = f"; giữ thứ hạng {agency.prior_rank} ghi trong bảng điểm"
        self.warn(
            agency,
            f"«{agency.name}» không có trong kết quả năm {past.year} {rest}. Nếu đơn vị đổi tên "
            f"hoặc hợp nhất, khai báo ở sheet {CROSSWALK} để lấy thứ hạng năm trước.",
        )

    def merged(
        self,
        agency: AgencyScores,
        olds: dict[str, str],
        before: list[PastAgency],
        names: tuple[str, ...],
    ) -> tuple[int | None, _Kind]:
        """A merged agency's prior rank by the profile's rule; the workbook's still wins."""
        rule, past = self.rules.merge_rule, self.past
        derived = None
        if past is not None:
            found = {agency_key(p.name) for p in before}
            absent = [name for key, name in olds.items() if key not in found]
            if absent:
                known = [p.name for p in past.agencies]
                guesses = [f"«{g}»" for n in absent if (g := closest(n, known)) is not None]
                hint = f" Có phải {', '.join(guesses)}?" if guesses else ""
                self.warn(
                    agency,
                    f"Không có {listed(absent)} trong kết quả năm {past.year}; "
                    f"thứ hạng năm trước của «{agency.name}» chỉ tính từ các đơn vị còn "
                    f"lại, và chú thích in đúng tên như sheet {CROSSWALK} ghi.{hint}",
                )
            same = [p for p in before if p.group == agency.group and p.rank is not None]
            elsewhere = [p.name for p in before if p.group != agency.group]
            if elsewhere and rule is not MergeRule.NONE:
                self.warn(
                    agency,
                    f"Năm {past.year} {listed(elsewhere)} không thuộc nhóm "
                    f"{agency.group}: không tính vào thứ hạng năm trước của "
                    f"«{agency.name}».",
                )
            derived = merged_rank(rule, same, before, agency.group, past, self.rules.ties)
            if derived is None and rule is not MergeRule.NONE and agency.prior_rank is None:
                self.warn(
                    agency,
                    f"Không đơn vị nào được hợp nhất thành «{agency.name}» có "
                    f"thứ hạng năm {past.year} trong nhóm {agency.group}: không có thứ "
                    "hạng năm trước.",
                )
        elif rule is not MergeRule.NONE and agency.prior_rank is None:
            self.warn(
                agency,
                f"Không có kết quả năm trước trong lịch sử nên không tính được "
                f"thứ hạng năm trước của «{agency.name}» theo {_RULE_WORDS[rule]}; ghi "
                "tay vào ô nếu cần.",
            )
        typed = agency.prior_rank
        if typed is not None:
            own = next(
                (p.rank for p in before if agency_key(p.name) == agency_key(agency.name)), None
            )
            prefilled = (
                f" Số {typed} là thứ hạng năm {past.year} của chính «{agency.name}» (lệnh init "
                "điền sẵn trước khi khai báo hợp nhất?): xóa ô này để áp dụng quy tắc hợp nhất."
                if past is not None and own == typed
                else ""
            )
            if derived is not None and typed != derived:
                self.warn(
                    agency,
                    f"Xếp hạng năm trước ghi trong bảng điểm là {typed}, theo "
                    f"quy tắc của đơn vị hợp nhất ({_RULE_WORDS[rule]}) là {derived}; dùng "
                    f"{typed} như bảng điểm ghi.{prefilled}",
                )
            elif typed is not None and rule is MergeRule.NONE and past is not None:
                self.warn(
                    agency,
                    f"Quy tắc của bộ mẫu là đơn vị hợp nhất không có thứ hạng năm "
                    f"trước, nhưng bảng điểm ghi {typed}; dùng {typed} như bảng điểm "
                    f"ghi.{prefilled}",
                )
            kind = _RULE_KIND[rule] if typed == derived else _Kind.TYPED
            self.explain(kind, agency, names)
            return typed, kind
        kind = _RULE_KIND[rule] if derived is not None else _Kind.NONE
        self.explain(kind, agency, names)
        return derived, kind

    def explain(self, kind: _Kind, agency: AgencyScores, names: tuple[str, ...]) -> None:
        self.explained.setdefault(kind, []).append((agency.name, names))

    # -- the whole year --------------------------------------------------------------------

    def leftovers(self, agencies: Sequence[AgencyScores]) -> list[Problem]:
        """Last year's agencies nobody took over, and successions naming no agency now."""
        found: list[Problem] = []
        here = {agency_key(a.name) for a in agencies}
        for succession in self.due:
            if agency_key(succession.new_name) not in here:
                found.append(
                    Problem(
                        succession.place,
                        f"«{succession.new_name}» (tên mới) không có trong sheet «{SCORE_SHEET}»; "
                        "kiểm tra lại cách viết tên.",
                        Severity.WARNING,
                    )
                )
        if self.past is not None:
            gone = [p.name for key, ps in self.before.items() if key not in here for p in ps]
            if gone:
                found.append(
                    Problem(
                        SCORE_SHEET,
                        f"{len(gone)} đơn vị trong kết quả năm {self.past.year} không có trong "
                        f"bảng điểm năm nay: {listed(gone)}. Nếu đơn vị đổi tên hoặc hợp nhất, "
                        f"khai báo ở sheet {CROSSWALK} để giữ thứ hạng năm trước.",
                        Severity.WARNING,
                    )
                )
        return found

    def notes(self, values: dict[str, str]) -> tuple[tuple[str, ...], dict[_Kind, int]]:
        """One footnote per rule used, listing the agencies it explains."""
        wording = self.rules.prior_notes
        texts = {
            _Kind.BEST: wording.merged_best,
            _Kind.MEAN: wording.merged_mean,
            _Kind.NONE: wording.merged_none,
            _Kind.TYPED: wording.merged_typed,
            _Kind.RENAMED: wording.renamed,
        }
        notes: list[str] = []
        indices: dict[_Kind, int] = {}
        for kind in _Kind:
            explained = self.explained.get(kind)
            if not explained:
                continue
            item = wording.renamed_item if kind is _Kind.RENAMED else wording.merged_item
            items = [
                fill(item, {**values, "moi": new, "cu": join_names(olds)})
                for new, olds in explained
            ]
            indices[kind] = len(notes)
            notes.append(fill(texts[kind], {**values, "don_vi": "; ".join(items)}))
        return tuple(notes), indices
