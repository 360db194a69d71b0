"""The report in the unattended pass: made beside each decision, each agency's scorecard emailed.

Real drop folders, a real SMTP server (aiosmtpd), real workbooks with an `Email` column; the
`inbox` command runs as a subprocess (as a scheduler runs it) or, where a test must break the
report on purpose, in this process with the report's writer replaced.
"""

from __future__ import annotations

import hashlib
import io
import sys
import tomllib
from pathlib import Path

import docx
import openpyxl
import pytest

from processor.config.settings import parse_settings
from processor.core.problems import InputError, Problem
from processor.unattended.commands import inbox_command
from processor.unattended.scorecard_notices import (
    SCORECARD_KIND,
    scorecard_entry_id,
    scorecard_prefix,
)

from deployment import RECIPIENTS, ROOT, SAMPLE, deployment, kill
from smtp_server import Received, smtp_server

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

ANSWER = "Bảng điểm 2020 - ĐÃ LẬP QUYẾT ĐỊNH.txt"
STTTT, KHDT, KKT = (
    "Sở Thông tin và Truyền thông",
    "Sở Kế hoạch và Đầu tư",
    "Ban Quản lý khu kinh tế Lào Cai",
)
ADDRESSES = {
    STTTT: ("vanphong@stttt.laocai.gov.vn",),
    KHDT: ("a@skhdt.laocai.gov.vn", "b@skhdt.laocai.gov.vn"),
}
MAILED = {"enabled": True, "email_scorecards": True}  # the tests' config may turn it off
REPORT_FILES = ("phieu-ket-qua-2020.docx", "bao-cao-tong-hop-2020.docx", "bieu-do-2020")


def email_workbook(folder: Path, *, corrected: bool = False) -> Path:
    """The 2020 sample with an Email column: two agencies with addresses, one with a slip.

    `corrected`: the council's second thoughts on one score (a new workbook, new scorecards).
    """
    book = openpyxl.load_workbook(SAMPLE)
    sheet = book["Điểm"]
    column = sheet.max_column + 1
    sheet.cell(1, column, "Email")
    rows = {sheet.cell(r, 2).value: r for r in range(2, sheet.max_row + 1)}
    sheet.cell(rows[STTTT], column, " vanphong@stttt.laocai.gov.vn ")
    sheet.cell(rows[KHDT], column, "a@skhdt.laocai.gov.vn; Văn phòng <b@skhdt.laocai.gov.vn>")
    sheet.cell(rows[KKT], column, "khong-phai-dia-chi")
    if corrected:
        sheet.cell(rows[STTTT], 5, 7.5)  # TC1.1 was 7,83
        sheet.cell(rows[STTTT], 18, 96.01)  # and the council's total with it
    path = folder / ("da-sua.xlsx" if corrected else "email.xlsx")
    book.save(path)
    return path


def scorecards(messages: list[Received]) -> dict[str, Received]:
    """The scorecard letters by the agency named in their subject."""
    found = {}
    for received in messages:
        subject = str(received.message["Subject"])
        if "Phiếu kết quả" in subject:
            found[subject.rpartition(": ")[2]] = received
    return found


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_each_agency_with_an_address_gets_its_own_scorecard_once_even_across_a_crash(tmp_path):
    workbook = email_workbook(tmp_path)
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, report=MAILED)
        site.drop(workbook, "Bảng điểm 2020.xlsx")
        # killed with every letter queued, before the ledger knows the workbook
        kill(site.paused("inbox", pause="queued"))
        assert server.messages == []
        first = site.inbox_pass()  # resumes the drop: the same letters are found queued
        site.inbox_pass()  # and nothing is sent again
        messages = server.messages
        listing = site.run("mail", "list")

    decisions = [m for m in messages if set(m.recipients) == set(RECIPIENTS)]
    assert len(decisions) == 1  # the decision, once, as always
    cards = scorecards(messages)
    assert sorted(cards) == sorted(ADDRESSES)  # the malformed address gets nothing
    assert len(messages) == 1 + len(ADDRESSES)
    for agency, received in cards.items():
        assert received.recipients == ADDRESSES[agency]
        message = received.message
        assert message["Subject"] == (
            f"Phiếu kết quả xếp hạng mức độ ứng dụng CNTT năm 2020: {agency}"
        )
        (attachment,) = message.iter_attachments()
        assert attachment.get_filename() == f"Phiếu kết quả 2020 - {agency}.docx"
        text = docx_text(attachment.get_content())
        assert agency in text
        others = [name for name in (STTTT, KHDT, "Sở Tư pháp") if name != agency]
        assert not any(name in text for name in others)  # its own page only
        body = message.get_body(("plain",)).get_content()
        assert body.startswith(f"Kính gửi: {agency}.")
        assert "kết quả chính thức là kết quả trong quyết định được ban hành" in body
    assert "Văn phòng <b@skhdt.laocai.gov.vn>" in str(cards[KHDT].message["To"])
    ids = {str(r.message["Message-ID"]) for r in messages}
    assert len(ids) == len(messages)
    assert "Thư: 3 đã gửi" in first.stdout
    # the report beside the decision; the queue empty; the letters listed as scorecards
    for name in REPORT_FILES:
        assert (site.output / name).exists(), name
    assert site.files("outbox") == []
    sent = [p.name for p in site.files("sent")]
    assert sum(name.startswith(f"{SCORECARD_KIND}-2020-") for name in sent) == 2
    assert listing.returncode == 0 and "phiếu kết quả" in listing.stdout
    answer = (site.answers / ANSWER).read_text(encoding="utf-8")
    assert "Phiếu kết quả của 2 đơn vị đã được xếp vào hàng đợi" in answer
    assert "30 đơn vị không có địa chỉ thư hợp lệ ở cột Email" in answer
    assert "phieu-ket-qua-2020.docx" in answer and "bao-cao-tong-hop-2020.docx" in answer
    assert "Thanh Tra tỉnh (nhóm II): 65,00 điểm" in answer  # a flag before signing
    assert "«khong-phai-dia-chi» không phải địa chỉ thư" in answer  # a warning, not an error


