"""python -m sheets.demo OUT.xlsx [YYYY-MM-DD] [seed]: the Trat demo workbook, without the CLI's config."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from sheets.demo.write import build_demo

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("data/smart-data.xlsx")
day = dt.date.fromisoformat(sys.argv[2]) if len(sys.argv) > 2 else dt.date.today()
print(build_demo(out, day, int(sys.argv[3]) if len(sys.argv) > 3 else 2569,
                 progress=lambda m: print(m, file=sys.stderr)).as_text())
