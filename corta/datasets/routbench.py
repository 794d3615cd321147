"""RoutBench (Li et al., ARS, arXiv:2502.15359) as `RoutingVariant` records, read from a user's copy of the data.

`load_routbench(root, split, size)` reads `root/500_simple.json` (500 variants, 1-3 constraint families each) and
`root/250_complex_dev.json` (4-5 families each): the even-indexed records of the original `500_complex.json`, so
its ids keep the original 0-based index (`routbench/complex/0`, `…/2`, … `…/498`). Each record holds `type`
("<Family> Constraint - <Variant>" strings), a natural-language `description` and `code`, the reference checker
`def check_constraints(solution: VrpState) -> bool`. Every variant applies to the three Solomon-format instances
`instance data_{25,50,100}.txt` (the first N customers of C103); `instance_path(root, size)` names one. The
upstream repository ships no best-known values, so none are loaded.
"""

import json
import logging
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from corta.errors import ConfigError, DatasetError

log = logging.getLogger(__name__)

Split = Literal["simple", "complex"]
InstanceSize = Literal[25, 50, 100]

SIZES: tuple[int, ...] = (25, 50, 100)
# RoutBench's six basic constraint families (the README's table), by the names the `type` strings use.
FAMILIES: dict[str, str] = {
    "Vehicle Capacity": "capacity",
    "Distance Limit": "distance limit",
    "Time Windows": "time windows",
    "Pickup and Delivery": "pickup & delivery",
    "Same Vehicle": "same vehicle",
    "Priority": "priority",
}
_FILES: dict[str, tuple[str, int]] = {  # split: (file, stride from a record's position to its original index)
    "simple": ("500_simple.json", 1),
    "complex": ("250_complex_dev.json", 2),
}
_TYPE = re.compile(r"(?P<family>.+?) Constraint - (?P<variant>\S+)")


class RoutingVariant(BaseModel):
    """One RoutBench variant: the constraints in words, their families and the reference checker's source."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1)
    types: list[str] = Field(min_length=1)
    families: list[str] = Field(min_length=1)
    description: str = Field(min_length=1)
    checker_code: str = Field(min_length=1)
    split: Split
    instance_size: InstanceSize


def family_of(type_name: str) -> str:
    """The normalised family of a RoutBench type: "Time Windows Constraint - DVRPTW" -> "time windows".

    Raises
    ------
    ValueError
        If the string is not "<Family> Constraint - <Variant>" with a known family.
    """
    match = _TYPE.fullmatch(type_name.strip())
    if match is None or match["family"] not in FAMILIES:
        raise ValueError(f"unknown constraint type {type_name!r}")
    return FAMILIES[match["family"]]


def _check_size(size: int) -> None:
    if size not in SIZES:
        raise ConfigError(f"Unknown RoutBench instance size {size}; known: {', '.join(map(str, SIZES))}.")


def instance_path(root: Path, size: int = 25) -> Path:
    """The Solomon-format instance file with `size` customers, `root/instance data_<size>.txt`.

    Raises
    ------
    ConfigError
        If `size` is not 25, 50 or 100.
    DatasetError
        If the file is missing; the message names it.
    """
    _check_size(size)
    path = Path(root) / f"instance data_{size}.txt"
    if not path.is_file():
        raise DatasetError(f"RoutBench instance not found: {path}.")
    return path


def _read_records(path: Path) -> list[Any]:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"Benchmark data not found: {path}.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetError(f"Cannot read benchmark file {path}: {error}.") from None
    except json.JSONDecodeError as error:
        raise DatasetError(f"Benchmark file {path} is not valid JSON: {error}.") from None
    if not isinstance(records, list):
        raise DatasetError(f"Benchmark file {path} does not hold a JSON list of variants.")
    return records


def _variant(record: dict[str, Any], split: Split, index: int, size: int) -> RoutingVariant:
    types = [str(name) for name in record["type"]]
    return RoutingVariant(
        id=f"routbench/{split}/{index}",
        types=types,
        families=[family_of(name) for name in types],
        description=record["description"],
        checker_code=record["code"],
        split=split,
        instance_size=size,
    )


def _load_split(root: Path, split: Split, size: int) -> list[RoutingVariant]:
    file, stride = _FILES[split]
    path = Path(root) / file
    variants: list[RoutingVariant] = []
    records = _read_records(path)
    for position, record in enumerate(records):
        try:
            variants.append(_variant(record, split, position * stride, size))
        except (KeyError, TypeError, ValueError) as error:
            log.warning("%s: skipped record %d: %s", path.name, position, error)
    if len(variants) < len(records):
        log.warning("%s: skipped %d of %d records", path.name, len(records) - len(variants), len(records))
    return variants


def load_routbench(
    root: Path, split: Literal["simple", "complex", "all"] = "all", size: int = 25
) -> list[RoutingVariant]:
    """Load RoutBench's `split` variants ("all": simple then complex) for the `size`-customer instance.

    A record that cannot be read (a missing field, an unknown constraint family) is skipped with a warning.

    Raises
    ------
    ConfigError
        If `split` or `size` is unknown; the message lists the known ones.
    DatasetError
        If a file is missing or is not a JSON list; the message names it.
    """
    _check_size(size)
    if split == "all":
        return [variant for name in _FILES for variant in _load_split(root, name, size)]
    if split not in _FILES:
        raise ConfigError(f"Unknown RoutBench split {split!r}; known: simple, complex, all.")
    return _load_split(root, split, size)