def test_a_corrected_workbook_sends_new_scorecards_that_say_they_replace_the_first(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, report=MAILED)
        site.drop(email_workbook(tmp_path), "Bảng điểm 2020.xlsx")
        site.inbox_pass()
        site.drop(email_workbook(tmp_path, corrected=True), "Bảng điểm 2020 (sửa).xlsx")
        site.inbox_pass()
        messages = server.messages
    later = [m for m in messages[3:] if "Phiếu kết quả" in str(m.message["Subject"])]
    assert len(messages) == 6 and len(later) == 2
    for received in later:
        subject = str(received.message["Subject"])
        assert subject.startswith("THAY THẾ phiếu gửi lúc ")
        assert "THƯ NÀY THAY THẾ phiếu kết quả năm 2020 đã gửi lúc" in (
            received.message.get_body(("plain",)).get_content()
        )
    prefix = scorecard_prefix(2020, STTTT)
    assert sum(p.name.startswith(prefix) for p in site.files("sent")) == 2  # one per workbook
    # the first letter is listed as replaced, and is not sent again
    digest = hashlib.sha256((tmp_path / "da-sua.xlsx").read_bytes()).hexdigest()
    new = scorecard_entry_id(2020, digest, STTTT)
    (old,) = (p.name for p in site.files("sent") if p.name.startswith(prefix) and p.name != new)
    listing = site.run("mail", "list")
    assert f"ĐÃ BỊ THAY THẾ bởi thư {new} (phiếu kết quả mới của cùng đơn vị" in listing.stdout
    refused = site.run("mail", "resend", old)
    assert refused.returncode == 2
    assert f"Thư {old} mang một phiếu kết quả đã bị thay thế" in refused.stderr
    assert f"mail resend --config {site.config} {new}" in refused.stderr
    assert site.run("mail", "resend", new).returncode == 0


def test_the_report_is_made_and_by_default_no_scorecard_is_emailed(tmp_path):
    with smtp_server() as server:
        # the report as the deployment's default has it (the tests' own config may turn it off)
        site = deployment(tmp_path / "may-chu", server.port, report={"enabled": True})
        site.drop(email_workbook(tmp_path), "Bảng điểm 2020.xlsx")
        done = site.inbox_pass()
        (decision,) = server.messages  # the decision only
    assert set(decision.recipients) == set(RECIPIENTS)
    assert "Thư: 1 đã gửi" in done.stdout
    for name in REPORT_FILES:
        assert (site.output / name).exists(), name
    cards = docx.Document(str(site.output / "phieu-ket-qua-2020.docx"))
    assert STTTT in "\n".join(p.text for p in cards.paragraphs) + "\n".join(
        c.text for t in cards.tables for row in t.rows for c in row.cells
    )
    assert not any(p.name.startswith(SCORECARD_KIND) for p in site.files("sent"))
    answer = (site.answers / ANSWER).read_text(encoding="utf-8")
    assert "có địa chỉ thư của 2 đơn vị (cột Email)" in answer
    assert "[report] email_scorecards = false" in answer


