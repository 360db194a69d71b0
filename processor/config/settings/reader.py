"""The deployment config's sections, each read into its settings, then the whole checked together.

Relations between sections (the output folder outside the inbox, a reminder list defaulting to
the decision's) are checked here, after each key has been read on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Any

from processor.config.resources import (
    Profile,
    bundled_email_template,
    default_profile,
    find_profile,
)
from processor.config.settings.model import (
    DEFAULT_PORTS,
    AttachSettings,
    MailSettings,
    Recipients,
    ReportOutput,
    RetrySettings,
    ScheduleSettings,
    Security,
    Settings,
    SmtpSettings,
    WatchSettings,
)
from processor.config.settings.values import SECTIONS, ValueReader
from processor.core.near_miss import corrected, unknown_keys
from processor.core.problems import InputError, Problem

REQUIRED_SECTIONS = ("folders", "smtp", "email")
ANSWERS_NAME = "tra-loi"  # [folders] answers by default: root/tra-loi
HISTORY_NAME = "lich-su.sqlite"  # [history] file by default: root/lich-su.sqlite
REJECTION_TEMPLATE = "email-tu-choi.txt.j2"
SCORECARD_TEMPLATE = "email-phieu-ket-qua.txt.j2"  # [report] template by default
# The drop folder's own sub-folders (processor/unattended/dropfolder/layout.py): the answers
# folder must be none of them, nor inside one.
RESERVED_FOLDERS = (
    "inbox",
    "processing",
    "done",
    "failed",
    "ledger",
    "outbox",
    "sent",
    "mail-failed",
)


def _profile_email(profile: Profile, name: str) -> Path:
    """The profile's own email template of that name, or the one shipped in templates/."""
    own = profile.folder / name
    return own if own.is_file() else bundled_email_template(name)


