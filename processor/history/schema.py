"""The history file's tables, and opening one safely: right kind of file, known schema, WAL.

A history file says what it is twice: `PRAGMA application_id` (ours) and `PRAGMA user_version`
(the schema). A file that is not SQLite, another program's database, or a history written by
a newer version of the tool is refused with a Vietnamese sentence (InputError, exit 2) and is
never changed. Opening for reading only never creates a file and writes nothing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from processor.core.messages import os_error_message, with_detail
from processor.core.problems import InputError, Problem

SCHEMA_VERSION = 1
APPLICATION_ID = 0x58484354  # "XHCT": xếp hạng CNTT
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_SECONDS = 30.0  # how long a writer waits for another one before giving up

SCHEMA = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    profile TEXT NOT NULL,
    year INTEGER NOT NULL,
    input_sha256 TEXT NOT NULL,
    input_name TEXT NOT NULL,
    rules_sha256 TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    rank_by TEXT NOT NULL,
    precision INTEGER NOT NULL,
    percent_precision INTEGER NOT NULL,
    agency_count INTEGER NOT NULL,
    UNIQUE (profile, year)
);
CREATE TABLE groups (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    max_points TEXT NOT NULL,
    PRIMARY KEY (run_id, code)
) WITHOUT ROWID;
CREATE TABLE criteria (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (run_id, code)
) WITHOUT ROWID;
CREATE TABLE criterion_maxima (
    run_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    group_code TEXT NOT NULL,
    max_points TEXT NOT NULL,
    PRIMARY KEY (run_id, code, group_code),
    FOREIGN KEY (run_id, code) REFERENCES criteria (run_id, code) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE pillars (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (run_id, code)
) WITHOUT ROWID;
CREATE TABLE agencies (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    group_code TEXT NOT NULL,
    ranked INTEGER NOT NULL CHECK (ranked IN (0, 1)),
    rank INTEGER,
    unranked_reason TEXT,
    total TEXT NOT NULL,
    rounded_total TEXT NOT NULL,
    percent TEXT,
    max_points TEXT NOT NULL,
    grade TEXT,
    prior_rank INTEGER,
    rank_change INTEGER,
    PRIMARY KEY (run_id, position)
) WITHOUT ROWID;
CREATE INDEX agencies_by_name ON agencies (name_key);
CREATE TABLE scores (
    run_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    criterion TEXT NOT NULL,
    score TEXT,  -- NULL: the criterion applies but the agency was not scored on it
    PRIMARY KEY (run_id, position, criterion),
    FOREIGN KEY (run_id, position) REFERENCES agencies (run_id, position) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE pillar_totals (
    run_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    pillar TEXT NOT NULL,
    subtotal TEXT NOT NULL,
    PRIMARY KEY (run_id, position, pillar),
    FOREIGN KEY (run_id, position) REFERENCES agencies (run_id, position) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    profile TEXT NOT NULL,
    year INTEGER NOT NULL,
    replaced_at TEXT NOT NULL,
    old_input_sha256 TEXT NOT NULL,
    old_input_name TEXT NOT NULL,
    old_rules_sha256 TEXT NOT NULL,
    old_tool_version TEXT NOT NULL,
    old_recorded_at TEXT NOT NULL,
    new_input_sha256 TEXT NOT NULL,
    new_tool_version TEXT NOT NULL,
    changes TEXT NOT NULL,  -- JSON: what the replacement changed (records.changes)
    old_run TEXT NOT NULL  -- JSON: the replaced run whole (codec.run_document)
);
CREATE INDEX audit_by_year ON audit (profile, year);
"""

# Tables added after files of schema 1 were first written. The version stays 1: a file without
# one of them is made whole when opened for writing (`connect`) and reads as if it were empty.
ADDED_TABLES = {
    # The renames and mergers a run applied (those taking effect in its year): one row per
    # old name, so `history --agency NEW` finds the old names and the years before.
    "successions": """
CREATE TABLE successions (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,  -- the succession's place among the run's
    part INTEGER NOT NULL,  -- the old name's place in it
    old_name TEXT NOT NULL,
    old_key TEXT NOT NULL,
    new_name TEXT NOT NULL,
    new_key TEXT NOT NULL,
    year INTEGER NOT NULL,  -- the first evaluation year under the new name (the run's year)
    place TEXT NOT NULL,
    PRIMARY KEY (run_id, position, part)
) WITHOUT ROWID;
CREATE INDEX successions_by_new_name ON successions (new_key);
CREATE INDEX successions_by_old_name ON successions (old_key)
""",
}


def refused(path: Path, summary: str, message: str) -> InputError:
    return InputError(summary, [Problem(str(path), message)])


