"""The command line: `python -m processor run WORKBOOK`; Vietnamese for the people who use it.

Exit status: 0 done, 2 the input (workbook, profile, rules, template or arguments) needs fixing,
1 an unexpected failure of the tool itself. The commands and their options are declared in
processor/cli_parser.py; what each command does is here.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from processor.cli_parser import build_parser
from processor.config.resources import (
    DEFAULT_PROFILE,
    RULES_NAME,
    TEMPLATE_NAME,
    Profile,
    default_profile,
    find_profile,
    list_profiles,
)
from processor.core.formatting import format_number
from processor.core.problems import InputError, Problem
from processor.core.report import (
    GroupSummary,
    agency_records,
    counts_sentence,
    group_summaries,
    problem_lines,
    to_json,
)
from processor.core.report import json_result as _json_result

if TYPE_CHECKING:
    from processor.core.model import GroupResult, Rules

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INPUT = 2


def _use_utf8() -> None:
    """Vietnamese must survive a Windows console or a redirected pipe in a legacy code page."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")


def _print_problems(problems: Sequence[Problem]) -> None:
    for line in problem_lines(problems):
        print(line, file=sys.stderr)


def _group_record(group: GroupSummary) -> dict[str, Any]:
    return {
        "code": group.code,
        "title": group.title,
        "agencies": group.agencies,
        "unranked": group.unranked,
        "grades": group.grades,
        "first": None if group.first is None else {"name": group.first, "total": group.first_total},
    }


def _profile(args: argparse.Namespace) -> Profile:
    """The profile named by --profile (the default one when none is named)."""
    return default_profile() if args.profile is None else find_profile(args.profile)


def _results(rules: Rules, groups: Sequence[GroupResult], agency_count: int) -> dict[str, Any]:
    """What `run` and `check` in JSON report of the results: the count and every agency."""
    return {"agency_count": agency_count, "agencies": agency_records(rules, groups)}


def _run(args: argparse.Namespace) -> int:
    from processor.pipeline import Timings, process

    profile = _profile(args)
    timings = Timings()
    outcome = process(
        workbook=args.workbook,
        rules_file=args.rules or profile.rules,
        template=args.template or profile.template,
        out_dir=args.out,
        timings=timings,
        pdf=args.pdf,
        history=args.history,
        profile=profile.name,
    )
    groups = group_summaries(outcome.rules, outcome.groups)
    info = outcome.evaluation.info
    if args.format == "json":
        document = _json_result("run", args.workbook, outcome.warnings, ok=True)
        document.update(
            profile=profile.name,
            output=str(outcome.path),
            results=str(outcome.results),
            pdf=None if outcome.pdf is None else str(outcome.pdf),
            notes=list(outcome.notes),
            history=None
            if args.history is None
            else {
                "file": str(args.history),
                "recorded": outcome.recorded is not None,
                "replaced": bool(outcome.recorded),
            },
            year=info.year,
            **_results(outcome.rules, outcome.groups, len(outcome.evaluation.agencies)),
            groups=[_group_record(group) for group in groups],
        )
        if args.timings:
            document["timings"] = {k: round(v, 6) for k, v in timings.seconds.items()}
        print(to_json(document))
        return EXIT_OK
    if outcome.warnings:
        print(
            f"Có {len(outcome.warnings)} cảnh báo (không ngăn việc lập quyết định):",
            file=sys.stderr,
        )
        _print_problems(outcome.warnings)
    print(f"Đã lập dự thảo quyết định: {outcome.path}")
    print(f"Bảng kết quả (Excel): {outcome.results}")
    if outcome.pdf is not None:
        print(f"Bản PDF của quyết định: {outcome.pdf}")
    if outcome.recorded is not None and args.history is not None:
        from processor.history.commands import recorded_sentence

        print(recorded_sentence(args.history, info.year, outcome.recorded))
    for note in outcome.notes:
        print(f"Lưu ý: {note}", file=sys.stderr)
    print(f"Năm đánh giá {info.year}, {len(outcome.evaluation.agencies)} đơn vị:")
    for group in groups:
        line = f"  Nhóm {group.code} – {group.title}: {group.agencies} đơn vị"
        if group.unranked:
            line += f" xếp hạng, {group.unranked} đơn vị không xếp hạng"
        if group.grades_text:
            line += f" ({group.grades_text})"
        if group.first is not None:
            line += f"; xếp thứ nhất: {group.first}, {group.first_total} điểm"
        print(line)
    if args.timings:
        _print_timings(timings.seconds)
    return EXIT_OK


