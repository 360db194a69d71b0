"""`init YEAR`: next year's score workbook, made by the tool from last year's list.

The agencies, their groups and prior ranks come from, in this order of choice: the history
(`--history FILE`: the latest year before YEAR recorded for the profile), last year's workbook
(`--from WORKBOOK`: read and checked like `check`, its ranks computed as `run` would), or the
profile's sample workbook when neither is given. The profile's successions ([[crosswalk]]) and
those a source workbook announces for later years are applied. The workbook is written
atomically and never over an existing file. Every message is Vietnamese; bad input is exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from processor.config.resources import DEFAULT_PROFILE, Profile
from processor.core.model import Rules
from processor.core.past import MergeRule, PastAgency, PastYear, Succession, agency_key
from processor.core.problems import InputError, Problem, errors
from processor.core.report import problem_lines
from processor.history.next_year import NextYear, next_year

EXIT_OK = 0
EXIT_INPUT = 2
SAMPLE_NAME = "bang-diem-mau.xlsx"  # a profile's own sample workbook, in its folder
# The bundled profiles' samples in a source checkout (input_samples/); a wheel carries each as
# its profile's bang-diem-mau.xlsx instead.
REPOSITORY_SAMPLES = {
    "lao-cai-2020": "xep-hang-cntt-2020.xlsx",
    "chuyen-doi-so-2026": "chuyen-doi-so-2026.xlsx",
}
FIRST_YEAR, LAST_YEAR = 1990, 2200
# What becomes of a merged agency's blank prior rank when the decision is made.
MERGE_SENTENCES = {
    MergeRule.NONE: "quyết định in đơn vị này không có thứ hạng năm trước để so sánh",
    MergeRule.BEST: "khi lập quyết định với --history, chương trình lấy thứ hạng cao nhất của các "
    "đơn vị được hợp nhất",
    MergeRule.MEAN: "khi lập quyết định với --history, chương trình lấy thứ hạng mà điểm trung "
    "bình của các đơn vị được hợp nhất đạt được trong nhóm năm trước",
}


@dataclass(frozen=True, slots=True)
class Start:
    """Last year's list, where it came from, and what is applied to it."""

    past: PastYear
    origin: str  # Vietnamese: "lịch sử lich-su.sqlite (năm 2020)"
    successions: tuple[Succession, ...]
    reasons: dict[str, str]  # agency key -> why it was not ranked last year
    emails: dict[str, str] = field(default_factory=dict)  # agency key -> last year's Email cell


def init_command(
    year: int, profile: Profile, history: Path | None, out: Path, source: Path | None
) -> int:
    """Write next year's workbook to `out`; 0 when written, 2 (with the reason) otherwise."""
    from processor.config.rules_file import load_rules

    try:
        _check_arguments(year, history, out, source)
        rules = load_rules(profile.rules)
        start = (
            _from_history(year, profile, rules, history)
            if history is not None
            else _from_workbook(year, profile, rules, source)
        )
        made = next_year(
            start.past, year, start.successions, [g.code for g in rules.groups], start.reasons
        )
        if start.past.year != year - 1:  # not last year's ranks: as run does, none are used
            made = replace(made, rows=tuple(replace(r, prior_rank=None) for r in made.rows))
        _check_groups(rules, made, start)
        _write(rules, year, start, made, out)
    except InputError as exc:
        print(exc.summary, file=sys.stderr)
        for line in problem_lines(exc.problems):
            print(line, file=sys.stderr)
        return EXIT_INPUT
    for line in summary_lines(rules, year, start, made, out, profile):
        print(line)
    return EXIT_OK


def _check_arguments(year: int, history: Path | None, out: Path, source: Path | None) -> None:
    problems = []
    if not FIRST_YEAR <= year <= LAST_YEAR:
        problems.append(
            Problem("NĂM", f"Năm đánh giá phải là một năm, ví dụ 2021; đang là {year}.")
        )
    if history is not None and source is not None:
        problems.append(
            Problem(
                "--history, --from",
                "Chỉ dùng một nguồn: --history (lịch sử các năm) hoặc --from (bảng điểm năm "
                "trước).",
            )
        )
    if out.suffix.lower() != ".xlsx":
        problems.append(
            Problem("--out", f"Tên tệp phải có đuôi .xlsx, ví dụ bang-diem-{year}.xlsx.")
        )
    elif out.exists():
        problems.append(
            Problem(
                str(out),
                "Đã có tệp này; chương trình không ghi đè. Ghi tên khác cho --out, hoặc đổi tên "
                "(xóa) tệp cũ nếu đúng là không cần nữa.",
            )
        )
    if problems:
        raise InputError(f"Chưa lập bảng điểm năm {year}.", problems)


