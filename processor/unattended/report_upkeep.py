"""What a decision without its report leaves to tidy, and who is told (report_pass.py).

A decision made while its report is not (`[report] enabled = false`, or the report failed)
makes last run's report of that year wrong: its files are removed from the decisions folder
(writer.remove_report). A failed report is also the technical staff's to fix: one letter to
[rejection] technical_to per drop (its id carries the drop's stamp, as a refusal's does). An
agency that had a scorecard letter from an earlier workbook of the year and gets none now is
named in the answer, since its old letter still looks current. And `config check` asks whether
the report's own libraries import at all (a broken install raises ImportError, not only
ModuleNotFoundError).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from processor.config.settings import Settings
from processor.core.model import Rules
from processor.core.problems import InputError, Problem
from processor.unattended.mail.letters import Letter
from processor.unattended.mail.outbox import SENT, Mailbox
from processor.unattended.mail.resending import original_id
from processor.unattended.notices import REJECTION_KIND, rejection_entry_id
from processor.unattended.scorecard_notices import SCORECARD_KIND

REPORT_FAILURE_KIND = "loi-bao-cao"
REPORT_LIBRARIES = ("pandas", "matplotlib")
KEPT_CLAUSE = "; các tệp báo cáo cũ (nếu có) vẫn giữ nguyên"  # writer's words, no longer true


def stale_report_lines(out_dir: Path, year: int) -> list[str]:
    """Remove this year's earlier report; what to say ([] when there was none)."""
    from processor.reporting.writer import remove_report, report_names

    before = _report_files(out_dir, report_names(year))
    if not before:
        return []
    notes = remove_report(out_dir, year)
    gone = before - _report_files(out_dir, report_names(year))
    lines = [f"Đã xóa báo cáo cũ của năm {year} vì không còn khớp quyết định mới."] if gone else []
    return lines + notes


def _report_files(out_dir: Path, names: tuple[str, str, str]) -> set[Path]:
    cards, summary, folder = (out_dir / name for name in names)
    found = {p for p in (cards, cards.with_suffix(".pdf"), summary) if p.is_file()}
    if folder.is_dir():
        found |= {p for p in folder.glob("*.png") if p.is_file()} | {folder}
    return found


def report_failure_entry_id(stamp: str, sha256: str) -> str:
    """One letter per drop whose report failed: a resumed drop finds it queued."""
    return REPORT_FAILURE_KIND + rejection_entry_id(stamp, sha256).removeprefix(REJECTION_KIND)


def report_failure_letter(
    rules: Rules, original: str, sha256: str, year: int, failure: str, output: str
) -> Letter:
    """The technical staff's letter: the decision is made, its report is not, and why."""
    words = rules.wording
    body = [
        f"Kính gửi: Bộ phận kỹ thuật (người quản lý máy chủ xếp hạng mức độ "
        f"{words.subject_short} tỉnh {rules.document.province}).",
        "",
        f"Bảng điểm {original} ĐÃ ĐƯỢC LẬP DỰ THẢO QUYẾT ĐỊNH năm {year}; thư dự thảo gửi Văn "
        "thư như thường lệ. Dự thảo quyết định không bị ảnh hưởng.",
        "",
        f"{failure}",
        "",
        "Việc tiếp theo, của bộ phận kỹ thuật: sửa chỗ nêu trên (xem thêm tệp nhật ký "
        "nhat-ky.log; kiểm tra bằng lệnh config check), rồi lập lại báo cáo bằng lệnh "
        f"python -m processor report <bảng điểm này, trong thư mục done/> --out {output}.",
        "",
        "Thư này do hệ thống gửi tự động; xin không trả lời thư này.",
        f"Mã bảng điểm (SHA-256): {sha256}",
    ]
    subject = (
        f"Lỗi kỹ thuật: đã lập dự thảo quyết định năm {year} nhưng chưa lập được báo cáo "
        f"({original})"
    )
    return Letter(subject, "\n".join(body) + "\n")


