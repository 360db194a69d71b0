"""The deployment config: checked whole, in Vietnamese; the password never in it; config check."""

from __future__ import annotations

import re
import shutil
import ssl
import subprocess
import tomllib
from datetime import time
from pathlib import Path

import pytest

from processor.config.settings import (
    EXAMPLE_CONFIG,
    Recipients,
    Security,
    load_settings,
    parse_settings,
    read_password,
)
from processor.core.problems import InputError
from processor.unattended.mail.smtp import describe_error, probe

from conftest import cli
from deployment import ROOT, deployment, settings_sections, toml_text
from smtp_server import free_port, smtp_server

EXAMPLE = ROOT / "templates" / EXAMPLE_CONFIG

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def parse(text: str, base: Path = Path("/srv/xep-hang")):
    return parse_settings(tomllib.loads(text), base, "cau-hinh.toml")


def problems_of(text: str) -> dict[str, str]:
    with pytest.raises(InputError) as caught:
        parse(text)
    assert caught.value.summary == "Tệp cấu hình cau-hinh.toml có lỗi, cần sửa trước khi chạy."
    return {p.place.removeprefix("cau-hinh.toml: "): p.message for p in caught.value.problems}


MINIMAL = """
[folders]
root = "nhan"
output = "/srv/quyet-dinh"
[smtp]
host = "mail.tinh.gov.vn"
sender = "stttt@tinh.gov.vn"
[email]
to = ["vanthu@tinh.gov.vn"]
"""


def test_the_commented_example_is_a_valid_config():
    settings = load_settings(EXAMPLE)
    assert settings.smtp.security is Security.STARTTLS and settings.smtp.port == 587
    assert settings.smtp.password_env == "XEP_HANG_SMTP_PASSWORD"
    assert settings.mail.decision.to == ("Văn thư UBND tỉnh <vanthu@tinh.gov.vn>",)
    assert settings.schedule.day == 5 and settings.schedule.at == time(8, 0)


def test_every_key_of_the_example_is_explained_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Vận hành tự động", 1)[1].split("\n## ", 1)[0]
    text = EXAMPLE.read_text(encoding="utf-8")
    keys = re.findall(r"^#? ?([a-z_]+) = ", text, flags=re.MULTILINE)
    tables = re.findall(r"^\[([a-z]+)\]", text, flags=re.MULTILINE)
    assert len(keys) > 20 and tables
    for table in tables:
        assert f"`[{table}]`" in section, table
    for key in keys:
        assert f"`{key}`" in section, key


def test_defaults_and_relative_paths():
    settings = parse(MINIMAL)
    assert settings.root == Path("/srv/xep-hang/nhan")  # relative to the config's folder
    assert settings.output == Path("/srv/quyet-dinh")
    assert settings.smtp.user is None and settings.smtp.timeout_seconds == 30
    assert settings.mail.reminder == Recipients(("vanthu@tinh.gov.vn",))  # same people
    assert settings.rules.name == "quy-tac.toml" and settings.rules.is_file()
    assert settings.mail.decision_template.is_file() and settings.mail.reminder_template.is_file()
    assert settings.watch.settle_seconds == 5 and settings.watch.polling is False
    assert settings.schedule.evaluation_year is None
    # the answers folder and the history file beside inbox/; no share name; the attachments
    assert settings.answers == Path("/srv/xep-hang/nhan/tra-loi")
    assert settings.history == Path("/srv/xep-hang/nhan/lich-su.sqlite")
    assert settings.share_name is None
    assert settings.shown(settings.answers) == "/srv/xep-hang/nhan/tra-loi"
    assert settings.attach.results is False and settings.attach.pdf is False
    assert settings.pdf is True
    assert settings.mail.rejection_template.name == "email-tu-choi.txt.j2"
    assert settings.mail.rejection_template.is_file()
    # no [rejection], no [reminder] people of its own: a refusal is answered, not emailed
    assert settings.rejection is None and settings.technical is None


def test_refusals_go_to_the_reminders_people_unless_rejection_names_its_own():
    reminder = MINIMAL + '[reminder]\nto = ["hoidong@tinh.gov.vn"]\n'
    settings = parse(reminder)
    assert settings.rejection == Recipients(("hoidong@tinh.gov.vn",))
    assert settings.technical == settings.rejection  # no technical_to: the same, who pass it on
    both = parse(
        reminder
        + '[rejection]\nto = ["thuky.hd@tinh.gov.vn"]\ncc = ["pho.hd@tinh.gov.vn"]\n'
        + 'technical_to = ["cntt@tinh.gov.vn"]\n'
    )
    assert both.rejection == Recipients(("thuky.hd@tinh.gov.vn",), ("pho.hd@tinh.gov.vn",))
    assert both.technical == Recipients(("cntt@tinh.gov.vn",))
    technical_only = parse(MINIMAL + '[rejection]\ntechnical_to = ["cntt@tinh.gov.vn"]\n')
    assert technical_only.rejection is None
    assert technical_only.technical == Recipients(("cntt@tinh.gov.vn",))


