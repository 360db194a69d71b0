"""The command line: `python -m processor run WORKBOOK`; Vietnamese for the people who use it.

Exit status: 0 done, 2 the input (workbook, rules, template or arguments) needs fixing,
1 an unexpected failure of the tool itself.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from processor import __version__
from processor.config.resources import default_rules, default_template
from processor.core.formatting import format_number
from processor.core.problems import InputError, Problem, errors
from processor.core.report import (
    GroupSummary,
    counts_sentence,
    group_summaries,
    problem_lines,
    problem_record,
    to_json,
)

if TYPE_CHECKING:
    pass

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INPUT = 2

# argparse's own words, in Vietnamese (it looks them up through its module-level `_`).
_ARGPARSE_VI = {
    "usage: ": "Cách dùng: ",
    "positional arguments": "tham số",
    "options": "tùy chọn",
    "show this help message and exit": "in hướng dẫn này rồi thoát",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "tham số không hiểu được: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "lựa chọn không hợp lệ: %(value)r (chọn một trong: %(choices)s)"
    ),
    "expected one argument": "cần một giá trị",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
}


def _translate(message: str) -> str:
    return _ARGPARSE_VI.get(message, message)


def _parser() -> argparse.ArgumentParser:
    argparse._ = _translate  # type: ignore[attr-defined]
    parser = argparse.ArgumentParser(
        prog="python -m processor",
        description=(
            "Lập dự thảo Quyết định phê duyệt kết quả đánh giá, xếp hạng mức độ ứng dụng CNTT "
            "từ bảng điểm Excel của Hội đồng thẩm định."
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help="in phiên bản chương trình rồi thoát",
    )
    commands = parser.add_subparsers(dest="command", metavar="LỆNH", required=True)
    run = commands.add_parser(
        "run",
        help="kiểm tra bảng điểm, tính điểm, xếp loại, xếp hạng và lập quyết định (.docx)",
        description=(
            "Đọc và kiểm tra bảng điểm, tính tổng điểm, xếp loại, xếp hạng từng nhóm rồi ghi "
            "dự thảo quyết định vào thư mục kết quả. Bảng tính gốc không bị sửa."
        ),
    )
    _workbook_arguments(run)
    run.add_argument(
        "--template",
        metavar="TỆP",
        type=Path,
        default=None,
        help=f"mẫu Word .docx (mặc định: {default_template()})",
    )
    run.add_argument(
        "--out",
        metavar="THƯ_MỤC",
        type=Path,
        default=Path("output"),
        help="thư mục ghi quyết định (mặc định: output)",
    )
    run.add_argument(
        "--timings",
        action="store_true",
        help="in thời gian của từng công đoạn (đọc, kiểm tra, tính, điền mẫu, ghi)",
    )
    check = commands.add_parser(
        "check",
        help="chỉ kiểm tra bảng điểm và liệt kê mọi lỗi, cảnh báo; không lập quyết định",
        description=(
            "Đọc và kiểm tra bảng điểm theo tệp quy tắc, in mọi lỗi và cảnh báo kèm sheet và ô. "
            "Không ghi tệp nào. Mã thoát 0 nếu không có lỗi (có thể có cảnh báo), 2 nếu có lỗi."
        ),
    )
    _workbook_arguments(check)
    # -- unattended operation (processor/unattended/): drop folder, January job, email --
    inbox = commands.add_parser(
        "inbox",
        help="xử lý một lượt thư mục nhận rồi thoát (cho lịch chạy tự động)",
        description=(
            "Tiếp tục việc dở của lần chạy trước, lập quyết định cho mọi bảng điểm đã chép xong "
            "trong inbox/, gửi các thư đang chờ, rồi thoát. Bảng điểm gốc không bị sửa."
        ),
    )
    _config_argument(inbox)
    inbox.add_argument(
        "--yearly",
        action="store_true",
        help=(
            "việc tháng Giêng: thêm bước gửi thư nhắc (một lần mỗi năm) nếu chưa có quyết "
            "định của năm đánh giá"
        ),
    )
    watch = commands.add_parser(
        "watch",
        help="chạy thường trực, xử lý bảng điểm ngay khi được thả vào thư mục nhận",
        description=(
            "Theo dõi inbox/ (sự kiện hệ thống tệp, và quét định kỳ cho thư mục mạng), làm như "
            "lệnh inbox mỗi khi có tệp mới, tự làm việc tháng Giêng. Dừng bằng Ctrl+C hoặc SIGTERM."
        ),
    )
    _config_argument(watch)
    schedule = commands.add_parser(
        "schedule",
        help="in lịch chạy việc tháng Giêng (systemd, cron, Windows) cho máy này",
        description=(
            "In nội dung cài đặt lịch chạy, dùng đúng Python và tệp cấu hình của máy này: "
            "systemd (service và timer), cron, windows (lệnh schtasks); hoặc systemd-watch, "
            "windows-watch (chạy lệnh watch thường trực, thay cho việc tháng Giêng)."
        ),
    )
    _config_argument(schedule)
    schedule.add_argument(
        "--print",
        dest="kind",
        required=True,
        choices=("systemd", "cron", "windows", "systemd-watch", "windows-watch"),
        help="loại lịch cần in: systemd, cron, windows, systemd-watch hoặc windows-watch",
    )
    config = commands.add_parser(
        "config",
        help="kiểm tra tệp cấu hình triển khai và thử kết nối máy chủ thư",
        description=(
            "check: đọc và kiểm tra tệp cấu hình, tệp quy tắc, các mẫu, quyền ghi thư mục, "
            "mật khẩu, rồi thử kết nối và đăng nhập máy chủ thư. Không gửi thư nào."
        ),
    )
    config.add_argument("action", metavar="VIỆC", choices=("check",), help="việc cần làm: check")
    _config_argument(config)
    return parser


def _config_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--config",
        metavar="TỆP",
        type=Path,
        required=True,
        help="tệp cấu hình triển khai TOML (mẫu: templates/cau-hinh-trien-khai.example.toml)",
    )


def _workbook_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("workbook", metavar="BẢNG_ĐIỂM", type=Path, help="tệp bảng điểm .xlsx")
    command.add_argument(
        "--rules",
        metavar="TỆP",
        type=Path,
        default=None,
        help=f"tệp quy tắc TOML (mặc định: {default_rules()})",
    )
    command.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="cách in kết quả: text (cho người đọc, mặc định) hoặc json (cho chương trình khác)",
    )


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
        "grades": group.grades,
        "first": None if group.first is None else {"name": group.first, "total": group.first_total},
    }


def _run(args: argparse.Namespace) -> int:
    from processor.pipeline import Timings, process

    timings = Timings()
    outcome = process(
        workbook=args.workbook,
        rules_file=args.rules or default_rules(),
        template=args.template or default_template(),
        out_dir=args.out,
        timings=timings,
    )
    groups = group_summaries(outcome.rules, outcome.groups)
    info = outcome.evaluation.info
    if args.format == "json":
        document = _json_result("run", args.workbook, outcome.warnings, ok=True)
        document.update(
            output=str(outcome.path),
            year=info.year,
            agencies=len(outcome.evaluation.agencies),
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
    print(f"Năm đánh giá {info.year}, {len(outcome.evaluation.agencies)} đơn vị:")
    for group in groups:
        line = f"  Nhóm {group.code} – {group.title}: {group.agencies} đơn vị"
        if group.first is not None:
            line += f" ({group.grades_text}); xếp thứ nhất: {group.first}, {group.first_total} điểm"
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
    from processor.pipeline import inspect

    found = inspect(args.workbook, args.rules or default_rules())
    ok = found.evaluation is not None
    refused = f"Bảng tính {args.workbook.name} cần sửa: {counts_sentence(found.problems)}."
    if args.format == "json":
        document = _json_result(
            "check", args.workbook, found.problems, ok=ok, summary="" if ok else refused
        )
        if found.evaluation is not None:
            document.update(
                year=found.evaluation.info.year, agencies=len(found.evaluation.agencies)
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
    return EXIT_OK if ok else EXIT_INPUT


def _json_result(
    command: str, workbook: Path, problems: Sequence[Problem], *, ok: bool, summary: str = ""
) -> dict[str, Any]:
    n_errors = len(errors(problems))
    return {
        "command": command,
        "file": str(workbook),
        "ok": ok,
        "summary": summary,
        "errors": n_errors,
        "warnings": len(problems) - n_errors,
        "problems": [problem_record(p) for p in problems],
    }


def main(argv: Sequence[str] | None = None) -> int:
    _use_utf8()
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "check":
            return _check(args)
        if args.command in ("inbox", "watch", "schedule", "config"):
            from processor.unattended import commands as unattended

            if args.command == "inbox":
                return unattended.inbox_command(args.config, yearly=args.yearly)
            if args.command == "watch":
                return unattended.watch_command(args.config)
            if args.command == "schedule":
                return unattended.schedule_command(args.config, args.kind)
            return unattended.config_check_command(args.config)
    except InputError as exc:
        if getattr(args, "format", "text") == "json":
            print(
                to_json(
                    _json_result(
                        args.command, args.workbook, exc.problems, ok=False, summary=exc.summary
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
