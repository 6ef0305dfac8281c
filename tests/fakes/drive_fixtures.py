"""Fixtures for the Google Drive fake: a started fake with a shared drive, and the folder documents go to
(a pytest plugin: tests/conftest.py names it)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import pytest

from tests.fakes.drive_api import DriveFake

if TYPE_CHECKING:
    from tests.fakes.sheets_api import SheetsFake

SHARED_DRIVE = "พช.ตราด"
DOCUMENTS_FOLDER = "เอกสารกองทุน กข.คจ."


@pytest.fixture
def drive_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[DriveFake]:
    """A started fake Drive, the caller a service account, with one shared drive it is a member of."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with DriveFake() as fake:
        fake.add_shared_drive(SHARED_DRIVE)
        yield fake
    # Every test doubles as a check that the fake's answers match Google's documented shapes.
    assert fake.violations == [], f"the fake saw requests or gave answers off the discovery document: {fake.violations}"


@pytest.fixture
def shared_folder(drive_fake: DriveFake) -> str:
    """The id of the folder a province would set as drive.folder_id: inside the shared drive."""
    drive_id = next(iter(drive_fake.shared_drives))
    return drive_fake.add_folder(DOCUMENTS_FOLDER, drive_id)


@pytest.fixture
def sheet_on_drive(drive_fake: DriveFake, sheets_fake: "SheetsFake") -> DriveFake:
    """The Sheets fake's spreadsheet as a file of the Drive fake whose version moves with every change
    (what the program asks to know whether its parsed snapshot is still the sheet)."""
    from tests.conftest import SPREADSHEET_ID

    drive_fake.add_spreadsheet(SPREADSHEET_ID)
    drive_fake.follow_sheets(sheets_fake)
    return drive_fake