def orphaned_lines(
    mailbox: Mailbox,
    year: int,
    sha256: str,
    covered: Collection[str],
    present: Collection[str],
    why: str | None = None,
) -> list[str]:
    """Agencies whose scorecard letter of `year` came from an earlier workbook, and none now.

    `covered`: scorecard prefixes (scorecard_notices.scorecard_prefix) of the agencies this
    workbook queued (or tried to queue) a letter for; `present`: those of every agency in the
    workbook. `why`: the reason no new letter goes to anyone (None: the agency's own).
    """
    head = f"{SCORECARD_KIND}-{year}-"
    latest: dict[str, tuple[float, str, bool]] = {}  # prefix -> (created, agency, sent)
    for entry in mailbox.entries():
        delivery = entry.delivery
        ident = original_id(delivery.id)
        if delivery.kind != SCORECARD_KIND or not ident.startswith(head) or delivery.resend_of:
            continue
        prefix, _, digest = ident.rpartition("-")
        prefix += "-"
        if digest == sha256[:12] or prefix in covered:
            continue
        agency = delivery.subject.rpartition(": ")[2]
        if prefix not in latest or latest[prefix][0] < delivery.created:
            latest[prefix] = (delivery.created, agency, entry.place == SENT)
    lines = []
    for prefix, (_, agency, sent) in sorted(latest.items(), key=lambda item: item[1][1]):
        had = "đã nhận phiếu kết quả cũ" if sent else "đã có thư phiếu kết quả cũ (chưa gửi xong)"
        if why is not None:
            reason = why
        elif prefix in present:
            reason = "bảng điểm mới không còn địa chỉ thư"
        else:
            reason = "bảng điểm mới không còn đơn vị tên này (có thể đã đổi tên)"
        lines.append(f"{agency} {had} nhưng {reason}: phiếu mới không được gửi.")
    return lines


def unusable_libraries() -> list[tuple[str, str]]:
    """(library, why) for each report library that does not import here."""
    import importlib

    found = []
    for name in REPORT_LIBRARIES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.partition(".")[0] != name:
                found.append((name, f"thiếu thư viện {exc.name} mà {name} cần"))
            else:
                found.append((name, "chưa cài"))
        except ImportError as exc:  # installed but broken (a missing system library, say)
            found.append((name, f"đã cài nhưng không nạp được ({exc})"))
        except Exception as exc:  # anything else its import raises: unusable all the same
            found.append((name, f"không nạp được ({type(exc).__name__}: {exc})"))
    return found


def pip_command(libraries: Sequence[tuple[str, str]]) -> str:
    names = " ".join(name for name, _ in libraries)
    if all(why == "chưa cài" for _, why in libraries):
        return f"python -m pip install {names}"
    return f"python -m pip install --force-reinstall {names}"


def libraries_text(libraries: Sequence[tuple[str, str]]) -> str:
    return "; ".join(f"{name} ({why})" for name, why in libraries)


def config_lines(settings: Settings) -> list[str]:
    """What `config check` says of [report]: the report beside each decision, the scorecards."""
    report = settings.report
    if not report.enabled:
        return [
            "  Báo cáo: không lập ([report] enabled = false); lập bằng tay khi cần: python -m "
            "processor report BẢNG_ĐIỂM"
        ]
    missing = unusable_libraries()
    pdf = "; bản PDF của phiếu theo [decision] pdf" if settings.pdf else ""
    line = (
        f"  Báo cáo: lập cùng mỗi quyết định trong {settings.output} (phiếu kết quả từng đơn vị, "
        f"báo cáo tổng hợp, biểu đồ{pdf}); lỗi của báo cáo không ngăn quyết định"
    )
    if missing:
        line += (
            f". CHƯA DÙNG ĐƯỢC thư viện {libraries_text(missing)}: báo cáo sẽ không lập được "
            f"(quyết định vẫn lập); cài bằng lệnh {pip_command(missing)}"
        )
    if report.email_scorecards:
        mailed = (
            "  Gửi phiếu kết quả: mỗi đơn vị có địa chỉ ở cột Email của bảng điểm nhận phiếu của "
            "riêng mình qua thư, ngay khi dự thảo được lập từ bảng điểm đã qua kiểm tra (trước "
            f"khi quyết định được ký); mẫu thư: {report.template}"
        )
    else:
        mailed = (
            "  Gửi phiếu kết quả: không gửi cho đơn vị ([report] email_scorecards = false); "
            "phiếu chỉ có trong thư mục quyết định"
        )
    return [line, mailed]


def check_report_libraries(settings: Settings) -> None:
    """With scorecards to email, a report library that does not import is a fault (exit 2)."""
    report = settings.report
    if not (report.enabled and report.email_scorecards):
        return
    missing = unusable_libraries()
    if not missing:
        return
    raise InputError(
        f"[report] email_scorecards = true nhưng máy chủ chưa dùng được thư viện của báo cáo: "
        f"{libraries_text(missing)}. Không lập được báo cáo thì không gửi được phiếu kết quả "
        "nào cho đơn vị.",
        [
            Problem(
                "report.email_scorecards",
                f"Cài bằng lệnh {pip_command(missing)} (cho đúng Python chạy chương trình), "
                "hoặc đặt email_scorecards = false.",
            )
        ],
    )