def connect(path: Path, *, create: bool) -> tuple[sqlite3.Connection, bool]:
    """An open connection to a checked history file, and whether it holds the schema yet.

    `create`: make the file and its schema when missing (recording); otherwise (reading) a
    missing file is an InputError and nothing is written, not even the schema.
    """
    _check_file(path, create)
    if create:
        from processor.writing.files import make_folder

        try:
            make_folder(path.parent)
        except OSError as exc:
            raise refused(
                path, "Không tạo được thư mục cho tệp lịch sử.", os_error_message(exc, path.parent)
            ) from None
    try:
        connection = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    except sqlite3.Error as exc:
        raise sqlite_refusal(path, exc) from None
    try:
        ready = _check_schema(connection, path)
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA synchronous = FULL")
        if create:
            if connection.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
                raise refused(
                    path,
                    "Không bật được chế độ ghi an toàn (WAL) cho tệp lịch sử.",
                    "Tệp lịch sử phải nằm trên ổ đĩa của máy chủ, không phải ổ mạng.",
                )
            if not ready:
                _create_schema(connection)
                ready = True
            else:
                _add_missing_tables(connection)
    except sqlite3.Error as exc:
        connection.close()
        raise sqlite_refusal(path, exc) from None
    except BaseException:
        connection.close()
        raise
    return connection, ready


def _check_file(path: Path, create: bool) -> None:
    if path.is_dir():
        raise refused(
            path,
            f"Tệp lịch sử {path} là một thư mục.",
            "Ghi đường dẫn một tệp, ví dụ lich-su.sqlite.",
        )
    if not path.exists():
        if create:
            return
        raise refused(
            path,
            f"Chưa có tệp lịch sử {path}.",
            "Kiểm tra lại đường dẫn; tệp được tạo khi ghi năm đầu tiên "
            "(run --history TỆP, hoặc thư mục nhận tự ghi).",
        )
    try:
        with path.open("rb") as stream:
            header = stream.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise refused(
            path, "Không đọc được tệp lịch sử.", os_error_message(exc, path, "đọc")
        ) from None
    if header and header != SQLITE_HEADER:
        raise refused(
            path,
            f"Tệp {path.name} không phải tệp lịch sử (không phải cơ sở dữ liệu SQLite).",
            "Kiểm tra lại đường dẫn --history: tệp lịch sử do chương trình tạo, thường tên "
            "lich-su.sqlite. Tệp này không bị sửa.",
        )


def _check_schema(connection: sqlite3.Connection, path: Path) -> bool:
    """True when the schema is there; InputError for a file that is not one of ours."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    application = connection.execute("PRAGMA application_id").fetchone()[0]
    tables = connection.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
    if version == 0 and application == 0 and tables == 0:
        return False  # an empty database: a new history
    if application != APPLICATION_ID:
        raise refused(
            path,
            f"Tệp {path.name} là cơ sở dữ liệu SQLite của một chương trình khác, "
            "không phải tệp lịch sử xếp hạng.",
            "Kiểm tra lại đường dẫn --history. Tệp này không bị sửa.",
        )
    if version > SCHEMA_VERSION:
        raise refused(
            path,
            f"Tệp lịch sử {path.name} do một phiên bản mới hơn của chương trình ghi.",
            f"Tệp theo lược đồ {version}, phiên bản này chỉ đọc được lược đồ đến "
            f"{SCHEMA_VERSION}: cập nhật chương trình rồi chạy lại. Tệp này không bị sửa.",
        )
    if version < 1:
        raise refused(
            path,
            f"Tệp lịch sử {path.name} không ghi rõ lược đồ (tệp dở dang hoặc bị sửa tay).",
            "Dùng bản sao lưu gần nhất của tệp lịch sử. Tệp này không bị sửa.",
        )
    return True


def has_table(connection: sqlite3.Connection, name: str) -> bool:
    return (
        connection.execute(
            "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        is not None
    )


def _statements(script: str) -> list[str]:
    return [statement for statement in script.split(";") if statement.strip()]


def _create_schema(connection: sqlite3.Connection) -> None:
    """All tables, the version and our mark, in one transaction: all or nothing."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        for statement in (
            *_statements(SCHEMA),
            *(s for script in ADDED_TABLES.values() for s in _statements(script)),
        ):
            connection.execute(statement)
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _add_missing_tables(connection: sqlite3.Connection) -> None:
    """A file written before a table was added gets it (with its indexes), all or nothing.

    Checked again inside the write lock: two writers opening an old file add it once.
    """
    if all(has_table(connection, name) for name in ADDED_TABLES):
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        for name, script in ADDED_TABLES.items():
            if not has_table(connection, name):
                for statement in _statements(script):
                    connection.execute(statement)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def sqlite_refusal(path: Path, exc: sqlite3.Error) -> InputError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        message = (
            f"Tệp lịch sử {path.name} đang được một lần chạy khác ghi; chờ lần đó xong "
            "rồi chạy lại."
        )
    elif "not a database" in text or "malformed" in text or "corrupt" in text:
        message = (
            f"Tệp lịch sử {path.name} bị hỏng hoặc không phải cơ sở dữ liệu SQLite: dùng "
            "bản sao lưu gần nhất."
        )
    elif "readonly" in text or "unable to open" in text:
        message = (
            f"Không mở được tệp lịch sử {path}: kiểm tra đường dẫn và quyền ghi "
            "của thư mục chứa nó."
        )
    else:
        message = f"Không dùng được tệp lịch sử {path.name}."
    return refused(path, "Không dùng được tệp lịch sử.", with_detail(message, exc))
