"""Reads a download of the data API as a planner's tools would, and prints what it found as JSON
for tests/tests/tileserver/downloads.rs to assert.

    xlsx_check.py xlsx FILE.xlsx   # openpyxl: the header block, the frozen header row, the rows
    xlsx_check.py csv FILE.csv     # the csv module with encoding utf-8-sig (what Excel does)

Names are reported with whether every one is NFC (Vietnamese text must be composed)."""

import csv
import json
import sys
import unicodedata

import openpyxl


def nfc(s):
    return isinstance(s, str) and unicodedata.normalize("NFC", s) == s


def check_xlsx(path):
    wb = openpyxl.load_workbook(path, read_only=False)
    ws = wb.worksheets[0]
    # The header row is the one the panes are frozen under ("C9": rows 1..8 frozen).
    frozen = ws.freeze_panes
    header_row = ws[frozen].row - 1 if frozen else None
    block = [
        [c for c in row if c is not None]
        for row in ws.iter_rows(min_row=1, max_row=(header_row or 1) - 1, values_only=True)
    ]
    header = [c.value for c in ws[header_row]] if header_row else []
    rows = [list(r) for r in ws.iter_rows(min_row=(header_row or 0) + 1, values_only=True)]
    rows = [r for r in rows if any(c is not None for c in r)]
    numeric = [
        all(r[i] is None or isinstance(r[i], (int, float)) for r in rows)
        for i in range(len(header))
    ]
    widths = {
        k: ws.column_dimensions[k].width for k in ("A", "B", "C", "D", "E")
    }
    return {
        "sheets": wb.sheetnames,
        "title": ws["A1"].value,
        "title_bold": bool(ws["A1"].font and ws["A1"].font.b),
        "block": block,
        "frozen": frozen,
        "header_row": header_row,
        "header": header,
        "rows": len(rows),
        "first": rows[:3],
        "codes": [r[0] for r in rows],
        "codes_are_text": all(isinstance(r[0], str) for r in rows),
        "numeric_columns": numeric,
        "names_nfc": all(nfc(r[1]) for r in rows),
        "widths": widths,
    }


def check_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rd = csv.DictReader(f)
        rows = list(rd)
        header = rd.fieldnames
    return {
        "header": header,
        "rows": len(rows),
        "first": rows[:3],
        "codes": [r["code"] for r in rows],
        "names": [r["name"] for r in rows[:50]],
        "names_nfc": all(nfc(r["name"]) for r in rows),
    }


def main():
    kind, path = sys.argv[1], sys.argv[2]
    out = check_xlsx(path) if kind == "xlsx" else check_csv(path)
    json.dump(out, sys.stdout, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main()
