"""Shared fixtures. Stores come in two backends; `store` runs a test on both."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import openpyxl
import pytest
from google.oauth2.credentials import Credentials as TokenCredentials

from core.config import Config, load_config
from sheets.credentials import GoogleAuthToken
from sheets.google import GoogleStore
from sheets.store import Layout, Store
from sheets.workbook import WorkbookStore
from tests.fakes.sheets_api import SheetsFake
from tests.fakes.storage_api import StorageFake

# LINE Messaging API fake and messenger fixtures, and the Drive fake's, live in their own plugin modules.
pytest_plugins = ["tests.fakes.line_fixtures", "tests.fakes.drive_fixtures"]

SPREADSHEET_ID = "test-spreadsheet"

# Settings every test starts from: quick retries so failure paths stay fast.
TEST_SETTINGS: dict[str, Any] = {
    # Never the repo's data/snapshots (a runtime made from make_config() opens the snapshots too).
    "snapshot.directory": tempfile.mkdtemp(prefix="kkc-test-snapshots-"),
    "sheets.timeout_seconds": 5.0,
    "sheets.max_tries": 4,
    "sheets.backoff_seconds": 0.01,
    "sheets.backoff_max_seconds": 0.05,
}


@pytest.fixture(autouse=True)
def snapshot_directories(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's parsed snapshots in directories of its own (never the repo's data/snapshots, never
    another test's), for every configuration read from the environment."""
    root = tmp_path_factory.mktemp("snapshots")
    monkeypatch.setenv("KKC_SNAPSHOT_DIR", str(root / "shared"))
    monkeypatch.setenv("KKC_SNAPSHOT_LOCAL_DIR", str(root / "local"))
    monkeypatch.setenv("KKC_ARCHIVE_DIR", str(root / "alert-log-archive"))  # nor the repo's data/ for moved rows
    return root


@pytest.fixture(autouse=True)
def clients_closed() -> Iterator[None]:
    """The HTTP clients a test's runtimes opened are closed when it ends (tests.chat_support.OPENED)."""
    yield
    from tests.chat_support import close_opened   # here: chat_support imports this module

    close_opened()


def make_config(overrides: Mapping[str, Any] | None = None) -> Config:
    """config.yaml plus the test settings, never the caller's environment."""
    return load_config(env={}, overrides={**TEST_SETTINGS, **(overrides or {})})


@pytest.fixture
def config() -> Config:
    return make_config()


@pytest.fixture
def layout(config: Config) -> Layout:
    return Layout(config)


# -- Google Sheets, through the local fake API ---------------------------------
@pytest.fixture
def sheets_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[SheetsFake]:
    """A started fake Sheets API holding one fresh spreadsheet (SPREADSHEET_ID, a blank 'Sheet1')."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake = SheetsFake().start()
    fake.create_spreadsheet(SPREADSHEET_ID)
    yield fake
    fake.stop()
    # Every test doubles as a check that the fake's answers match Google's documented shapes.
    assert fake.violations == [], f"the fake saw requests or gave answers off the discovery document: {fake.violations}"


@pytest.fixture
def backoff_sleeps() -> list[float]:
    """The backoff waits a client asked for (it never really sleeps in tests)."""
    return []


@pytest.fixture
def tokens_asked() -> list[int]:
    """One entry each time a client asked `counted_token` for a token."""
    return []


@pytest.fixture
def counted_token(tokens_asked: list[int]) -> Callable[[], str]:
    """A token callable for a Google client that counts its calls in `tokens_asked`."""
    def token() -> str:
        tokens_asked.append(1)
        return "test-token"
    return token


@pytest.fixture
def google_store_factory(sheets_fake: SheetsFake, backoff_sleeps: list[float]) -> Callable[..., GoogleStore]:
    """Build a GoogleStore on the fake: settings overrides (dotted keys), credentials, layout."""

    def build(overrides: Mapping[str, Any] | None = None, credentials: Any = None,
              layout: Layout | None = None) -> GoogleStore:
        cfg = make_config({"sheets.api_url": sheets_fake.url, **(overrides or {})})
        return GoogleStore.from_config(SPREADSHEET_ID, cfg, layout or Layout(cfg),
                                       GoogleAuthToken(credentials or TokenCredentials(token="test-token")),
                                       sleep=backoff_sleeps.append)

    return build


@pytest.fixture
def google_store(google_store_factory: Callable[..., GoogleStore]) -> GoogleStore:
    return google_store_factory()


# -- the local workbook -----------------------------------------------------------
@pytest.fixture
def workbook_store(tmp_path: Path, layout: Layout) -> WorkbookStore:
    """A WorkbookStore on a fresh .xlsx holding one blank 'Sheet1', like a new Google spreadsheet."""
    path = tmp_path / "smart-data.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.save(path)
    return WorkbookStore(path, layout)


# -- both backends ------------------------------------------------------------------
@pytest.fixture(params=["workbook", "google"])
def store(request: pytest.FixtureRequest) -> Store:
    """The same test on the .xlsx backend and on the Google backend."""
    return request.getfixturevalue(f"{request.param}_store")


class WorkbookEditor:
    """A person editing the .xlsx directly."""

    def __init__(self, path: Path):
        self.path = path

    def write_tab(self, title: str, rows: Sequence[Sequence[Any]]) -> None:
        """Replace a tab's content (creating the tab)."""
        book = openpyxl.load_workbook(self.path)
        if title in book.sheetnames:
            book.remove(book[title])
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        book.save(self.path)

    def tab_rows(self, title: str) -> list[list[Any]]:
        """A tab's cells as stored, trailing blanks left out."""
        book = openpyxl.load_workbook(self.path, read_only=True)
        try:
            return google_rows(list(r) for r in book[title].iter_rows(values_only=True))
        finally:
            book.close()


class FakeSheetEditor:
    """A person editing the Google Sheet in the browser."""

    def __init__(self, fake: SheetsFake):
        self.fake = fake

    def write_tab(self, title: str, rows: Sequence[Sequence[Any]]) -> None:
        self.fake.set_rows(SPREADSHEET_ID, title, rows)

    def tab_rows(self, title: str) -> list[list[Any]]:
        return google_rows(self.fake.rows(SPREADSHEET_ID, title))


def google_rows(rows: Any) -> list[list[Any]]:
    """Rows as Google answers a read by rows: a blank cell "", each row up to its last non-empty
    cell, the rows up to the last that has one."""
    out = []
    for row in rows:
        row = ["" if v is None else v for v in row]
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


@pytest.fixture
def sheet_editor(store: Store, request: pytest.FixtureRequest) -> WorkbookEditor | FakeSheetEditor:
    """Types into the `store`'s own spreadsheet behind its back, as officers do."""
    if isinstance(store, WorkbookStore):
        return WorkbookEditor(store.path)
    return FakeSheetEditor(request.getfixturevalue("sheets_fake"))


# -- Cloud Storage, through the local fake API --------------------------------------
@pytest.fixture
def storage_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[StorageFake]:
    """A started fake Cloud Storage holding one empty bucket (tests.fakes.storage_api.DEFAULT_BUCKET)."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with StorageFake() as fake:
        yield fake
    # Every test doubles as a check that the fake's answers match Google's documented shapes.
    assert fake.violations == [], f"the fake saw requests or gave answers off the discovery document: {fake.violations}"
