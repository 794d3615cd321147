"""Read Solomon and VRPLIB (CVRPLIB) instances into the `problem_data` that RoutBench checkers index."""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import vrplib

InstanceFormat = Literal["solomon", "vrplib"]
# The keys RoutBench checkers read (as `vrplib.read_instance(path, instance_format="solomon")` returns them),
# plus the coordinates and the fleet size.
DATA_KEYS = ("edge_weight", "time_window", "service_time", "capacity", "demand", "node_coord", "num_vehicles")


class InstanceError(ValueError):
    """An instance file is missing, malformed, or describes a problem this reader does not support."""


@dataclass(frozen=True, eq=False)
class ProblemData(Mapping[str, Any]):
    """One routing instance; node 0 is the depot, nodes 1..n the customers.

    It reads like the dict RoutBench checkers expect (`problem_data["demand"][7]`): the keys are the fields that
    are set (`time_window` and `service_time` are absent without time windows) and those of `extra`, where a
    variant keeps its own data. The arrays are read-only, so constraint code cannot change the instance.

    Raises
    ------
    ValueError
        When the arrays disagree in size or hold impossible values (negative demand, a window that closes
        before it opens).
    """

    edge_weight: np.ndarray
    demand: np.ndarray
    capacity: float
    time_window: np.ndarray | None = None
    service_time: np.ndarray | None = None
    node_coord: np.ndarray | None = None
    num_vehicles: int | None = None
    name: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    _view: dict[str, Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        size = len(self.demand)
        shapes = {
            "edge_weight": (size, size),
            "time_window": (size, 2),
            "service_time": (size,),
            "node_coord": (size, 2),
        }
        if size < 2:
            raise ValueError("An instance needs the depot and at least one customer.")
        for key, shape in shapes.items():
            value = getattr(self, key)
            if value is not None and np.shape(value) != shape:
                raise ValueError(f"{key} has shape {np.shape(value)}, expected {shape} for {size} nodes.")
        for key in ("edge_weight", "demand", "time_window", "service_time", "node_coord"):
            value = getattr(self, key)
            if value is not None:
                array = np.array(value)
                array.setflags(write=False)
                object.__setattr__(self, key, array)
        if self.num_vehicles is None:
            object.__setattr__(self, "num_vehicles", size - 1)
        if np.any(self.demand < 0) or self.capacity <= 0 or self.num_vehicles < 1:
            raise ValueError("Demands must be non-negative, and the capacity and the fleet positive.")
        if self.time_window is not None and np.any(self.time_window[:, 0] > self.time_window[:, 1]):
            node = int(np.argmax(self.time_window[:, 0] > self.time_window[:, 1]))
            raise ValueError(f"The time window of node {node} closes before it opens.")
        clashes = set(self.extra) & set(DATA_KEYS)
        if clashes:
            raise ValueError(f"extra must not redefine {sorted(clashes)}.")
        # Checkers index the data thousands of times per second: one dict lookup each.
        view = {key: getattr(self, key) for key in DATA_KEYS if getattr(self, key) is not None}
        object.__setattr__(self, "_view", {**view, **self.extra})

    @property
    def num_customers(self) -> int:
        return len(self.demand) - 1

    @property
    def has_time_windows(self) -> bool:
        return self.time_window is not None

    def __getitem__(self, key: str) -> Any:
        return self._view[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._view)

    def __len__(self) -> int:
        return len(self._view)


def as_problem_data(data: Mapping[str, Any]) -> ProblemData:
    """`data` itself if it is a `ProblemData`, else one built from a dict such as `vrplib.read_instance` returns.

    Keys other than the standard ones (and vrplib's `vehicles`, `name`) go to `extra`.

    Raises
    ------
    ValueError
        When `edge_weight`, `demand` or `capacity` is missing, or the arrays disagree.
    """
    if isinstance(data, ProblemData):
        return data
    missing = [key for key in ("edge_weight", "demand", "capacity") if key not in data]
    if missing:
        raise ValueError(f"The problem data lacks {', '.join(missing)}.")
    known = {*DATA_KEYS, "vehicles", "name"}
    return ProblemData(
        edge_weight=np.asarray(data["edge_weight"], dtype=float),
        demand=np.asarray(data["demand"]),
        capacity=data["capacity"],
        time_window=data.get("time_window"),
        service_time=data.get("service_time"),
        node_coord=data.get("node_coord"),
        num_vehicles=data.get("num_vehicles", data.get("vehicles")),
        name=str(data.get("name", "")),
        extra={key: value for key, value in data.items() if key not in known},
    )


def read_instance(path: str | Path, instance_format: InstanceFormat | None = None) -> ProblemData:
    """Read a Solomon or VRPLIB file; the format is guessed from the contents when not given.

    VRPLIB `EUC_2D` distances are rounded to the nearest integer (TSPLIB's nint, the CVRPLIB convention of sets
    A, B, E, P and X, so that best-known values match); Solomon distances stay exact. A VRPLIB file without a
    `VEHICLES` entry gets an unlimited fleet (one vehicle per customer).

    Raises
    ------
    InstanceError
        When the file cannot be read, is in neither format, or has more than one depot or a depot other than
        the first node.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise InstanceError(f"Cannot read the instance file {path}: {error}.") from error
    instance_format = instance_format or _guess_format(text, path)
    try:
        raw = vrplib.read_instance(path, instance_format=instance_format)
        return _from_solomon(raw) if instance_format == "solomon" else _from_vrplib(raw, path)
    except InstanceError:
        raise
    except (ValueError, RuntimeError, IndexError, KeyError, TypeError) as error:
        raise InstanceError(
            f"The instance file {path} is not a valid {instance_format} file: {error}"
        ) from error


def _guess_format(text: str, path: Path) -> InstanceFormat:
    if re.search(r"^\s*(DIMENSION|NODE_COORD_SECTION|EDGE_WEIGHT_TYPE)\b", text, re.MULTILINE):
        return "vrplib"
    if "VEHICLE" in text and "CUSTOMER" in text:
        return "solomon"
    raise InstanceError(f"The instance file {path} is neither in Solomon nor in VRPLIB format.")


def _from_solomon(raw: dict[str, Any]) -> ProblemData:
    return ProblemData(
        edge_weight=raw["edge_weight"],
        demand=raw["demand"],
        capacity=raw["capacity"],
        time_window=raw["time_window"],
        service_time=raw["service_time"],
        node_coord=raw["node_coord"],
        num_vehicles=raw["vehicles"],
        name=str(raw.get("name", "")),
    )


def _from_vrplib(raw: dict[str, Any], path: Path) -> ProblemData:
    depots = np.atleast_1d(raw.get("depot", [0]))
    if depots.tolist() != [0]:
        raise InstanceError(f"The instance file {path} must have one depot, its first node.")
    edge_weight = np.asarray(raw["edge_weight"], dtype=float)
    if raw.get("edge_weight_type") == "EUC_2D":
        edge_weight = np.floor(edge_weight + 0.5)
    service_time = raw.get("service_time")
    if service_time is not None and np.ndim(service_time) == 0:  # a SERVICE_TIME entry: the same for all
        service_time = np.where(np.arange(len(raw["demand"])) == 0, 0, service_time)
    return ProblemData(
        edge_weight=edge_weight,
        demand=raw["demand"],
        capacity=raw["capacity"],
        time_window=raw.get("time_window"),
        service_time=service_time,
        node_coord=raw.get("node_coord"),
        num_vehicles=int(raw["vehicles"]) if "vehicles" in raw else None,
        name=str(raw.get("name", path.stem)),
    )
