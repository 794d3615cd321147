"""Classic routing benchmarks with best-known values, as `VrpBenchmarkInstance` records, read from a user's copy.

`root` holds two folders:

- `cvrplib_ABEP/<set>/<name>.vrp` (VRPLIB format): CVRP sets Augerat A (27), B (23), P (24) and
  Christofides-Eilon E (13). Best-known values from `cvrplib_ABEP/bks_ABEP.csv`: proven optima, distances
  rounded to integers (the CVRPLIB convention; A-n32-k5 = 784).
- `solomon_100/<name>.txt` (Solomon format): VRPTW with 100 customers, sets C1 (9), C2 (8), R1 (12), R2 (11),
  RC1 (8), RC2 (8). Best-known values from `solomon_100/bks_solomon_100_from_LKH3_tours.csv`, read from the
  names of LKH-3's best tours, in two conventions chosen by `solomon_bks`: "dimacs" (distances truncated to one
  decimal, distance minimised; C101 = 827.3, R101 = 1637.7 with 20 vehicles) or "exact" (exact Euclidean
  distances, vehicles minimised first; R101 = 1650.798 with 19 vehicles). State the convention beside any gap.

Ids read `cvrplib/<name>` and `solomon/<name>`; the set "solomon" stands for all six Solomon sets.
"""

import csv
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from corta.errors import ConfigError, DatasetError

Convention = Literal["cvrplib", "dimacs", "exact"]

CVRPLIB_SETS: tuple[str, ...] = ("A", "B", "E", "P")
SOLOMON_SETS: tuple[str, ...] = ("C1", "C2", "R1", "R2", "RC1", "RC2")
_CVRPLIB_FOLDER, _CVRPLIB_BKS = "cvrplib_ABEP", "bks_ABEP.csv"
_SOLOMON_FOLDER, _SOLOMON_BKS = "solomon_100", "bks_solomon_100_from_LKH3_tours.csv"
_SOLOMON_NAME = re.compile(r"(?P<set>RC[12]|C[12]|R[12])\d{2}")
_SOLOMON_COLUMNS: dict[str, tuple[str, str]] = {  # convention: (vehicles column, distance column)
    "dimacs": ("vehicles_trunc", "distance_trunc1dec_DIMACS"),
    "exact": ("vehicles_exact", "distance_exact_euclid"),
}


class VrpBenchmarkInstance(BaseModel):
    """One classic instance: its file, and the best known cost (and fleet, for Solomon) where there is one."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1)
    set_name: str
    path: Path
    best_known: float | None
    kind: Literal["cvrp", "vrptw"]
    best_known_vehicles: int | None = None
    convention: Convention


def _natural_key(name: str) -> list[int | str]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    except FileNotFoundError:
        raise DatasetError(f"Best-known values not found: {path}.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetError(f"Cannot read best-known values {path}: {error}.") from None


def _number(raw: str | None, path: Path, name: str) -> float | None:
    if raw is None or not raw.strip():
        return None
    try:
        return float(raw)
    except ValueError:
        raise DatasetError(f"{path}: the best-known value of {name} is not a number: {raw!r}.") from None


def _files(folder: Path, pattern: str) -> list[Path]:
    if not folder.is_dir():
        raise DatasetError(f"Benchmark data not found: {folder}.")
    return sorted(folder.glob(pattern), key=lambda path: _natural_key(path.stem))


def _load_cvrplib(root: Path, set_name: str) -> list[VrpBenchmarkInstance]:
    bks_path = root / _CVRPLIB_FOLDER / _CVRPLIB_BKS
    rows = {row["instance"]: row for row in _read_csv(bks_path)}
    return [
        VrpBenchmarkInstance(
            id=f"cvrplib/{path.stem}",
            set_name=set_name,
            path=path,
            best_known=_number(
                rows.get(path.stem, {}).get("bks_cost_rounded_int_convention"), bks_path, path.stem
            ),
            kind="cvrp",
            convention="cvrplib",
        )
        for path in _files(root / _CVRPLIB_FOLDER / set_name, "*.vrp")
    ]


def _load_solomon(
    root: Path, set_name: str, convention: Literal["dimacs", "exact"]
) -> list[VrpBenchmarkInstance]:
    bks_path = root / _SOLOMON_FOLDER / _SOLOMON_BKS
    rows = {row["instance"]: row for row in _read_csv(bks_path)}
    vehicles_column, distance_column = _SOLOMON_COLUMNS[convention]
    instances = []
    for path in _files(root / _SOLOMON_FOLDER, "*.txt"):
        match = _SOLOMON_NAME.fullmatch(path.stem)
        if match is None or match["set"] != set_name:
            continue  # the upstream licence, or another set
        row = rows.get(path.stem, {})
        vehicles = _number(row.get(vehicles_column), bks_path, path.stem)
        instances.append(
            VrpBenchmarkInstance(
                id=f"solomon/{path.stem}",
                set_name=match["set"],
                path=path,
                best_known=_number(row.get(distance_column), bks_path, path.stem),
                kind="vrptw",
                best_known_vehicles=None if vehicles is None else int(vehicles),
                convention=convention,
            )
        )
    return instances


def load_classic(
    root: Path, sets: Iterable[str] = ("A", "B", "P"), solomon_bks: Literal["dimacs", "exact"] = "dimacs"
) -> list[VrpBenchmarkInstance]:
    """Load the instances of `sets` (CVRPLIB A, B, E, P; Solomon C1 … RC2, "solomon" for all six) in that order.

    A single set may be named by a plain string.

    Raises
    ------
    ConfigError
        If a set or the `solomon_bks` convention is unknown; the message lists the known ones.
    DatasetError
        If a folder or a best-known-values file is missing or unreadable; the message names it.
    """
    if solomon_bks not in _SOLOMON_COLUMNS:
        raise ConfigError(f"Unknown Solomon best-known convention {solomon_bks!r}; known: dimacs, exact.")
    if isinstance(sets, str):
        sets = (sets,)
    chosen = [
        name for requested in sets for name in (SOLOMON_SETS if requested == "solomon" else (requested,))
    ]
    unknown = [name for name in chosen if name not in (*CVRPLIB_SETS, *SOLOMON_SETS)]
    if unknown:
        known = ", ".join((*CVRPLIB_SETS, *SOLOMON_SETS, "solomon"))
        raise ConfigError(f"Unknown classic VRP set {unknown[0]!r}; known: {known}.")
    root = Path(root)
    instances: list[VrpBenchmarkInstance] = []
    for name in dict.fromkeys(chosen):
        instances += (
            _load_cvrplib(root, name) if name in CVRPLIB_SETS else _load_solomon(root, name, solomon_bks)
        )
    return instances
