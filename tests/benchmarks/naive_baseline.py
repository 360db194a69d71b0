"""The naive baseline: what a typical in-house script does with the same workbook.

It opens the workbook with openpyxl as most scripts do (`load_workbook`, cached values),
adds up each agency's criteria with floats, grades and ranks each group by the rules file's
thresholds, and writes the appendix table with python-docx the way its documentation shows:
`doc.add_table`, then `table.add_row().cells` and `cell.text = ...` cell by cell, then `save`.
No checking of cells, no Decree 30 layout, no template: only the work every version of the
job has to do, so that the benchmark can say how the tool compares with it.

Usage: python tests/benchmarks/naive_baseline.py WORKBOOK --rules RULES --out OUT.docx
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any


def grade_of(total: float, group: dict[str, Any], grades: list[dict[str, Any]]) -> str:
    code, maximum = group["code"], float(group["max_points"])
    for grade in grades:
        if "from_points" in grade:
            bound = grade["from_points"]
            bound = bound[code] if isinstance(bound, dict) else bound
            if total >= float(bound):
                return grade["name"]
        elif "above_percent" in grade:
            bound = grade["above_percent"]
            bound = bound[code] if isinstance(bound, dict) else bound
            if total > maximum * float(bound) / 100:
                return grade["name"]
        else:
            return grade["name"]
    return grades[-1]["name"]


def main(argv: list[str] | None = None) -> int:
    import openpyxl
    from docx import Document

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", type=Path)
    parser.add_argument("--rules", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    rules = tomllib.loads(args.rules.read_text(encoding="utf-8"))
    codes = [c["code"] for c in rules["criteria"]]

    book = openpyxl.load_workbook(args.workbook, data_only=True)
    sheet = book["Điểm"]
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows))
    name_at, group_at = header.index("Tên đơn vị"), header.index("Nhóm")
    prior_at = header.index("Xếp hạng năm trước")
    score_at = [header.index(code) for code in codes]
    year = next(
        value
        for key, value in book["Thông tin"].iter_rows(values_only=True)
        if key == "Năm đánh giá"
    )

    by_group: dict[str, list[tuple[float, str, Any]]] = defaultdict(list)
    for row in rows:
        if row[name_at] is None:
            continue
        total = sum(float(row[i]) for i in score_at if row[i] is not None)
        by_group[row[group_at]].append((round(total, 2), row[name_at], row[prior_at]))

    document = Document()
    document.add_paragraph(f"KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG NĂM {year}")
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    titles = ("TT", "Tên đơn vị", f"Xếp hạng năm {year - 1}", "Tổng điểm", "Xếp hạng", "Xếp loại")
    for cell, title in zip(table.rows[0].cells, titles, strict=True):
        cell.text = title
    for group in rules["groups"]:
        members = sorted(by_group.get(group["code"], []), key=lambda m: m[0], reverse=True)
        cells = table.add_row().cells
        cells[0].text = group["code"]
        cells[1].text = group["title"]
        rank, previous = 0, None
        for position, (total, name, prior) in enumerate(members, start=1):
            if total != previous:
                rank, previous = position, total
            cells = table.add_row().cells
            cells[0].text = str(position)
            cells[1].text = name
            cells[2].text = "" if prior is None else str(prior)
            cells[3].text = f"{total:.2f}".replace(".", ",")
            cells[4].text = str(rank)
            cells[5].text = grade_of(total, group, rules["grades"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    document.save(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
