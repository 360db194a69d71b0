"""The reader's limits, in one place: how far a file may go before it is refused as hostile.

A real scoring workbook is a few MB at most (50,000 agencies x 30 criteria: about 7 MB on disk,
55 MB of sheet XML). The limits are far above that and far below what would hurt the machine.
Every use reads them as `limits.MAX_ROWS` (never `from … import MAX_ROWS`) when a workbook is
read, so a test can lower one with `monkeypatch.setattr(limits, "MAX_ROWS", 2)`.
"""

from __future__ import annotations

MAX_ZIP_MEMBERS = 5_000
"""Files inside the .xlsx archive; a real workbook has a few dozen. Checked from the archive's
end record, before Python builds its list of members."""

MAX_PART_BYTES = 256 * 1024 * 1024
"""Declared uncompressed size of any one member, checked before anything is decompressed."""

MAX_TOTAL_BYTES = 512 * 1024 * 1024
"""Declared uncompressed size of all members together, checked before decompressing."""

MAX_ROWS = 200_000
"""Rows holding a value in one sheet the tool reads: four times a 50,000-agency national run, so
a sheet filled down to Excel's last row (1,048,576) is refused after a fifth of it."""

MAX_CELLS = 5_000_000
"""Cells in one sheet the tool reads: every cell written in the file, counting each row as at
least as wide as its last value (that is what memory holds), plus its merged ranges."""

MAX_SHARED_STRINGS = 2_000_000
"""Entries in the workbook's shared string table."""

MAX_TEXT_CHARS = 1_000_000
"""Characters in one cell's text or one shared string (Excel allows 32,767)."""

MAX_XML_DEPTH = 100
"""Nesting of XML elements in a part; real parts nest less than a dozen deep."""

MAX_XML_TOKEN_BYTES = 16 * 1024 * 1024
"""Bytes of one XML tag (with its attributes) or comment, which the parser must hold whole;
real tags are a few hundred bytes."""

DIRECTORY_BYTES_PER_MEMBER = 1_024
"""A zip central directory larger than this per allowed member is forged."""

CHUNK = 1 << 16
"""Bytes decompressed and parsed at a time; also the most text expat hands over in one call."""