def _from_history(year: int, profile: Profile, rules: Rules, history: Path) -> Start:
    from processor.history.store import open_history

    with open_history(history, create=False) as store:
        past = store.latest(profile.name, before=year)
        if past is None:
            recorded = [f"{e.profile} {e.year}" for e in store.years()]
            listed = ", ".join(recorded) if recorded else "chưa ghi năm nào"
            raise InputError(
                f"Lịch sử {history.name} chưa có năm nào trước năm {year} của bộ mẫu "
                f"«{profile.name}».",
                [
                    Problem(
                        "--history",
                        f"Các năm đã ghi: {listed}. Ghi năm trước vào lịch sử (run --history), "
                        "hoặc lập bảng từ bảng điểm năm trước: --from BẢNG_ĐIỂM.",
                    )
                ],
            )
        run = store.run(profile.name, past.year)
    reasons = {} if run is None else _reasons((a.name, a.unranked_reason) for a in run.agencies)
    origin = f"lịch sử {history.name} (năm {past.year})"
    return Start(past, origin, tuple(rules.successions), reasons)


def _from_workbook(year: int, profile: Profile, rules: Rules, source: Path | None) -> Start:
    """Last year's (or the sample) workbook, checked; its ranks as the decision would give."""
    from processor.core.scoring import evaluate
    from processor.pipeline import inspect

    path = source if source is not None else profile_sample(profile)
    if path is None:
        raise InputError(
            f"Chưa biết lấy danh sách đơn vị năm {year} từ đâu.",
            [
                Problem(
                    "--history, --from",
                    "Ghi --history TỆP (lịch sử các năm) hoặc --from BẢNG_ĐIỂM (bảng điểm năm "
                    f"trước); bộ mẫu «{profile.name}» không có bảng điểm mẫu ({SAMPLE_NAME} "
                    "trong thư mục bộ mẫu).",
                )
            ],
        )
    found = inspect(path, profile.rules)
    evaluation = found.evaluation
    if evaluation is None:
        raise InputError(
            f"Bảng điểm {path.name} có {len(errors(found.problems))} lỗi nên chưa lập được "
            f"bảng điểm năm {year} từ đó; sửa rồi chạy lại (xem thêm lệnh check).",
            list(found.problems),
        )
    if evaluation.info.year >= year:
        what = "--from" if source is not None else f"{path.name} (bảng điểm mẫu của bộ mẫu)"
        raise InputError(
            f"Bảng điểm {path.name} là của năm {evaluation.info.year}, không phải của một năm "
            f"trước năm {year}.",
            [Problem(what, "Ghi bảng điểm của năm trước (--from), hoặc sửa năm cần lập.")],
        )
    groups = evaluate(rules, evaluation.agencies)
    results = [r for g in groups for r in (*g.results, *g.unranked)]
    past = PastYear(
        year=evaluation.info.year,
        profile=profile.name,
        agencies=tuple(
            PastAgency(r.agency.name, r.agency.group, r.rank, r.rounded_total, r.percent)
            for r in results
        ),
    )
    reasons = _reasons((r.agency.name, r.agency.unranked_reason) for r in results)
    emails = _reasons((r.agency.name, r.agency.email) for r in results)
    kind = "bảng điểm" if source is not None else f"bảng điểm mẫu của bộ mẫu {profile.name},"
    origin = f"{kind} {path.name} (năm {evaluation.info.year})"
    successions = _successions(path, rules, evaluation.info.year)
    return Start(past, origin, successions, reasons, emails)


def _successions(path: Path, rules: Rules, year: int) -> tuple[Succession, ...]:
    """The profile's successions and those the workbook's own sheet writes (for later years
    too: a merger decided after the council met is announced there)."""
    from processor.core.validation.crosswalk import check_crosswalk
    from processor.reading.workbook import read_workbook

    found, _ = check_crosswalk(read_workbook(path), rules)
    return found


