"""กข.คจ. Care entry points.

Cloud Functions (wiring only: check the request, call the library, map errors
to status codes) and, run as a script, the command line (`python main.py --help`).
Heavy clients are created lazily on first use and reused by a warm instance.
"""
from __future__ import annotations

import sys

if __name__ == "__main__":
    from cli import main as cli_main

    sys.exit(cli_main())
