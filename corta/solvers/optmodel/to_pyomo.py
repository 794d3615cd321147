"""Build a Pyomo `ConcreteModel` from an expanded, linear model: indexed Sets, Params, Vars, Objective, Constraints.

Coefficients are already numbers after expansion, so every expression is built once as a linear sum (Pyomo's fast
path); the declared sets and parameters are kept on the model as Sets and Params for inspection and export.
"""

import re

import pyomo.environ as pyo

from corta.errors import ModelError
from corta.solvers.optmodel.instance import ExpandedModel, Index
from corta.solvers.optmodel.polynomial import Poly

_DOMAINS = {"CONTINUOUS": pyo.Reals, "INTEGER": pyo.Integers, "BINARY": pyo.Binary}


def _component_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"\W", "_", name) or "c"
    if base[0].isdigit():
        base = "c_" + base
    candidate, counter = base, 1
    # Names such as `items` or `name` are attributes of every Pyomo block and cannot be component names.
    while candidate in taken or hasattr(pyo.ConcreteModel, candidate):
        counter += 1
        candidate = f"{base}_{counter}"
    taken.add(candidate)
    return candidate


def _pyomo_key(index: Index) -> object:
    return index[0] if len(index) == 1 else index


def to_pyomo(expanded: ExpandedModel) -> tuple[pyo.ConcreteModel, list[pyo.Var]]:
    """The Pyomo model and, by variable id, its Pyomo variables.

    Raises
    ------
    ModelError
        If the model still has products of variables (call `linearize` first).
    """
    if expanded.degree > 1:
        raise ModelError("non-linear model: to_pyomo needs a linear model; linearize it first")
    source = expanded.source
    model = pyo.ConcreteModel(name=source.id or "model")
    taken = {"aux"}
    for declared in source.sets:
        dimension = len(declared.data[0]) if declared.data and isinstance(declared.data[0], tuple) else 1
        model.add_component(
            _component_name(declared.name, taken),
            pyo.Set(initialize=list(declared.data), dimen=dimension, ordered=True),
        )
    var_by_id: list[pyo.Var] = [None] * len(expanded.variables)  # type: ignore[list-item]
    for name, ids in expanded.variable_ids.items():
        first = expanded.variables[next(iter(ids.values()))]
        domain = _DOMAINS[first.type]
        if list(ids) == [()]:
            var = pyo.Var(domain=domain, bounds=(first.lower, first.upper))
            model.add_component(_component_name(name, taken), var)
            var_by_id[ids[()]] = var
            continue
        keys = [_pyomo_key(index) for index in ids]
        bounds = {
            _pyomo_key(index): (expanded.variables[i].lower, expanded.variables[i].upper)
            for index, i in ids.items()
        }
        var = pyo.Var(
            pyo.Set(initialize=keys, dimen=len(next(iter(ids))), ordered=True), domain=domain, bounds=bounds
        )
        model.add_component(_component_name(name, taken), var)
        for index, var_id in ids.items():
            var_by_id[var_id] = var[_pyomo_key(index)]
    aux = [i for i, info in enumerate(expanded.variables) if info.name == "aux"]
    if aux:
        model.aux = pyo.Var(range(len(aux)), domain=pyo.Reals)
        for position, var_id in enumerate(aux):
            info = expanded.variables[var_id]
            model.aux[position].setlb(info.lower)
            model.aux[position].setub(info.upper)
            var_by_id[var_id] = model.aux[position]

    def linear(poly: Poly) -> object:
        return pyo.quicksum((coef * var_by_id[m[0]] for m, coef in poly.items() if m), start=poly.constant())

    sense = pyo.minimize if expanded.sense == "min" else pyo.maximize
    model.add_component(
        _component_name(source.objective.name, taken),
        pyo.Objective(expr=linear(expanded.objective), sense=sense),
    )
    groups: dict[str, list[tuple[Index, tuple]]] = {}
    for row in expanded.rows:
        body = linear(Poly({m: c for m, c in row.poly.items() if m}))
        bound = -row.poly.constant()
        triple = {"<=": (None, body, bound), ">=": (bound, body, None), "==": (bound, body, bound)}[row.sense]
        groups.setdefault(row.constraint, []).append((row.index, triple))
    for name, members in groups.items():
        if len(members) == 1 and members[0][0] == ():
            model.add_component(_component_name(name, taken), pyo.Constraint(expr=members[0][1]))
            continue
        # Comparison chains (several rows per index) and auxiliary rows get plain numbers as their index.
        keys = [index for index, _ in members] if _uniform(members) else [(k,) for k in range(len(members))]
        exprs = {_pyomo_key(key): triple for key, (_, triple) in zip(keys, members, strict=True)}
        constraint = pyo.Constraint(
            list(exprs), rule=lambda _m, *key, exprs=exprs: exprs[key[0] if len(key) == 1 else key]
        )
        model.add_component(_component_name(name, taken), constraint)
    return model, var_by_id


def _uniform(members: list[tuple[Index, tuple]]) -> bool:
    indices = [index for index, _ in members]
    return len(set(indices)) == len(indices) and len({len(index) for index in indices}) == 1