def _reasons(pairs: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    return {agency_key(name): reason for name, reason in pairs if reason}


def profile_sample(profile: Profile) -> Path | None:
    """The profile's sample workbook: its folder's bang-diem-mau.xlsx, or for a bundled
    profile in a source checkout, its workbook in input_samples/."""
    own = profile.folder / SAMPLE_NAME
    if own.is_file():
        return own
    name = REPOSITORY_SAMPLES.get(profile.name)
    if profile.bundled and name is not None:
        candidate = profile.folder.parent.parent / "input_samples" / name
        if candidate.is_file():
            return candidate
    return None


def _check_groups(rules: Rules, made: NextYear, start: Start) -> None:
    codes = {g.code for g in rules.groups}
    stray = [row for row in made.rows if row.group not in codes]
    if not stray:
        return
    listed = ", ".join(sorted({row.group for row in stray}))
    raise InputError(
        f"Nhóm {listed} của năm {start.past.year} không còn trong tệp quy tắc của bộ mẫu "
        f"(các nhóm: {', '.join(g.code for g in rules.groups)}).",
        [
            Problem(
                start.origin,
                f"Đơn vị «{row.name}» ở nhóm {row.group}. Sửa nhóm trong một bản sao bảng điểm "
                "năm trước rồi lập bằng --from BẢNG_ĐIỂM, hoặc sửa tệp quy tắc.",
            )
            for row in stray
        ],
    )


def _write(rules: Rules, year: int, start: Start, made: NextYear, out: Path) -> None:
    from processor.writing.files import refusal_sentence, write_atomic
    from processor.writing.new_workbook import new_workbook

    due = [s for s in start.successions if start.past.year < s.year <= year]
    emails = dict(start.emails)
    for old, new in made.renamed:  # a renamed agency keeps its address
        if agency_key(old) in emails:
            emails.setdefault(agency_key(new), emails[agency_key(old)])
    try:
        data = new_workbook(
            rules, year, made.rows, source=start.origin, successions=due, emails=emails
        )
    except ModuleNotFoundError as exc:  # openpyxl is what writes the workbook
        if exc.name != "openpyxl":
            raise
        raise InputError(
            "Chưa cài thư viện openpyxl, cần để lập bảng điểm .xlsx.",
            [Problem(str(out), "Cài bằng lệnh: python -m pip install openpyxl")],
        ) from None
    try:
        write_atomic(out, data)
    except OSError as exc:
        raise InputError(
            f"Không ghi được bảng điểm năm {year}.", [Problem(str(out), refusal_sentence(exc, out))]
        ) from None


def summary_lines(
    rules: Rules, year: int, start: Start, made: NextYear, out: Path, profile: Profile
) -> list[str]:
    """What `init` prints: the file, the agencies by group, where the prior ranks came from."""
    rows = made.rows
    groups = [g for g in rules.groups if any(r.group == g.code for r in rows)]
    previous = start.past.year
    adjacent = previous == year - 1  # otherwise no prior rank was filled in
    lines = [
        f"Đã lập bảng điểm năm {year}: {out}",
        f"{len(rows)} đơn vị trong {len(groups)} nhóm; danh sách"
        f"{' và thứ hạng' if adjacent else ''} năm {previous} lấy từ {start.origin}:",
    ]
    for group in groups:
        members = [r for r in rows if r.group == group.code]
        ranked = sum(1 for r in members if r.prior_rank is not None)
        line = f"  Nhóm {group.code} – {group.title}: {len(members)} đơn vị"
        lines.append(line + (f", {ranked} có thứ hạng năm {previous}" if adjacent else ""))
    kept = f", giữ thứ hạng năm {previous}" if adjacent else ""
    lines += [f"Đổi tên: «{old}» thành «{new}»{kept}." for old, new in made.renamed]
    for olds, new in made.merged:
        names = ", ".join(f"«{n}»" for n in olds)
        lines.append(
            f"Hợp nhất: {names} thành «{new}»; ô Xếp hạng năm trước để trống: "
            f'{MERGE_SENTENCES[rules.merge_rule]} (merge_rule = "{rules.merge_rule.value}").'
        )
    lines += [f"Lưu ý: {note}" for note in made.notes]
    if not adjacent:
        lines.append(
            f"Lưu ý: năm gần nhất có kết quả là {previous}, không phải {year - 1}: danh sách đơn "
            f"vị lấy từ năm {previous}, cột Xếp hạng năm trước để trống (thứ hạng năm {previous} "
            "không phải thứ hạng năm trước)."
        )
    named = profile.name if profile.bundled else str(profile.folder)
    chosen = "" if profile.bundled and profile.name == DEFAULT_PROFILE else f" --profile {named}"
    lines.append(
        f"Gửi tệp cho Hội đồng; nhập điểm xong, kiểm tra: python -m processor check {out}{chosen}"
    )
    return lines
