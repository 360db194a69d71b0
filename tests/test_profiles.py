"""Profiles: a folder of rules and Word template (and email templates) chosen by name or path.

Real files and real processes throughout: `profiles`, `run` and `check` with `--profile`, the
deployment config's `[decision] profile`, and the decision email sent to a real SMTP server
with the subject and salutation the profile's rules give.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest

from processor.config.resources import (
    DECISION_EMAIL_TEMPLATE,
    DEFAULT_PROFILE,
    REMINDER_EMAIL_TEMPLATE,
    RULES_NAME,
    TEMPLATE_NAME,
    bundled_dir,
    find_profile,
    list_profiles,
)
from processor.config.settings import parse_settings
from processor.core.problems import InputError

from conftest import ROOT, RULES_FILE, SAMPLE, TEMPLATE_FILE, cli
from deployment import deployment, settings_sections, toml_text
from smtp_server import smtp_server

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

LAO_CAI_SUBJECT = "Dự thảo Quyết định phê duyệt kết quả xếp hạng mức độ ứng dụng CNTT năm 2020"
DECISION_2020 = "quyet-dinh-xep-hang-cntt-2020.docx"


def make_profile(folder: Path, **replace: str) -> Path:
    """A province's own profile: a copy of lao-cai-2020 with some lines of its rules changed."""
    folder.mkdir(parents=True)
    text = RULES_FILE.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    (folder / RULES_NAME).write_text(text, encoding="utf-8")
    shutil.copyfile(TEMPLATE_FILE, folder / TEMPLATE_NAME)
    return folder


def named_output(name: str) -> dict[str, str]:
    return {'output_file = "quyet-dinh-xep-hang-cntt-{nam}.docx"': f'output_file = "{name}"'}


def bundled_folders() -> list[str]:
    return sorted(
        folder.name
        for folder in bundled_dir().iterdir()
        if (folder / RULES_NAME).is_file() and (folder / TEMPLATE_NAME).is_file()
    )


# -- the profiles command ------------------------------------------------------------------


def test_profiles_lists_every_bundled_profile_with_its_description_default_first():
    done = cli("profiles")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Các bộ mẫu có sẵn (chọn bằng --profile TÊN):"
    listed = lines[1:-1]
    assert len(listed) == len(bundled_folders()) >= 1
    assert listed[0].startswith(f"  {DEFAULT_PROFILE} (mặc định): ")
    for name in bundled_folders():
        rules = tomllib.loads((bundled_dir() / name / RULES_NAME).read_text(encoding="utf-8"))
        mark = " (mặc định)" if name == DEFAULT_PROFILE else ""
        assert f"  {name}{mark}: {rules['profile']['description']}" in listed, name
    assert "quy-tac.toml" in lines[-1] and "quyet-dinh.docx" in lines[-1]
    assert done.stderr == ""


