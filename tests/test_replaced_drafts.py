"""A draft replaced by a corrected workbook is never sent again by mistake.

Tried as a new user would: after a corrected workbook made a new draft, `mail resend` of the
first letter (which had failed for one recipient) sent the old ranking to the Chairman's
secretary. Now `mail list` marks it replaced, and `mail resend` refuses it, naming the new one.
"""

from __future__ import annotations

import json

from deployment import SAMPLE, deployment
from smtp_server import smtp_server
from test_answers import corrected_sample


def two_drafts(tmp_path, server):
    """A deployment that made a draft for 2020, then one from a corrected workbook."""
    corrected = tmp_path / "da-sua.xlsx"
    corrected.write_bytes(corrected_sample())
    site = deployment(tmp_path / "may-chu", server.port)
    site.drop(SAMPLE, "bang-diem-2020.xlsx")
    site.inbox_pass()
    site.drop(corrected, "bang-diem-2020-da-sua.xlsx")
    site.inbox_pass()
    return site


def test_a_replaced_draft_is_marked_and_not_resent(tmp_path):
    with smtp_server() as server:
        site = two_drafts(tmp_path, server)
        assert len(server.messages) == 2
        listed = json.loads(site.run("mail", "list", "--format", "json").stdout)
        letters = sorted(
            (m for m in listed["messages"] if m["kind"] == "quyet-dinh"), key=lambda m: m["created"]
        )
        old, new = letters[0]["id"], letters[1]["id"]
        assert letters[0]["replaced_by"] == new and letters[1]["replaced_by"] is None
        text = site.run("mail", "list").stdout
        assert f"ĐÃ BỊ THAY THẾ bởi thư {new}" in text
        refused = site.run("mail", "resend", old)
        again = site.run("mail", "resend", new)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "đã bị thay thế" in refused.stderr and new in refused.stderr
    assert "Traceback" not in refused.stderr
    assert again.returncode == 0, again.stderr
    assert len(server.messages) == 3  # only the new draft went out again
    assert server.messages[2].message["Subject"].startswith("THAY THẾ")


def test_the_old_drafts_answer_says_it_was_replaced_and_a_duplicate_of_it_says_so_too(tmp_path):
    with smtp_server() as server:
        site = two_drafts(tmp_path, server)
        names = site.answer_names()
        site.drop(SAMPLE, "bang-diem-cu.xlsx")  # the first scores again, byte for byte
        site.inbox_pass()
    assert "bang-diem-2020 - ĐÃ BỊ THAY THẾ.txt" in names
    assert not [n for n in names if n.startswith("bang-diem-2020 - ") and "THAY THẾ" not in n]
    assert "bang-diem-2020-da-sua - quyết định.docx" in names
    note = (site.answers / "bang-diem-2020 - ĐÃ BỊ THAY THẾ.txt").read_text(encoding="utf-8")
    assert "«bang-diem-2020-da-sua - quyết định.docx»" in note
    duplicate = (site.answers / "bang-diem-cu - TRÙNG.txt").read_text(encoding="utf-8")
    assert "ĐÃ BỊ THAY THẾ" in duplicate and "không ai cần làm gì thêm" not in duplicate
