"""The command line's commands and options, in Vietnamese: argparse's own words translated too.

Kept apart from processor/cli.py (what each command does) so the whole interface reads in one
place; tests/test_cli.py holds the README to every command and option listed here.
"""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from pathlib import Path

from processor import __version__
from processor.config.resources import DEFAULT_PROFILE, RULES_NAME, TEMPLATE_NAME

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


def build_parser() -> argparse.ArgumentParser:
    argparse._ = _translate  # type: ignore[attr-defined]
    parser = argparse.ArgumentParser(
        prog="python -m processor",
        description=(
            "Lập dự thảo quyết định công bố kết quả đánh giá, xếp hạng (ứng dụng CNTT, chuyển "
            "đổi số, ...) từ bảng điểm Excel của Hội đồng thẩm định, theo một bộ mẫu: tệp quy "
            "tắc và mẫu Word của tỉnh (xem lệnh profiles)."
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
        help=f"mẫu Word .docx, thay cho {TEMPLATE_NAME} của bộ mẫu",
    )
    _output_arguments(run, "quyết định", "của quyết định")
    run.add_argument(
        "--timings",
        action="store_true",
        help="in thời gian của từng công đoạn (đọc, kiểm tra, tính, điền mẫu, ghi)",
    )
    _history_argument(
        run, "ghi kết quả năm này vào tệp lịch sử (SQLite); thứ hạng năm trước còn trống lấy từ đó"
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
    _history_argument(
        check, "đối chiếu với kết quả năm trước trong tệp lịch sử (SQLite), như run --history"
    )
    _margin_argument(check)
    report = commands.add_parser(
        "report",
        help=(
            "lập phiếu kết quả từng đơn vị, báo cáo tổng hợp có biểu đồ và danh sách kết quả "
            "cần xem trước khi ký"
        ),
        description=(
            "Kiểm tra bảng điểm như lệnh run rồi ghi vào thư mục kết quả: phiếu kết quả của "
            "từng đơn vị (một trang mỗi đơn vị, Word và PDF), báo cáo tổng hợp (Word) kèm biểu "
            "đồ PNG, và in các kết quả sát ngưỡng mức độ hoặc dễ đổi hạng. Không lập quyết định."
        ),
    )
    _workbook_arguments(report)
    _output_arguments(report, "phiếu kết quả, báo cáo và biểu đồ", "của phiếu kết quả")
    _margin_argument(report)
    _history_argument(
        report,
        "lấy thứ hạng năm trước còn trống và số đơn vị từng mức độ năm trước từ tệp lịch sử",
    )
    profiles = commands.add_parser(
        "profiles",
        help="liệt kê các bộ mẫu có sẵn (tệp quy tắc và mẫu Word của từng loại quyết định)",
        description=(
            "In tên và mô tả một dòng của từng bộ mẫu đi kèm chương trình; chọn một bộ bằng "
            f"--profile TÊN (không chọn thì dùng {DEFAULT_PROFILE}). Bộ mẫu riêng của tỉnh là một "
            f"thư mục chứa {RULES_NAME} và {TEMPLATE_NAME}: --profile THƯ_MỤC."
        ),
    )
    _format_argument(profiles)
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
    _mail_commands(commands)
    _yearly_commands(commands)
    return parser


def _mail_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    mail = commands.add_parser(
        "mail",
        help="xem hàng đợi thư, gửi lại một thư, gửi ngay các thư đang chờ",
        description=(
            "list: liệt kê thư đang chờ, đã gửi, không gửi được. resend MÃ: gửi lại một thư đã "
            "gửi hoặc không gửi được (cho mọi người nhận, hoặc chỉ những địa chỉ --to). "
            "send-now: gửi ngay các thư đang chờ, không đợi hết thời gian chờ gửi lại."
        ),
    )
    actions = mail.add_subparsers(dest="mail_action", metavar="VIỆC", required=True)
    listing = actions.add_parser("list", help="liệt kê các thư trong hàng đợi và đã gửi")
    _config_argument(listing)
    _format_argument(listing)
    resend = actions.add_parser("resend", help="gửi lại một thư (mã thư lấy từ mail list)")
    resend.add_argument("entry_id", metavar="MÃ_THƯ", help="mã thư, như in ở mail list")
    resend.add_argument(
        "--to",
        metavar="ĐỊA_CHỈ",
        action="append",
        default=[],
        help="chỉ gửi lại cho địa chỉ này (có thể ghi nhiều lần); mặc định: mọi người nhận",
    )
    _config_argument(resend)
    send_now = actions.add_parser(
        "send-now", help="gửi ngay các thư đang chờ gửi lại (bỏ qua thời gian chờ một lần)"
    )
    _config_argument(send_now)


def _yearly_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    history = commands.add_parser(
        "history",
        help="xem lịch sử các năm đã ghi: danh sách năm, diễn biến một đơn vị, xuất Excel",
        description=(
            "Đọc tệp lịch sử (SQLite) do run --history hoặc thư mục nhận ghi: liệt kê các năm "
            "đã ghi; --agency TÊN: điểm và thứ hạng của một đơn vị qua các năm; --export TỆP: "
            "ghi mọi năm vào một bảng tính .xlsx. Không sửa tệp lịch sử."
        ),
    )
    _history_argument(history, "tệp lịch sử SQLite cần đọc", required=True)
    history.add_argument("--agency", metavar="TÊN", default=None, help="tên một đơn vị")
    history.add_argument(
        "--export", metavar="TỆP", type=Path, default=None, help="xuất mọi năm ra tệp .xlsx"
    )
    _format_argument(history)
    init = commands.add_parser(
        "init",
        help="lập bảng điểm trống cho năm sau: danh sách đơn vị, thứ hạng năm trước, kiểm tra ô",
        description=(
            "Lập bảng điểm .xlsx cho năm đánh giá NĂM: các đơn vị và nhóm lấy từ năm gần nhất "
            "trong tệp lịch sử (có áp dụng sáp nhập, đổi tên), hoặc từ bảng điểm năm trước "
            "(--from), hoặc từ bảng điểm mẫu của bộ mẫu; thứ hạng năm trước điền sẵn; mỗi ô "
            "điểm chỉ nhận số trong khoảng của tiêu chí; có sheet hướng dẫn."
        ),
    )
    init.add_argument("year", metavar="NĂM", type=int, help="năm đánh giá, ví dụ 2026")
    _profile_argument(init)
    _history_argument(init, "tệp lịch sử SQLite lấy danh sách đơn vị của năm gần nhất")
    init.add_argument(
        "--from",
        dest="source",
        metavar="BẢNG_ĐIỂM",
        type=Path,
        default=None,
        help="bảng điểm năm trước (.xlsx) lấy danh sách đơn vị và thứ hạng",
    )
    init.add_argument("--out", metavar="TỆP", type=Path, required=True, help="tệp .xlsx cần tạo")


def _output_arguments(command: argparse.ArgumentParser, written: str, pdf_of: str) -> None:
    """--out and --no-pdf of a command that writes documents (run, report)."""
    command.add_argument(
        "--out",
        metavar="THƯ_MỤC",
        type=Path,
        default=Path("output"),
        help=f"thư mục ghi {written} (mặc định: output)",
    )
    command.add_argument(
        "--no-pdf",
        dest="pdf",
        action="store_false",
        help=f"không xuất bản PDF {pdf_of} (mặc định: xuất khi máy có LibreOffice)",
    )


def _history_argument(
    command: argparse.ArgumentParser, help_text: str, required: bool = False
) -> None:
    command.add_argument(
        "--history",
        metavar="TỆP",
        type=Path,
        default=None,
        required=required,
        help=help_text,
    )


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
    _profile_argument(command)
    command.add_argument(
        "--rules",
        metavar="TỆP",
        type=Path,
        default=None,
        help=f"tệp quy tắc TOML, thay cho {RULES_NAME} của bộ mẫu",
    )
    _format_argument(command)


def margin_value(text: str) -> Decimal:
    """`0,2` or `0.2`: how close to a level boundary a result is flagged; more than 0."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"«{text}» không phải là một số (ví dụ 0,1)") from None
    if not value.is_finite() or value <= 0:
        raise argparse.ArgumentTypeError(f"«{text}»: khoảng sát ngưỡng phải lớn hơn 0 (ví dụ 0,1)")
    return value


def _margin_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--margin",
        metavar="SỐ",
        type=margin_value,
        default=None,
        help=(
            "khoảng sát ngưỡng mức độ, theo đơn vị của ngưỡng (điểm hoặc điểm phần trăm), "
            "thay cho [report] margin của tệp quy tắc (mặc định 0,1)"
        ),
    )


def _profile_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--profile",
        metavar="BỘ_MẪU",
        default=None,
        help=(
            f"bộ mẫu: tên một bộ có sẵn (lệnh profiles) hoặc thư mục chứa {RULES_NAME} và "
            f"{TEMPLATE_NAME} (mặc định: {DEFAULT_PROFILE})"
        ),
    )


def _format_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="cách in kết quả: text (cho người đọc, mặc định) hoặc json (cho chương trình khác)",
    )