class SettingsReader(ValueReader):
    """Reads every section, so one run reports every mistake in the file."""

    def settings(self, raw: Mapping[str, Any], source: Path) -> Settings | None:
        names = list(SECTIONS)
        unknown = unknown_keys(raw, names)
        for item in unknown:
            guess = f" Có phải [{item.guess}]?" if item.guess else ""
            self.fail(
                item.key,
                f"Mục không dùng đến.{guess} Các mục có thể có: {', '.join(names)}.",
            )
        raw = corrected(raw, unknown)
        for key, value in raw.items():
            if key in SECTIONS and not isinstance(value, dict):
                self.fail(key, f"Phải là một bảng: dòng [{key}] và các khóa bên dưới.")
        for name in REQUIRED_SECTIONS:
            if name not in raw:
                self.fail(name, f"Thiếu mục [{name}].")
        tables = {name: self.table(raw, name) for name in SECTIONS}
        root, output, answers, share_name = self.folders(tables["folders"])
        profile = self.profile(tables["decision"])
        rules = self.path(tables["decision"], "decision", "rules") or profile.rules
        template = self.path(tables["decision"], "decision", "template") or profile.template
        pdf = self.boolean(tables["decision"], "decision", "pdf", default=True)
        smtp_settings = self.smtp(tables["smtp"])
        email = tables["email"]
        decision_to = self.addresses(email, "email", "to", required=True)
        decision_cc = self.addresses(email, "email", "cc")
        decision_template = self.path(email, "email", "template") or profile.decision_email
        attach = AttachSettings(
            results=self.boolean(email, "email", "attach_results", default=False),
            pdf=self.boolean(email, "email", "attach_pdf", default=False),
        )
        reminder = tables["reminder"]
        reminder_own = "to" in reminder or "cc" in reminder
        reminder_to = self.addresses(reminder, "reminder", "to") or decision_to
        reminder_cc = self.addresses(reminder, "reminder", "cc") if reminder_own else decision_cc
        reminder_template = self.path(reminder, "reminder", "template") or profile.reminder_email
        rejection, technical, rejection_template = self.rejection(
            tables["rejection"], Recipients(reminder_to, reminder_cc) if reminder_own else None
        )
        rejection_template = rejection_template or _profile_email(profile, REJECTION_TEMPLATE)
        report = self.report(tables["report"], profile)
        for key, file in (
            ("decision.rules", rules),
            ("decision.template", template),
            ("email.template", decision_template),
            ("reminder.template", reminder_template),
            ("rejection.template", rejection_template),
            *((("report.template", report.template),) if report.template else ()),
        ):
            if not file.is_file():
                self.fail(key, f"Không tìm thấy tệp {file}.")
        history = self.path(tables["history"], "history", "file")
        if root is not None:
            history = history or root / HISTORY_NAME
            if history.is_relative_to(root / "inbox"):
                self.fail(
                    "history.file",
                    "Tệp lịch sử không được nằm trong inbox/ (sẽ bị lấy như một bảng điểm).",
                )
        retry = self.retry(tables["retry"])
        watch = self.watch(tables["watch"])
        schedule = self.schedule(tables["schedule"])
        if (
            self.problems
            or root is None
            or output is None
            or answers is None
            or history is None
            or smtp_settings is None
            or retry is None
            or watch is None
            or schedule is None
        ):
            return None
        return Settings(
            source=source,
            root=root,
            output=output,
            profile=profile,
            rules=rules,
            template=template,
            smtp=smtp_settings,
            mail=MailSettings(
                decision=Recipients(decision_to, decision_cc),
                decision_template=decision_template,
                reminder=Recipients(reminder_to, reminder_cc),
                reminder_template=reminder_template,
                rejection_template=rejection_template,
            ),
            retry=retry,
            watch=watch,
            schedule=schedule,
            answers=answers,
            share_name=share_name,
            rejection=rejection,
            technical=technical,
            attach=attach,
            history=history,
            pdf=pdf,
            report=report,
        )

    # -- sections ------------------------------------------------------------------------

    def folders(
        self, table: dict[str, Any]
    ) -> tuple[Path | None, Path | None, Path | None, str | None]:
        """root, output, answers (default root/tra-loi) and the share name people know."""
        root = self.path(table, "folders", "root", required=True)
        output = self.path(table, "folders", "output", required=True)
        share_name = self.text(table, "folders", "share_name")
        if root is None:
            return None, output, None, share_name
        inbox = root / "inbox"
        if output is not None and (root == output or output.is_relative_to(inbox)):
            self.fail(
                "folders.output",
                "Thư mục quyết định phải khác thư mục nhận và không nằm trong inbox/ (quyết định "
                "sẽ bị lấy như một bảng điểm).",
            )
        answers = self.path(table, "folders", "answers") or root / ANSWERS_NAME
        taken = [root / name for name in RESERVED_FOLDERS]
        if answers == root or any(answers.is_relative_to(folder) for folder in taken):
            self.fail(
                "folders.answers",
                "Thư mục trả lời phải là một thư mục riêng: không phải thư mục nhận, không nằm "
                f"trong {', '.join(f'{name}/' for name in RESERVED_FOLDERS)} của nó.",
            )
        return root, output, answers, share_name

    def rejection(
        self, table: dict[str, Any], reminder: Recipients | None
    ) -> tuple[Recipients | None, Recipients | None, Path | None]:
        """Who is told of a refusal: the secretary's list, the technical staff's, the template.

        No [rejection] to: the [reminder] people when that section names its own (the council's
        secretary, who drops the workbooks), else nobody. No technical_to: the same people as a
        refusal of the workbook, who pass it on (the letter says whose move it is).
        """
        to = self.addresses(table, "rejection", "to")
        cc = self.addresses(table, "rejection", "cc")
        technical_to = self.addresses(table, "rejection", "technical_to")
        if cc and not to:
            self.fail("rejection.cc", "Có cc nhưng thiếu to: ghi người nhận chính ở to.")
        people = Recipients(to, cc) if to else reminder
        technical = Recipients(technical_to) if technical_to else people
        return people, technical, self.path(table, "rejection", "template")

    def report(self, table: dict[str, Any], profile: Profile) -> ReportOutput:
        """[report]: the report beside each decision (on by default), and the scorecards mailed to
        the agencies (off by default; its letter template is checked only when on)."""
        enabled = self.boolean(table, "report", "enabled", default=True)
        mailed = self.boolean(table, "report", "email_scorecards", default=False)
        template = self.path(table, "report", "template")
        if mailed and not enabled:
            self.fail(
                "report.email_scorecards",
                "Gửi phiếu kết quả qua thư cần lập báo cáo: ghi enabled = true, hoặc "
                "email_scorecards = false.",
            )
        if not mailed:
            return ReportOutput(enabled=enabled, email_scorecards=False)
        return ReportOutput(
            enabled=enabled,
            email_scorecards=True,
            template=template or _profile_email(profile, SCORECARD_TEMPLATE),
        )

    def profile(self, table: dict[str, Any]) -> Profile:
        """[decision] profile: a bundled name or a folder (relative to the config's folder)."""
        name = self.text(table, "decision", "profile")
        if name is None:
            return default_profile()
        key = "decision.profile"
        try:
            return find_profile(name, self.base, place=key)
        except InputError as exc:
            self.problems += [
                Problem(f"{self.label}: {key}", f"{exc.summary} {problem.message}")
                for problem in exc.problems
            ]
            return default_profile()

    def smtp(self, table: dict[str, Any]) -> SmtpSettings | None:
        if "password" in table:
            self.fail(
                "smtp.password",
                "Không ghi mật khẩu trong tệp cấu hình. Xóa dòng này; đặt mật khẩu vào một biến "
                "môi trường rồi ghi tên biến ở password_env, hoặc vào một tệp chỉ người chạy "
                "chương trình đọc được rồi ghi đường dẫn ở password_file.",
            )
        host = self.text(table, "smtp", "host", required=True)
        security_name = self.text(table, "smtp", "security") or Security.STARTTLS.value
        try:
            security = Security(security_name.lower())
        except ValueError:
            self.fail(
                "smtp.security",
                f"Phải là một trong: starttls, tls, none; đang ghi «{security_name}».",
            )
            security = Security.STARTTLS
        port = self.integer(table, "smtp", "port", low=1, high=65535)
        sender = self.text(table, "smtp", "sender", required=True)
        if sender is not None:
            self.check_address("smtp.sender", sender)
        user = self.text(table, "smtp", "user")
        password_env = self.text(table, "smtp", "password_env")
        password_file = self.path(table, "smtp", "password_file")
        if password_env is not None and password_file is not None:
            self.fail(
                "smtp.password_file", "Chỉ ghi một trong hai: password_env hoặc password_file."
            )
        if user is not None and password_env is None and password_file is None:
            self.fail(
                "smtp.user",
                "Có tên đăng nhập nhưng chưa nói lấy mật khẩu ở đâu: ghi password_env (tên biến "
                "môi trường) hoặc password_file (đường dẫn tệp chứa mật khẩu).",
            )
        if user is None and (password_env is not None or password_file is not None):
            self.fail("smtp.user", "Có nguồn mật khẩu nhưng thiếu tên đăng nhập (user).")
        timeout = self.number(table, "smtp", "timeout_seconds", low=1, high=600)
        ca_file = self.path(table, "smtp", "ca_file")
        if ca_file is not None and not ca_file.is_file():
            self.fail("smtp.ca_file", f"Không tìm thấy tệp {ca_file}.")
        if host is None or sender is None:
            return None
        return SmtpSettings(
            host=host,
            port=port if port is not None else DEFAULT_PORTS[security],
            security=security,
            sender=sender,
            user=user,
            password_env=password_env,
            password_file=password_file,
            timeout_seconds=timeout if timeout is not None else 30.0,
            ca_file=ca_file,
        )

    def retry(self, table: dict[str, Any]) -> RetrySettings | None:
        default = RetrySettings()
        first = self.number(table, "retry", "first_seconds", low=0, high=7 * 86400)
        cap = self.number(table, "retry", "max_seconds", low=0, high=7 * 86400)
        give_up = self.number(table, "retry", "give_up_hours", low=0, high=24 * 60)
        first = default.first_seconds if first is None else first
        cap = default.max_seconds if cap is None else cap
        if cap < first:
            self.fail("retry.max_seconds", "Không được nhỏ hơn first_seconds.")
        return RetrySettings(
            first_seconds=first,
            max_seconds=cap,
            give_up_hours=default.give_up_hours if give_up is None else give_up,
        )

    def watch(self, table: dict[str, Any]) -> WatchSettings | None:
        default = WatchSettings()
        settle = self.number(table, "watch", "settle_seconds", low=0, high=3600)
        poll = self.number(table, "watch", "poll_seconds", low=0.05, high=3600)
        polling = table.get("polling", default.polling)
        if not isinstance(polling, bool):
            self.fail("watch.polling", "Phải là true hoặc false.")
            polling = default.polling
        return WatchSettings(
            settle_seconds=default.settle_seconds if settle is None else settle,
            poll_seconds=default.poll_seconds if poll is None else poll,
            polling=polling,
        )

    def schedule(self, table: dict[str, Any]) -> ScheduleSettings | None:
        default = ScheduleSettings()
        day = self.integer(table, "schedule", "day", low=1, high=31)
        year = self.integer(table, "schedule", "evaluation_year", low=1900, high=9999)
        at = default.at
        text = table.get("time")
        if text is not None:
            try:
                if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
                    raise ValueError
                at = time(int(text[:2]), int(text[3:]))
            except ValueError:
                self.fail("schedule.time", f'Phải là giờ:phút, ví dụ "08:00"; đang ghi «{text}».')
        return ScheduleSettings(
            day=default.day if day is None else day, at=at, evaluation_year=year
        )
