"""The import command: read the files, compare with the sheet, then stop and ask, show, or append."""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Optional, Sequence, TextIO

from core.config import Config
from sheets.importer.apply import Written, apply_plan
from sheets.importer.columns import Matcher, find_header
from sheets.importer.grid import ImportFileError, read_grids
from sheets.importer.mapping import Mapping, SheetDecision, read_mapping, write_mapping
from sheets.importer.plan import ImportPlan, plan_import
from sheets.importer.progress import ProgressBar
from sheets.importer.report import as_json, as_text
from sheets.importer.rows import SheetRows, read_rows
from sheets.importer.titles import as_of_in, place_in, title_lines, with_official_names
from sheets.model import read_dataset
from sheets.store import Layout, Store

# Exit codes: 0 done (or shown, with --dry-run); 2 a file or the mapping file cannot be used;
# 5 stopped before writing: a match is unsure, the mapping file says what to decide.
NEEDS_MAPPING = 5
READ_TABS = ("officers", "funds", "loans", "payments")


def read_files(files: Sequence[Path], matcher: Matcher, mapping: Mapping,
               bar: Optional[ProgressBar] = None) -> tuple[list[SheetRows], list[tuple[str, str]]]:
    """Every sheet of every file with a table: its rows read (unless the table is not settled yet)."""
    found: list[SheetRows] = []
    without: list[tuple[str, str]] = []
    for path in files:
        for grid in read_grids(path):
            decided = mapping.get(grid.file, grid.sheet)
            guess = decided.guess(grid) if decided else find_header(grid, matcher)
            if guess is None:
                without.append((grid.file, grid.sheet))
                continue
            titles = title_lines(grid.rows, guess.first_row)
            place = place_in(titles)
            fund_id = ""
            if decided:
                place = with_official_names(decided.place).over(place)
                fund_id = decided.fund_id
            if guess.blocked:
                found.append(SheetRows(grid.file, grid.sheet, guess, place, fund_id))
                continue
            if bar is not None:
                bar.relabel(f"อ่าน {grid.file} / {grid.sheet}")
            found.append(read_rows(grid, guess, place, fund_id, as_of_in(titles), progress=bar))
    if bar is not None:
        bar.close()
    return found, without


def decisions_of(plan: ImportPlan) -> list[SheetDecision]:
    return [SheetDecision(s.rows.file, s.rows.sheet, s.guess, s.rows.place, s.rows.fund_id) for s in plan.sheets]


def default_mapping_path(files: Sequence[Path]) -> Path:
    first = files[0]
    return first.with_name(f"{first.stem}.mapping.yaml")


def run_import(files: Sequence[Path], store: Store, config: Config, today: dt.date, now: dt.datetime, *,
               dry_run: bool = False, mapping_path: Optional[Path] = None, mapping_out: Optional[Path] = None,
               as_json_output: bool = False, out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> int:
    """The command's whole run; returns its exit code. Output goes to `out` (stdout), the progress
    bar and errors to `err` (stderr)."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    layout = Layout(config)
    bar = ProgressBar(stream=err)
    try:
        mapping = read_mapping(mapping_path) if mapping_path else Mapping()
        sheets, without = read_files(files, Matcher(layout), mapping, bar)
    except ImportFileError as exc:
        print(f"นำเข้าไม่ได้: {exc}", file=err)
        return 2
    ds = read_dataset(store, layout, today, config.rules.max_term_years, tabs=READ_TABS)
    plan = plan_import(sheets, ds, layout, today, now)
    plan.without_table = without
    written: Optional[Written] = None
    mapping_file: Optional[Path] = None
    if plan.blocked:
        mapping_file = write_mapping(mapping_out or mapping_path or default_mapping_path(files), decisions_of(plan))
    elif not dry_run:
        bar.relabel("เขียนลงชีต")
        written = apply_plan(store, plan, progress=bar)
        bar.close()
    if as_json_output:
        json.dump(as_json(plan, store=store.description, dry_run=dry_run, written=written, mapping_file=mapping_file),
                  out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(as_text(plan, store=store.description, dry_run=dry_run, written=written, mapping_file=mapping_file))
    return NEEDS_MAPPING if plan.blocked else 0
