"""The sheet: stores (workbook, Google), value readers, the typed dataset, the data check."""
