"""A strong first plan for the standard part of an instance (capacity, time windows, fleet) from PyVRP.

PyVRP (Wouda, Lan & Kool 2024) is imported only when a seed is asked for. It works on integers, so distances and
times are scaled by 1000 when the instance's distances are not integral; times are rounded on the safe side
(travel and service up, due times down, ready times up), so that a plan on time in PyVRP is on time in the instance.
"""

import logging
import math

import numpy as np

from corta.solvers.routing.instance import ProblemData

log = logging.getLogger(__name__)
_FRACTIONAL_SCALE = 1000


def to_pyvrp(data: ProblemData):  # -> pyvrp.ProblemData (pyvrp is imported lazily)
    """The instance as a `pyvrp.ProblemData`, or None when PyVRP cannot hold it (fractional demands).

    The distance matrix is rounded to PyVRP's integers after scaling (see the module docstring); PyVRP's
    objective is then the scaled distance.
    """
    import pyvrp

    weights = np.asarray(data.edge_weight, dtype=float)
    demand = np.asarray(data.demand, dtype=float)
    if not (np.all(demand == np.round(demand)) and float(data.capacity) == round(float(data.capacity))):
        return None
    scale = 1 if np.all(weights == np.round(weights)) else _FRACTIONAL_SCALE
    distances = np.rint(weights * scale).astype(np.int64)
    durations = np.ceil(weights * scale - 1e-9).astype(np.int64)
    size = len(demand)
    windows = data.time_window if data.time_window is not None else None
    service = data.service_time if data.service_time is not None else np.zeros(size)
    unlimited = np.iinfo(np.int64).max

    def early(node: int) -> int:
        return math.ceil(float(windows[node][0]) * scale - 1e-9) if windows is not None else 0

    def late(node: int) -> int:
        return math.floor(float(windows[node][1]) * scale + 1e-9) if windows is not None else unlimited

    coordinates = data.node_coord if data.node_coord is not None else np.zeros((size, 2))
    locations = [pyvrp.Location(float(x), float(y)) for x, y in coordinates]
    depots = [pyvrp.Depot(0, tw_early=early(0), tw_late=late(0))]
    clients = [
        pyvrp.Client(
            node,
            delivery=[int(demand[node])],
            service_duration=math.ceil(float(service[node]) * scale - 1e-9),
            tw_early=early(node),
            tw_late=late(node),
        )
        for node in range(1, size)
    ]
    vehicles = [
        pyvrp.VehicleType(
            num_available=int(data.num_vehicles),
            capacity=[round(float(data.capacity))],
            tw_early=early(0),
            tw_late=late(0),
        )
    ]
    return pyvrp.ProblemData(locations, clients, depots, vehicles, [distances], [durations])


def pyvrp_routes(
    data: ProblemData, seed: int, seconds: float | None = None, iterations: int | None = None
) -> list[list[int]] | None:
    """PyVRP's best routes after `seconds` (or, reproducibly, `iterations`), or None when it cannot run.

    It stops earlier after 20 iterations per node (at least 1000) without improvement.

    The routes respect capacity, time windows and the fleet when PyVRP found a feasible plan; otherwise they are
    its least infeasible plan, still a useful start.
    """
    try:
        import pyvrp
        from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, NoImprovement
    except ImportError as error:  # an environment without PyVRP: the backbone builds its own first plan
        log.info("PyVRP is not available (%s); building the first plan without it", error)
        return None
    model = to_pyvrp(data)
    if model is None:
        return None
    patience = NoImprovement(
        max(1000, 20 * len(data.demand))
    )  # small instances converge long before the limit
    limit = MaxIterations(iterations) if iterations is not None else MaxRuntime(max(0.0, seconds or 0.0))
    stop = MultipleCriteria([limit, patience])
    result = pyvrp.solve(model, stop=stop, seed=seed, collect_stats=False, display=False)
    # Client activities are numbered from 0 in the order the clients were given: node = index + 1.
    return [
        [activity.idx + 1 for activity in route if activity.is_client()] for route in result.best.routes()
    ]