def test_the_share_name_shows_the_folders_people_know():
    settings = parse(
        MINIMAL.replace("[folders]", "[folders]\nshare_name = '\\\\maychu\\XepHang\\'")
    )
    assert settings.shown(settings.root / "inbox") == "\\\\maychu\\XepHang\\inbox"
    assert settings.shown(settings.answers / "a - CẦN SỬA.txt") == (
        "\\\\maychu\\XepHang\\tra-loi\\a - CẦN SỬA.txt"
    )
    assert settings.shown(Path("/srv/quyet-dinh")) == "/srv/quyet-dinh"  # not shared: as is
    smb = parse(MINIMAL.replace("[folders]", '[folders]\nshare_name = "smb://maychu/XepHang"'))
    assert smb.shown(smb.root / "inbox") == "smb://maychu/XepHang/inbox"


def test_the_new_keys_are_checked_like_the_others():
    text = MINIMAL.replace("[folders]", '[folders]\nanswers = "nhan/inbox/tra-loi"')
    text = text.replace("[email]", '[email]\nattach_pdf = "có"\nattach_result = true')
    text += '[rejection]\ncc = ["a@tinh.gov.vn"]\ntechnical_to = ["khong-phai-dia-chi"]\n'
    text += '[history]\nfile = "nhan/inbox/lich-su.sqlite"\n[decision]\npdf = 1\n'
    found = problems_of(text)
    assert set(found) == {
        "folders.answers",
        "email.attach_pdf",
        "email.attach_result",
        "rejection.cc",
        "rejection.technical_to[0]",
        "history.file",
        "decision.pdf",
    }
    assert "có phải «attach_results»" in found["email.attach_result"].lower()
    assert found["decision.pdf"] == "Phải là true hoặc false (không có dấu nháy)."
    assert "inbox/" in found["folders.answers"]


@pytest.mark.parametrize(("security", "port"), [("starttls", 587), ("tls", 465), ("none", 25)])
def test_the_port_follows_the_security(security, port):
    settings = parse(MINIMAL.replace("[smtp]", f'[smtp]\nsecurity = "{security}"'))
    assert settings.smtp.port == port and settings.smtp.security.value == security


def test_a_password_in_the_file_is_refused_with_what_to_do_instead():
    found = problems_of(MINIMAL.replace("[smtp]", '[smtp]\nuser = "a"\npassword = "bi-mat"'))
    assert "Không ghi mật khẩu trong tệp cấu hình" in found["smtp.password"]
    assert "password_env" in found["smtp.password"]
    assert all("bi-mat" not in message for message in found.values())


def test_every_mistake_is_reported_at_once_with_its_key():
    text = """
[folders]
root = "nhan"
[smtp]
host = "mail.tinh.gov.vn"
prot = 25
port = 70000
security = "ssl"
sender = "không phải địa chỉ"
user = "stttt"
[email]
to = ["vanthu@tinh.gov.vn", "Thư ký <thuky@tinh>", "@tinh.gov.vn"]
[watch]
polling = "có"
[schedule]
time = "8 giờ"
[lich]
"""
    found = problems_of(text)
    assert set(found) == {
        "folders.output",
        "smtp.prot",
        "smtp.port",
        "smtp.security",
        "smtp.sender",
        "smtp.user",
        "email.to[2]",
        "watch.polling",
        "schedule.time",
        "lich",
    }
    assert found["smtp.security"] == "Phải là một trong: starttls, tls, none; đang ghi «ssl»."
    assert "password_env" in found["smtp.user"]
    assert "Khóa không dùng đến" in found["smtp.prot"]


def test_a_missing_config_file_says_how_to_make_one(tmp_path):
    with pytest.raises(InputError) as caught:
        load_settings(tmp_path / "cau-hinh.toml")
    assert EXAMPLE_CONFIG in caught.value.problems[0].message


def test_the_password_comes_from_the_environment_or_a_file(tmp_path):
    with_env = parse(MINIMAL.replace("[smtp]", '[smtp]\nuser = "a"\npassword_env = "MK"'))
    assert read_password(with_env.smtp, {"MK": "mật khẩu"}) == "mật khẩu"
    with pytest.raises(InputError) as caught:
        read_password(with_env.smtp, {})
    assert "MK" in caught.value.problems[0].message
    secret = tmp_path / "mat-khau"
    secret.write_text("mật khẩu\n", encoding="utf-8")
    with_file = parse(MINIMAL.replace("[smtp]", f'[smtp]\nuser = "a"\npassword_file = "{secret}"'))
    assert read_password(with_file.smtp, {}) == "mật khẩu"  # the final newline is not part
    assert read_password(parse(MINIMAL).smtp, {}) is None  # no login, no password
    both = MINIMAL.replace("[smtp]", '[smtp]\nuser = "a"\npassword_env = "MK"\npassword_file = "x"')
    assert "smtp.password_file" in problems_of(both)