def test_with_the_report_off_nothing_of_it_is_made(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, report={"enabled": False})
        site.drop(SAMPLE, "Bảng điểm 2020.xlsx")
        site.inbox_pass()
        assert len(server.messages) == 1
    assert not any((site.output / name).exists() for name in REPORT_FILES)
    assert "Báo cáo" not in (site.answers / ANSWER).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (
            InputError(
                "Không ghi được báo cáo vào /srv/quyet-dinh.",
                [Problem("/srv/quyet-dinh/phieu-ket-qua-2020.docx", "Ổ đĩa đã đầy.")],
            ),
            "Không ghi được báo cáo vào /srv/quyet-dinh. Ổ đĩa đã đầy.",
        ),
        (OSError(28, "No space left on device"), "Không ghi được"),
        (RuntimeError("hỏng"), "vì lỗi của chương trình (RuntimeError"),
        (
            ModuleNotFoundError("No module named 'matplotlib'", name="matplotlib"),
            "máy chủ chưa cài thư viện matplotlib",
        ),
    ],
)
def test_a_report_that_fails_never_holds_back_the_decision(
    tmp_path, monkeypatch, capsys, error, words
):
    def broken(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr("processor.reporting.writer.write_report", broken)
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, report=MAILED)
        site.drop(email_workbook(tmp_path), "Bảng điểm 2020.xlsx")
        assert inbox_command(site.config) == 0
        (decision,) = server.messages  # delivered, and no scorecard without a report
    printed = capsys.readouterr().out
    assert set(decision.recipients) == set(RECIPIENTS)
    assert "1 bảng tính đã lập quyết định" in printed
    assert "1 quyết định đã lập nhưng chưa lập được báo cáo" in printed
    assert len(site.files("done")) == 1 and site.files("failed") == []
    answer = (site.answers / ANSWER).read_text(encoding="utf-8")
    assert "Chưa lập được báo cáo (phiếu kết quả từng đơn vị" in answer
    assert words in answer
    assert "Dự thảo quyết định không bị ảnh hưởng." in answer
    assert "Chưa gửi phiếu kết quả qua thư cho đơn vị nào: báo cáo chưa lập được." in answer
    log = "\n".join(site.log_lines())
    assert " | lỗi | Bảng điểm 2020.xlsx | " in log and "xong" in log
    if isinstance(error, RuntimeError):
        assert "báo cáo: RuntimeError: hỏng" in log  # the technical detail, for the staff


def test_a_refused_workbook_sends_no_scorecard(tmp_path, capsys):
    book = openpyxl.load_workbook(email_workbook(tmp_path))
    book["Điểm"]["G2"] = 15  # TC2.1 above its maximum of 12: an error
    bad = tmp_path / "loi.xlsx"
    book.save(bad)
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, report=MAILED)
        site.drop(bad, "Bảng điểm 2020.xlsx")
        assert inbox_command(site.config) == 0
        assert server.messages == []  # no rejection list in this config, and no scorecard
    assert len(site.files("failed")) == 2  # the workbook and its report
    assert not any((site.output / name).exists() for name in REPORT_FILES)
    assert site.files("sent") == [] and site.files("outbox") == []


BASE = """
[folders]
root = "nhan"
output = "/srv/quyet-dinh"
[smtp]
host = "mail.tinh.gov.vn"
sender = "stttt@tinh.gov.vn"
[email]
to = ["vanthu@tinh.gov.vn"]
"""


def problems_of(text: str) -> dict[str, str]:
    with pytest.raises(InputError) as caught:
        parse_settings(tomllib.loads(text), Path("/srv/xep-hang"), "cau-hinh.toml")
    return {p.place.removeprefix("cau-hinh.toml: "): p.message for p in caught.value.problems}