def _print_timings(seconds: dict[str, float]) -> None:
    def shown(value: float) -> str:
        return format_number(Decimal(f"{value:.3f}"), 3)

    parts = [f"{stage} {shown(value)}" for stage, value in seconds.items()]
    total = shown(sum(seconds.values()))
    print(f"Thời gian (giây): {'; '.join(parts)}; tổng {total}", file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from processor.pipeline import inspect, settle

    profile = _profile(args)
    found = inspect(args.workbook, args.rules or profile.rules)
    if found.evaluation is not None:  # the warnings `run` would give, history's included
        settled = settle(found, args.history, profile.name)
        found = replace(found, evaluation=settled.evaluation, problems=settled.warnings)
    ok = found.evaluation is not None
    refused = f"Bảng tính {args.workbook.name} cần sửa: {counts_sentence(found.problems)}."
    # The flags before signing: results that hang on a hair, not problems of the workbook.
    from processor.core.flags import flag_lines, flag_record, flags
    from processor.core.scoring import evaluate

    groups = None if found.evaluation is None else evaluate(found.rules, found.evaluation.agencies)
    flagged = () if groups is None else flags(found.rules, groups, args.margin)
    if args.format == "json":
        document = _json_result(
            "check", args.workbook, found.problems, ok=ok, summary="" if ok else refused
        )
        document["profile"] = profile.name
        if found.evaluation is not None and groups is not None:
            agencies = found.evaluation.agencies
            document.update(
                year=found.evaluation.info.year,
                **_results(found.rules, groups, len(agencies)),
                flags=[flag_record(flag) for flag in flagged],
            )
        print(to_json(document))
        return EXIT_OK if ok else EXIT_INPUT
    name = args.workbook.name
    if found.evaluation is not None:
        print(
            f"Bảng tính {name} dùng được: năm đánh giá {found.evaluation.info.year}, "
            f"{len(found.evaluation.agencies)} đơn vị; {counts_sentence(found.problems)}."
        )
    else:
        print(refused)
    for line in problem_lines(found.problems):
        print(line)
    if groups is not None:
        labels = {group.code: group.printed_label for group in found.rules.groups}
        for line in flag_lines(flagged, labels):
            print(line)
    return EXIT_OK if ok else EXIT_INPUT


def _profiles(args: argparse.Namespace) -> int:
    profiles = [(profile, profile.description) for profile in list_profiles()]
    if args.format == "json":
        document = {
            "command": "profiles",
            "ok": True,
            "default": DEFAULT_PROFILE,
            "profiles": [
                {
                    "name": profile.name,
                    "description": description,
                    "default": profile.name == DEFAULT_PROFILE,
                    "folder": str(profile.folder),
                }
                for profile, description in profiles
            ],
        }
        print(to_json(document))
        return EXIT_OK
    print("Các bộ mẫu có sẵn (chọn bằng --profile TÊN):")
    for profile, description in profiles:
        default = " (mặc định)" if profile.name == DEFAULT_PROFILE else ""
        print(f"  {profile.name}{default}: {description or '(chưa có mô tả)'}")
    print(
        f"Bộ mẫu riêng của tỉnh: --profile THƯ_MỤC, thư mục chứa {RULES_NAME} và {TEMPLATE_NAME}."
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    _use_utf8()
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "check":
            return _check(args)
        if args.command == "report":
            from processor.reporting.command import report_command

            profile = _profile(args)
            return report_command(
                args.workbook,
                profile=profile.name,
                rules_file=args.rules or profile.rules,
                out_dir=args.out,
                history=args.history,
                margin=args.margin,
                pdf=args.pdf,
                output_format=args.format,
            )
        if args.command == "profiles":
            return _profiles(args)
        if args.command in ("inbox", "watch", "schedule", "config"):
            from processor.unattended import commands as unattended

            if args.command == "inbox":
                return unattended.inbox_command(args.config, yearly=args.yearly)
            if args.command == "watch":
                return unattended.watch_command(args.config)
            if args.command == "schedule":
                return unattended.schedule_command(args.config, args.kind)
            return unattended.config_check_command(args.config)
        if args.command == "mail":
            from processor.unattended import mail_control

            if args.mail_action == "list":
                return mail_control.mail_list_command(args.config, args.format)
            if args.mail_action == "resend":
                return mail_control.mail_resend_command(args.config, args.entry_id, args.to)
            return mail_control.mail_send_now_command(args.config)
        if args.command == "history":
            from processor.history.commands import history_command

            return history_command(args.history, args.agency, args.export, args.format)
        if args.command == "init":
            from processor.history.init_command import init_command

            return init_command(args.year, _profile(args), args.history, args.out, args.source)
    except InputError as exc:
        if getattr(args, "format", "text") == "json":
            print(
                to_json(
                    _json_result(
                        " ".join(
                            [args.command, *([args.mail_action] if args.command == "mail" else [])]
                        ),
                        getattr(args, "workbook", None),
                        exc.problems,
                        ok=False,
                        summary=exc.summary,
                    )
                )
            )
            return EXIT_INPUT
        print(exc.summary, file=sys.stderr)
        _print_problems(exc.problems)
        return EXIT_INPUT
    except BrokenPipeError:
        # The reader of our output went away (`... | head`); the decision is already written.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("Đã dừng theo yêu cầu; không có tệp nào được ghi dở.", file=sys.stderr)
        return 130
    return EXIT_FAILURE