# -- config check: the real CLI against a real server ---------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1 (what an office CA would sign)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def test_config_check_connects_with_starttls_and_logs_in(tmp_path, certificate):
    secret = "Mật-khẩu-thử"
    tls = server_context(certificate)
    with smtp_server(login=("stttt", secret), tls=tls) as server:
        smtp = {
            "security": "starttls",
            "user": "stttt",
            "password_env": "XEP_HANG_TEST_PASSWORD",
            "ca_file": str(certificate[0]),
        }
        site = deployment(tmp_path, server.port, smtp=smtp)
        good = site.run("config", "check", env={"XEP_HANG_TEST_PASSWORD": secret})
        wrong = site.run("config", "check", env={"XEP_HANG_TEST_PASSWORD": "sai"})
        assert server.messages == []  # a check sends nothing
    assert good.returncode == 0, good.stderr
    assert "dùng được" in good.stdout
    assert "kết nối được (STARTTLS), đăng nhập được với tên stttt" in good.stdout
    assert wrong.returncode == 2
    assert "từ chối đăng nhập" in wrong.stderr and "Traceback" not in wrong.stderr
    for output in (good.stdout, good.stderr, wrong.stdout, wrong.stderr):
        assert secret not in output
    # the folders people are told about exist now; nothing else is written
    root = site.folder / "thu-muc-nhan"
    assert (root / "inbox").is_dir() and (root / "tra-loi").is_dir()
    assert site.output.is_dir()  # the decisions folder the report names, too
    assert [p for p in root.rglob("*") if p.is_file()] == []
    assert f"thả bảng điểm vào {root / 'inbox'}" in good.stdout
    assert "Không gửi thư khi bảng tính bị từ chối" in good.stdout  # no [rejection] people
    assert "(đính kèm: tệp quyết định .docx)" in good.stdout  # and nothing else by default


def test_implicit_tls_and_an_untrusted_certificate(tmp_path, certificate):
    tls = server_context(certificate)
    with smtp_server(tls=tls, implicit_tls=True) as server:
        sections = settings_sections(server.port, smtp={"security": "tls"})
        trusted = dict(sections["smtp"], ca_file=str(certificate[0]))
        settings = parse_settings(tomllib.loads(toml_text({**sections, "smtp": trusted})), tmp_path)
        assert probe(settings.smtp, None) == "kết nối được (TLS)"
        untrusted = parse_settings(tomllib.loads(toml_text(sections)), tmp_path)
        with pytest.raises(ssl.SSLCertVerificationError) as caught:
            probe(untrusted.smtp, None)
    assert "smtp.ca_file" in describe_error(caught.value, untrusted.smtp)


def test_config_check_names_the_share_and_who_hears_of_a_refusal(tmp_path):
    with smtp_server() as server:
        site = deployment(
            tmp_path,
            server.port,
            folders={"share_name": "\\\\maychu\\XepHang"},
            rejection={"to": ["hoidong@tinh.gov.vn"], "technical_to": ["cntt@tinh.gov.vn"]},
            email={"attach_pdf": True, "attach_results": True},
        )
        done = site.run("config", "check")
    assert done.returncode == 0, done.stderr
    assert "thả bảng điểm vào \\\\maychu\\XepHang\\inbox" in done.stdout
    assert "người dùng xem ở \\\\maychu\\XepHang\\tra-loi" in done.stdout
    assert "Gửi thư từ chối (lỗi của bảng tính) đến: hoidong@tinh.gov.vn" in done.stdout
    assert "Gửi lỗi kỹ thuật (mẫu Word, tệp quy tắc, máy chủ) đến: cntt@tinh.gov.vn" in done.stdout
    assert "(đính kèm: tệp quyết định .docx, bảng kết quả .xlsx, bản PDF (khi lập được))" in (
        done.stdout
    )
    assert "Bản PDF: tắt ([decision] pdf = false)" in done.stdout  # as the tests' config says


def test_config_check_says_when_the_server_cannot_be_reached(tmp_path):
    port = free_port()  # nobody listens there
    done = deployment(tmp_path, port).run("config", "check")
    assert done.returncode == 2
    assert f"Không kết nối được máy chủ thư 127.0.0.1:{port}." in done.stderr
    assert "từ chối kết nối" in done.stderr and "Traceback" not in done.stderr


def test_config_check_lists_every_mistake_of_a_bad_config(tmp_path):
    config = tmp_path / "cau-hinh.toml"
    config.write_text('[folders]\nroot = "nhan"\n[smtp]\npassword = "x"\n', encoding="utf-8")
    done = cli("config", "check", "--config", str(config))
    assert done.returncode == 2
    assert done.stderr.startswith("Tệp cấu hình cau-hinh.toml có lỗi, cần sửa trước khi chạy.")
    for key in ("smtp.password", "smtp.host", "smtp.sender", "folders.output", "email"):
        assert f"Lỗi cau-hinh.toml: {key}" in done.stderr
    missing = cli("inbox", "--config", str(tmp_path / "khong-co"))
    assert missing.returncode == 2 and "Không tìm thấy tệp cấu hình" in missing.stderr