def test_profiles_in_json():
    done = cli("profiles", "--format", "json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["command"] == "profiles" and found["ok"] is True
    assert found["default"] == DEFAULT_PROFILE
    names = [p["name"] for p in found["profiles"]]
    assert sorted(names) == bundled_folders() and names[0] == DEFAULT_PROFILE
    assert [p["default"] for p in found["profiles"]] == [n == DEFAULT_PROFILE for n in names]
    assert all(p["description"] and Path(p["folder"]).is_dir() for p in found["profiles"])


def test_both_bundled_profiles_are_listed():
    assert {p.name for p in list_profiles()} >= {"lao-cai-2020", "chuyen-doi-so-2026"}


def test_a_profile_finds_its_files_and_falls_back_to_the_shared_email_templates(tmp_path):
    default = find_profile(DEFAULT_PROFILE)
    assert default.rules == RULES_FILE and default.template == TEMPLATE_FILE
    assert default.decision_email == bundled_dir() / DECISION_EMAIL_TEMPLATE
    assert default.reminder_email == bundled_dir() / REMINDER_EMAIL_TEMPLATE
    own = make_profile(tmp_path / "tinh-moi")
    (own / DECISION_EMAIL_TEMPLATE).write_text("Tiêu đề: {{ tieu_de }}\n\nThư.\n", "utf-8")
    profile = find_profile(str(own))
    assert profile.name == "tinh-moi" and not profile.bundled
    assert profile.decision_email == own / DECISION_EMAIL_TEMPLATE
    assert profile.reminder_email == bundled_dir() / REMINDER_EMAIL_TEMPLATE
    # a bare name that is a folder here (and no bundled profile) is that folder
    assert find_profile("tinh-moi", base=tmp_path).folder == own


# -- run and check with --profile ----------------------------------------------------------


def test_run_with_the_default_profile_named_gives_the_same_bytes(tmp_path):
    plain, named = tmp_path / "a", tmp_path / "b"
    assert cli("run", str(SAMPLE), "--out", str(plain)).returncode == 0
    done = cli("run", str(SAMPLE), "--profile", DEFAULT_PROFILE, "--out", str(named))
    assert done.returncode == 0, done.stderr
    assert (plain / DECISION_2020).read_bytes() == (named / DECISION_2020).read_bytes()


def test_profile_folder_selects_its_rules_and_template(tmp_path):
    folder = make_profile(tmp_path / "bo-mau-tinh", **named_output("qd-tinh-{nam}.docx"))
    out = tmp_path / "kq"
    done = cli(
        "run",
        str(SAMPLE),
        "--profile",
        str(folder),
        "--out",
        str(out),
        "--format",
        "json",
        "--no-pdf",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["profile"] == "bo-mau-tinh"
    assert Path(result["output"]) == out / "qd-tinh-2020.docx"
    assert sorted(p.name for p in out.iterdir()) == [
        "qd-tinh-2020-ket-qua.xlsx",
        "qd-tinh-2020.docx",
    ]
    # relative to the current folder, as a secretary types it
    done = cli("check", str(SAMPLE), "--profile", "./bo-mau-tinh", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_rules_and_template_override_the_profiles_files(tmp_path):
    folder = make_profile(tmp_path / "bo-mau", **named_output("theo-bo-mau-{nam}.docx"))
    (folder / TEMPLATE_NAME).write_bytes(b"PK\x03\x04 not really a docx")  # never used here
    other = make_profile(tmp_path / "khac", **named_output("theo-rules-{nam}.docx"))
    out = tmp_path / "kq"
    done = cli(
        "run",
        str(SAMPLE),
        "--profile",
        str(folder),
        "--rules",
        str(other / RULES_NAME),
        "--template",
        str(TEMPLATE_FILE),
        "--out",
        str(out),
        "--no-pdf",
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "theo-rules-2020-ket-qua.xlsx",
        "theo-rules-2020.docx",
    ]
    # without --template the profile's (broken) template is the one used
    done = cli("run", str(SAMPLE), "--profile", str(folder), "--out", str(out))
    assert done.returncode == 2
    assert "không phải tài liệu Word .docx hợp lệ" in done.stderr


def test_check_with_the_2026_profile_gives_every_agency_in_json():
    workbook = ROOT / "input_samples" / "chuyen-doi-so-2026.xlsx"
    done = cli("check", str(workbook), "--profile", "chuyen-doi-so-2026", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    found = json.loads(done.stdout)
    assert found["ok"] is True and found["profile"] == "chuyen-doi-so-2026"
    agencies = found["agencies"]
    assert len(agencies) == found["agency_count"] > 100
    unranked = [a for a in agencies if not a["ranked"]]
    assert unranked and all(a["rank"] is None for a in unranked)
    assert any(a["prior_rank"] is None for a in agencies)
    for agency in agencies:
        assert agency["pillars"]
        assert re.fullmatch(r"-?\d+(\.\d+)?", agency["total"]), agency


@pytest.mark.parametrize("command", ["run", "check"])
def test_an_unknown_profile_exits_2_naming_the_profiles_and_a_near_miss(command, tmp_path):
    out = tmp_path / "kq"
    extra = ("--out", str(out)) if command == "run" else ()
    done = cli(command, str(SAMPLE), "--profile", "lao-cai-202", *extra)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("Không có bộ mẫu «lao-cai-202».\n")
    assert "Lỗi --profile: Có phải «lao-cai-2020»?" in done.stderr
    for name in bundled_folders():
        assert name in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()
    far = cli(command, str(SAMPLE), "--profile", "ha-noi", *extra)
    assert far.returncode == 2 and "Có phải" not in far.stderr
    assert "Các bộ mẫu có sẵn:" in far.stderr


def test_an_unknown_profile_in_json(tmp_path):
    done = cli("check", str(SAMPLE), "--profile", "khong-co", "--format", "json")
    assert done.returncode == 2
    found = json.loads(done.stdout)
    assert found["ok"] is False and found["summary"] == "Không có bộ mẫu «khong-co»."
    assert found["problems"][0]["place"] == "--profile"


def test_a_folder_that_is_not_a_profile_is_refused(tmp_path):
    folder = tmp_path / "chua-xong"
    folder.mkdir()
    shutil.copyfile(RULES_FILE, folder / RULES_NAME)
    done = cli("check", str(SAMPLE), "--profile", str(folder))
    assert done.returncode == 2
    assert f"Thư mục {folder} chưa phải một bộ mẫu." in done.stderr
    assert "Lỗi --profile: Thiếu tệp quyet-dinh.docx trong thư mục." in done.stderr
    missing = cli("check", str(SAMPLE), "--profile", str(tmp_path / "khong-co"))
    assert missing.returncode == 2 and "không tồn tại" in missing.stderr


def test_find_profile_raises_input_error_in_vietnamese():
    with pytest.raises(InputError) as caught:
        find_profile("chuyen-doi-so", place="decision.profile")
    (problem,) = caught.value.problems
    assert problem.place == "decision.profile"
    assert problem.message.startswith("Có phải «chuyen-doi-so-2026»?")


# -- the deployment config's [decision] profile ----------------------------------------------


def config(base: Path, **decision: str):
    sections = settings_sections(2525, decision=decision)
    return parse_settings(tomllib.loads(toml_text(sections)), base, "cau-hinh.toml")


def test_the_config_selects_a_profile_and_its_email_templates(tmp_path):
    default = config(tmp_path)
    assert default.profile.name == DEFAULT_PROFILE
    assert default.rules == RULES_FILE and default.template == TEMPLATE_FILE
    own = make_profile(tmp_path / "bo-mau")
    (own / REMINDER_EMAIL_TEMPLATE).write_text("Tiêu đề: Nhắc {{ nam }}\n\nThư.\n", "utf-8")
    settings = config(tmp_path, profile="bo-mau")  # relative to the config's folder
    assert settings.profile.folder == own
    assert settings.rules == own / RULES_NAME and settings.template == own / TEMPLATE_NAME
    assert settings.mail.reminder_template == own / REMINDER_EMAIL_TEMPLATE
    assert settings.mail.decision_template == bundled_dir() / DECISION_EMAIL_TEMPLATE
    other = make_profile(tmp_path / "khac")
    overridden = config(tmp_path, profile="bo-mau", rules=str(other / RULES_NAME))
    assert overridden.rules == other / RULES_NAME and overridden.template == own / TEMPLATE_NAME


def test_an_unknown_profile_in_the_config_is_named_by_key(tmp_path):
    with pytest.raises(InputError) as caught:
        config(tmp_path, profile="lao-cai")
    (problem,) = caught.value.problems
    assert problem.place == "cau-hinh.toml: decision.profile"
    assert problem.message.startswith("Không có bộ mẫu «lao-cai». Có phải «lao-cai-2020»?")


def test_the_station_mails_with_the_subject_and_salutation_of_its_profile(tmp_path):
    folder = make_profile(
        tmp_path / "bo-mau-tinh",
        **{
            'subject = "Dự thảo Quyết định phê duyệt kết quả xếp hạng mức độ {chu_de_ngan} năm '
            '{nam}"': 'subject = "Trình ký: kết quả {chu_de_ngan} năm {nam} của tỉnh {tinh}"',
            'salutation = "Kính gửi: Văn phòng UBND tỉnh {tinh}."': (
                'salutation = "Kính gửi: Chánh Văn phòng."'
            ),
            **named_output("qd-{nam}.docx"),
        },
    )
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, decision={"profile": str(folder)})
        check = site.run("config", "check")
        site.drop(SAMPLE, "bang-diem.xlsx")
        site.inbox_pass()
    assert check.returncode == 0, check.stderr
    assert f"Bộ mẫu: bo-mau-tinh (thư mục {folder})" in check.stdout
    assert (site.output / "qd-2020.docx").is_file()
    (received,) = server.messages
    message = received.message
    assert message["Subject"] == "Trình ký: kết quả ứng dụng CNTT năm 2020 của tỉnh Lào Cai"
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith("Kính gửi: Chánh Văn phòng.\n")
    assert len(list(message.iter_attachments())) == 1


def test_the_2026_profile_sends_a_digital_transformation_email(tmp_path):
    workbook = ROOT / "input_samples" / "chuyen-doi-so-2026.xlsx"
    with smtp_server() as server:
        site = deployment(
            tmp_path / "may-chu",
            server.port,
            decision={"profile": "chuyen-doi-so-2026"},
        )
        site.drop(workbook, "bang-diem-2026.xlsx")
        done = site.inbox_pass()
    assert "1 bảng tính đã lập quyết định" in done.stdout, done.stdout
    (received,) = server.messages
    message = received.message
    subject = message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "chuyển đổi số" in subject and "2026" in subject
    assert "chuyển đổi số" in body
    # The units assessed but not ranked are counted apart, as in the decision's appendix.
    assert "7 đơn vị xếp hạng, 2 đơn vị không xếp hạng" in body
    assert "99 đơn vị xếp hạng, 1 đơn vị không xếp hạng" in body
    for word in ("ứng dụng CNTT", "công nghệ thông tin", "Thông tin và Truyền thông", "huyện"):
        assert word not in subject and word not in body, word


def test_the_january_reminder_names_the_scheme_of_the_profile(tmp_path):
    with smtp_server() as server:
        site = deployment(
            tmp_path / "may-chu",
            server.port,
            decision={"profile": "chuyen-doi-so-2026"},
            schedule={"evaluation_year": 2026},
        )
        site.inbox_pass("--yearly")
    (reminder,) = server.messages
    message = reminder.message
    assert message["Subject"] == (
        "Nhắc việc: chưa nhận được bảng điểm xếp hạng mức độ chuyển đổi số năm 2026"
    )
    body = message.get_body(("plain",)).get_content()
    assert "xếp hạng mức độ chuyển đổi số tỉnh Lào Cai." in body and "CNTT" not in body


def test_the_station_uses_the_profiles_own_email_template(tmp_path):
    folder = make_profile(tmp_path / "bo-mau")
    (folder / DECISION_EMAIL_TEMPLATE).write_text(
        "Tiêu đề: {{ tieu_de }} (mẫu riêng)\n\n{{ kinh_gui }}\nXin gửi {{ tep_quyet_dinh }}.\n",
        encoding="utf-8",
    )
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, decision={"profile": str(folder)})
        site.drop(SAMPLE, "bang-diem.xlsx")
        site.inbox_pass()
    (received,) = server.messages
    assert received.message["Subject"] == f"{LAO_CAI_SUBJECT} (mẫu riêng)"
    body = received.message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body == f"Kính gửi: Văn phòng UBND tỉnh Lào Cai.\nXin gửi {DECISION_2020}.\n"


# -- the shared email templates hold no province's or scheme's words -------------------------


@pytest.mark.parametrize("name", [DECISION_EMAIL_TEMPLATE, REMINDER_EMAIL_TEMPLATE])
def test_the_shared_email_templates_hard_code_no_province_or_scheme(name):
    text = (bundled_dir() / name).read_text(encoding="utf-8")
    body = text.split("-#}", 1)[1]  # past the comment that lists the variables
    for word in (
        "ứng dụng CNTT",
        "công nghệ thông tin",
        "chuyển đổi số",
        "Lào Cai",
        "Chủ tịch UBND tỉnh",
        "Thông tin và Truyền thông",
    ):
        assert word not in body, word
    if name == DECISION_EMAIL_TEMPLATE:
        assert body.strip().splitlines()[0] == "Tiêu đề: {{ tieu_de }}"
        assert "{{ kinh_gui }}" in body
    else:
        assert "{{ chu_de_ngan }}" in body.splitlines()[1]
