"""Import of the districts' own workbooks (`python main.py import FILE…`): docs/import.md.

grid.py reads every sheet of a file; columns.py finds the header row and maps each column to the
template with a confidence; titles.py takes the village, subdistrict and district from title rows;
mapping.py writes and reads the mapping file a person edits when a match is unsure; rows.py reads
the rows (registers of loans and payments, and the 26(1) per-village summary); plan.py compares
them with the sheet (new funds, loans, payments; differences; contract numbers made); apply.py
appends the new rows; report.py says it all in Thai; run.py is the command.
"""
