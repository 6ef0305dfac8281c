"""Trat's districts and subdistricts with official codes (core/data/trat-geo.csv)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GEO_FILE = Path(__file__).resolve().parent / "data" / "trat-geo.csv"
_DISTRICT_PREFIXES = ("อำเภอ", "อ.")


@dataclass(frozen=True)
class Subdistrict:
    code: str
    name: str
    district_code: str


@dataclass(frozen=True)
class District:
    code: str
    name: str
    name_en: str
    subdistricts: tuple[Subdistrict, ...]


def normalize_district(text: str) -> str:
    """'อ.เมืองตราด', 'อำเภอ เมืองตราด' and 'เมืองตราด' are the same district."""
    name = " ".join(str(text).split())
    for prefix in _DISTRICT_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):].strip()
            break
    return name


def normalize_subdistrict(text: str) -> str:
    name = " ".join(str(text).split())
    for prefix in ("ตำบล", "ต."):
        if name.startswith(prefix):
            return name[len(prefix):].strip()
    return name


@lru_cache(maxsize=None)
def districts(path: Path = GEO_FILE) -> tuple[District, ...]:
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    subs: dict[str, list[Subdistrict]] = {}
    for row in rows:
        if row["level"] == "subdistrict":
            subs.setdefault(row["parent_code"], []).append(
                Subdistrict(row["code"], row["name_th"], row["parent_code"]))
    return tuple(District(r["code"], r["name_th"], r["name_en"], tuple(subs.get(r["code"], ())))
                 for r in rows if r["level"] == "district")


def district_by_name(name: str) -> District | None:
    wanted = normalize_district(name)
    return next((d for d in districts() if d.name == wanted), None)


def district_names() -> tuple[str, ...]:
    return tuple(d.name for d in districts())