def test_the_report_keys_default_and_are_checked_like_the_others(tmp_path):
    settings = parse_settings(tomllib.loads(BASE), Path("/srv/xep-hang"))
    assert settings.report.enabled is True and settings.report.email_scorecards is False
    on = parse_settings(tomllib.loads(BASE + "[report]\nemail_scorecards = true\n"), tmp_path)
    assert on.report.template is not None and on.report.template.name == (
        "email-phieu-ket-qua.txt.j2"
    )
    assert on.report.template.is_file()
    found = problems_of(
        BASE
        + '[report]\nenabled = false\nemail_scorecards = "có"\nemail_scorecard = true\n'
        + 'template = "khong-co.txt.j2"\n'
    )
    assert found["report.email_scorecards"] == "Phải là true hoặc false (không có dấu nháy)."
    assert "email_scorecards" in found["report.email_scorecard"]  # the near miss is named
    found = problems_of(BASE + "[report]\nenabled = false\nemail_scorecards = true\n")
    assert "cần lập báo cáo" in found["report.email_scorecards"]
    found = problems_of(BASE + '[report]\nemail_scorecards = true\ntemplate = "khong-co.j2"\n')
    assert found["report.template"].startswith("Không tìm thấy tệp")


def test_config_check_says_how_the_report_and_the_scorecards_will_behave(tmp_path):
    with smtp_server() as server:
        off = deployment(tmp_path / "a", server.port, report={"enabled": True})
        on = deployment(tmp_path / "b", server.port, report=MAILED)
        broken = deployment(
            tmp_path / "c",
            server.port,
            report={"enabled": True, "email_scorecards": True, "template": "mau-hong.txt.j2"},
        )
        (broken.folder / "mau-hong.txt.j2").write_text(
            "Tiêu đề: {{ khong_co_bien }}\n\nNội dung.\n", encoding="utf-8"
        )
        default, mailed, refused = (site.run("config", "check") for site in (off, on, broken))
    assert default.returncode == 0, default.stderr
    assert "Báo cáo: lập cùng mỗi quyết định trong" in default.stdout
    assert "Gửi phiếu kết quả: không gửi cho đơn vị ([report] email_scorecards = false)" in (
        default.stdout
    )
    assert mailed.returncode == 0, mailed.stderr
    assert "mỗi đơn vị có địa chỉ ở cột Email của bảng điểm nhận phiếu" in mailed.stdout
    assert "email-phieu-ket-qua.txt.j2" in mailed.stdout
    assert refused.returncode == 2 and "khong_co_bien" in refused.stderr


@pytest.mark.parametrize(
    ("profile", "sample"),
    [("lao-cai-2020", SAMPLE), ("chuyen-doi-so-2026", SAMPLE.with_name("chuyen-doi-so-2026.xlsx"))],
)
def test_every_agencys_letter_renders_with_the_variables_config_check_tries(profile, sample):
    from processor.core.scoring import evaluate
    from processor.pipeline import inspect
    from processor.reporting.writer import make_report
    from processor.unattended.mail.letters import render_letter
    from processor.unattended.scorecard_notices import (
        attachment_name,
        sample_scorecard_context,
        scorecard_context,
    )

    found = inspect(sample, ROOT / "templates" / profile / "quy-tac.toml")
    assert found.evaluation is not None
    rules = found.rules
    report = make_report(rules, found.evaluation.info, evaluate(rules, found.evaluation.agencies))
    template = ROOT / "templates" / "email-phieu-ket-qua.txt.j2"
    tried = sample_scorecard_context(rules)
    for card in report.cards:
        context = scorecard_context(rules, report, card, attachment_name(report.year, card.name))
        assert context.keys() == tried.keys()
        letter = render_letter(template, context)
        assert letter.subject.endswith(f"năm {report.year}: {card.name}")
        assert f"Kính gửi: {card.name}." in letter.body
        assert context["tong_diem"] in letter.body
        if card.rank is not None:
            assert f"xếp thứ {card.rank}/{card.ranked_in_group} trong nhóm" in letter.body
        else:
            assert "không xếp hạng" in letter.body


def test_a_scorecard_that_cannot_be_made_is_said_once_and_the_decision_goes(tmp_path, monkeypatch):
    def broken(*args: object, **kwargs: object) -> dict:
        raise ValueError("trang hỏng")

    monkeypatch.setattr("processor.unattended.report_pass.scorecard_context", broken)
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, report=MAILED)
        site.drop(email_workbook(tmp_path), "Bảng điểm 2020.xlsx")
        assert inbox_command(site.config) == 0
        (decision,) = server.messages
    assert set(decision.recipients) == set(RECIPIENTS)
    answer = (site.answers / ANSWER).read_text(encoding="utf-8")
    assert "Không gửi phiếu kết quả qua thư cho đơn vị nào." in answer
    assert (
        f"Chưa gửi được phiếu kết quả cho {STTTT}, {KHDT}: lỗi của chương trình "
        "(ValueError: trang hỏng)"
    ) in answer
    assert len(site.files("done")) == 1
