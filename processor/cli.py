"""The command line: `python -m processor run WORKBOOK`; Vietnamese for the people who use it.

Exit status: 0 done, 2 the input (workbook, rules, template or arguments) needs fixing,
1 an unexpected failure of the tool itself.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from processor import __version__
from processor.formatting import format_number
from processor.problems import InputError, Problem, Severity
from processor.resources import default_rules, default_template

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
    run.add_argument("workbook", metavar="BẢNG_ĐIỂM", type=Path, help="tệp bảng điểm .xlsx")
    run.add_argument(
        "--rules",
        metavar="TỆP",
        type=Path,
        default=None,
        help=f"tệp quy tắc TOML (mặc định: {default_rules()})",
    )
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
    return parser


def _use_utf8() -> None:
    """Vietnamese must survive a Windows console or a redirected pipe in a legacy code page."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        label = "Lỗi" if problem.severity is Severity.ERROR else "Cảnh báo"
        print(f"  {label} {problem.place}: {problem.message}", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    from processor.pipeline import process

    outcome = process(
        workbook=args.workbook,
        rules_file=args.rules or default_rules(),
        template=args.template or default_template(),
        out_dir=args.out,
    )
    if outcome.warnings:
        print(
            f"Có {len(outcome.warnings)} cảnh báo (không ngăn việc lập quyết định):",
            file=sys.stderr,
        )
        _print_problems(outcome.warnings)
    info = outcome.evaluation.info
    print(f"Đã lập dự thảo quyết định: {outcome.path}")
    print(f"Năm đánh giá {info.year}, {len(outcome.evaluation.agencies)} đơn vị:")
    grade_order = [g.name for g in outcome.rules.grades]
    for group in outcome.groups:
        counts = Counter(r.grade for r in group.results)
        grades = ", ".join(f"{name} {counts[name]}" for name in grade_order if counts[name])
        line = f"  Nhóm {group.group.code} – {group.group.title}: {len(group.results)} đơn vị"
        if group.results:
            best = group.results[0]
            score = format_number(best.rounded_total, outcome.rules.precision)
            line += f" ({grades}); xếp thứ nhất: {best.agency.name}, {score} điểm"
        print(line)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    _use_utf8()
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
    except InputError as exc:
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
