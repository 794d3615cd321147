"""Expand a model: resolve every name, enumerate every domain, and turn each function into polynomials.

Each AST node is compiled once into a closure (names such as `x_ij` are resolved statically against the indices
bound where they appear), then run for every element of its domain. Inside a tuple pattern a name that is already
bound filters instead of binding, through a cached index: `forall i in I: sum_{(i,j) in E} a_{i,j} x_j <= b_i` costs
the degree of i, not |E|.
"""

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, NamedTuple

from corta.errors import ModelError
from corta.solvers.optmodel.expressions import (
    Binding,
    BinOp,
    Comparison,
    Condition,
    Expr,
    Member,
    Neg,
    Num,
    Range,
    Ref,
    Sum,
    parse_constraint,
    parse_domain,
    parse_expression,
)
from corta.solvers.optmodel.gc_pause import paused_gc
from corta.solvers.optmodel.polynomial import Poly, Value, accumulate, add, as_poly, multiply
from corta.solvers.optmodel.schema import Element, OptModel, VariableType

Index = tuple[Element, ...]
Env = dict[str, Element]
RowSense = Literal["<=", ">=", "=="]


@dataclass(slots=True)
class VariableInfo:
    """One scalar decision variable of the expanded model."""

    name: str
    index: Index
    type: VariableType
    lower: float | None
    upper: float | None

    @property
    def label(self) -> str:
        return _label(self.name, self.index)


@dataclass(slots=True)
class Row:
    """One scalar constraint: `poly sense 0`."""

    constraint: str
    index: Index
    poly: Poly
    sense: RowSense

    @property
    def label(self) -> str:
        return _label(self.constraint, self.index)


@dataclass
class ExpandedModel:
    """Every variable, the objective and every constraint row of a model, as numbers and polynomials."""

    source: OptModel
    variables: list[VariableInfo]
    variable_ids: dict[str, dict[Index, int]]
    objective: Poly
    sense: Literal["min", "max"]
    rows: list[Row]
    violated_constants: list[str] = field(default_factory=list)
    unused_parameters: list[str] = field(default_factory=list)

    @cached_property
    def degree(self) -> int:
        """The highest number of variables multiplied in any term (1 for a linear model)."""
        return max([self.objective.degree(), *(row.poly.degree() for row in self.rows)])


def _label(name: str, index: Index) -> str:
    if not index:
        return name
    if len(index) == 1 and not isinstance(index[0], tuple):
        return f"{name}[{index[0]}]"
    return f"{name}[{','.join(_element_text(element) for element in index)}]"


def _element_text(element: Element) -> str:
    return "(" + ",".join(map(str, element)) + ")" if isinstance(element, tuple) else str(element)


def _as_index_value(value: object) -> Element:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Poly):
        raise ModelError("an index cannot depend on a decision variable")
    return value  # type: ignore[return-value]


@dataclass
class _Table:
    """A parameter's or variable's values (or variable ids) by index, with the elements allowed at each position."""

    kind: Literal["parameter", "variable"]
    name: str
    dimension: int
    entries: dict[Index, float | int]
    sparse: bool = False

    @cached_property
    def position_elements(self) -> list[set[Element]]:
        """The elements that occur at each index position (to read literals such as `x_{A,2}`)."""
        return [{index[p] for index in self.entries} for p in range(self.dimension)]


class _Symbols:
    """The model's sets, parameters and variables by name, and the compilers for its functions."""

    def __init__(self, model: OptModel) -> None:
        self.sets: dict[str, tuple[Element, ...]] = {}
        self.tables: dict[str, _Table] = {}
        self.referenced: set[str] = set()  # the tables some expression named
        self._set_indexes: dict[tuple[str, tuple[int, ...]], dict[Index, list[Element]]] = {}
        self._arities: dict[str, int | None] = {}
        for declared in model.sets:
            self._declare(declared.name)
            self.sets[declared.name] = declared.data

    def _declare(self, name: str) -> None:
        if name in self.sets or name in self.tables:
            raise ModelError(f"The name {name!r} is declared twice.", item=name)

    def add_table(self, table: _Table) -> None:
        self._declare(table.name)
        self.tables[table.name] = table

    def all_elements(self) -> set[Element]:
        """Every scalar element of every set (tuple sets contribute their components)."""
        found: set[Element] = set()
        for elements in self.sets.values():
            for element in elements:
                found.update(element if isinstance(element, tuple) else (element,))
        return found

    def fits(self, name: str, size: int) -> bool:
        """True when every element of the set has `size` components (scalars count as 1; an empty set fits all)."""
        if name not in self._arities:
            sizes = {len(e) if isinstance(e, tuple) else 1 for e in self.set_elements(name)}
            self._arities[name] = sizes.pop() if len(sizes) == 1 else (None if sizes else -1)
        arity = self._arities[name]
        return arity == -1 or arity == size

    def set_elements(self, name: str) -> tuple[Element, ...]:
        if name not in self.sets:
            raise ModelError(f"unknown set {name!r}")
        return self.sets[name]

    def filtered(self, set_name: str, positions: tuple[int, ...]) -> dict[Index, list[Element]]:
        """The elements of a tuple set grouped by their components at `positions` (built once per set)."""
        key = (set_name, positions)
        if key not in self._set_indexes:
            grouped: dict[Index, list[Element]] = {}
            if len(positions) == 1:
                (position,) = positions
                for element in self.sets[set_name]:
                    grouped.setdefault((element[position],), []).append(element)  # type: ignore[index]
            else:
                for element in self.sets[set_name]:
                    grouped.setdefault(tuple(element[p] for p in positions), []).append(element)  # type: ignore[index]
            self._set_indexes[key] = grouped
        return self._set_indexes[key]


class _Compiler:
    """Compiles expressions, indices and bindings into closures over an environment of bound indices."""

    def __init__(self, symbols: _Symbols) -> None:
        self.symbols = symbols

    # -- bindings ---------------------------------------------------------------------------------------------
    def bindings(
        self, bindings: tuple[Binding, ...], scope: frozenset[str]
    ) -> tuple[Callable[[Env], Iterator[Env]], frozenset[str]]:
        steps: list[Callable[[Env], Iterator[Env]]] = []
        for binding in bindings:
            if isinstance(binding, Member):
                steps.append(self._member(binding, scope))
                scope = scope | set(binding.names)
            elif isinstance(binding, Range):
                steps.append(self._range(binding, scope))
                scope = scope | {binding.name}
            else:
                steps.append(self._condition(binding, scope))

        def iterate(env: Env, depth: int = 0) -> Iterator[Env]:
            if depth == len(steps):
                yield env
                return
            for inner in steps[depth](env):
                yield from iterate(inner, depth + 1)

        return iterate, scope

    def _member(self, member: Member, scope: frozenset[str]) -> Callable[[Env], Iterator[Env]]:
        elements = self.symbols.set_elements(member.set_name)
        names = member.names
        if len(names) == 1:
            (name,) = names
            if name in scope:
                members = set(elements)
                return lambda env: iter([env] if env[name] in members else [])
            return lambda env: ({**env, name: element} for element in elements)
        if not self.symbols.fits(member.set_name, len(names)):
            raise ModelError(
                f"the set {member.set_name} does not hold {len(names)}-tuples for ({', '.join(names)})"
            )
        bound = tuple(position for position, name in enumerate(names) if name in scope)
        free = [(position, name) for position, name in enumerate(names) if name not in scope]
        if not bound:
            return lambda env: ({**env, **{name: element[p] for p, name in free}} for element in elements)  # type: ignore[index]
        grouped = self.symbols.filtered(member.set_name, bound)
        keys = [names[p] for p in bound]

        def matching(env: Env) -> Iterator[Env]:
            for element in grouped.get(tuple(env[key] for key in keys), ()):
                yield {**env, **{name: element[p] for p, name in free}}  # type: ignore[index]

        return matching

    def _range(self, binding: Range, scope: frozenset[str]) -> Callable[[Env], Iterator[Env]]:
        start, stop = self.index(binding.start, scope), self.index(binding.stop, scope)

        def steps(env: Env) -> Iterator[Env]:
            first, last = start(env), stop(env)
            if not isinstance(first, int) or not isinstance(last, int):
                raise ModelError(
                    f"the range of {binding.name} needs whole numbers, got {first!r} to {last!r}"
                )
            return ({**env, binding.name: value} for value in range(first, last + 1))

        return steps

    def _condition(self, condition: Condition, scope: frozenset[str]) -> Callable[[Env], Iterator[Env]]:
        # A bare name that is an element of some set is that element: `i != E` for a set of letters.
        elements = self.symbols.all_elements()
        left, right = (
            self.index(condition.left, scope, elements),
            self.index(condition.right, scope, elements),
        )
        test = _COMPARE[condition.op]

        def keep(env: Env) -> Iterator[Env]:
            try:
                passed = test(left(env), right(env))
            except TypeError:
                raise ModelError(f"cannot compare {left(env)!r} {condition.op} {right(env)!r}") from None
            return iter([env] if passed else [])

        return keep

    # -- index expressions ------------------------------------------------------------------------------------
    def index(
        self, node: Expr, scope: frozenset[str], elements: set[Element] | None = None
    ) -> Callable[[Env], Element]:
        if isinstance(node, Num):
            value = _as_index_value(node.value)
            return lambda env: value
        if isinstance(node, Ref) and not node.indices:
            if node.name in scope:
                name = node.name
                return lambda env: env[name]
            if elements is not None and node.name in elements:
                literal = node.name
                return lambda env: literal
        value_of = self.expr(node, scope)
        return lambda env: _as_index_value(value_of(env))

    # -- arithmetic -------------------------------------------------------------------------------------------
    def expr(self, node: Expr, scope: frozenset[str]) -> Callable[[Env], Value]:
        if isinstance(node, Num):
            value = node.value
            return lambda env: value
        if isinstance(node, Neg):
            operand = self.expr(node.operand, scope)
            return lambda env: multiply(-1.0, operand(env))
        if isinstance(node, BinOp):
            return self._binop(node, scope)
        if isinstance(node, Sum):
            return self._sum(node, scope)
        return self._ref(node, scope)

    def _binop(self, node: BinOp, scope: frozenset[str]) -> Callable[[Env], Value]:
        left, right = self.expr(node.left, scope), self.expr(node.right, scope)
        if node.op == "+":
            return lambda env: add(left(env), right(env))
        if node.op == "-":
            return lambda env: add(left(env), right(env), -1.0)
        if node.op == "*":
            return lambda env: multiply(left(env), right(env))
        if node.op == "/":
            return lambda env: _divide(left(env), right(env))
        return lambda env: _power(left(env), right(env))

    def _sum(self, node: Sum, scope: frozenset[str]) -> Callable[[Env], Value]:
        iterate, inner_scope = self.bindings(node.bindings, scope)
        body = self.expr(node.body, inner_scope)

        def general(env: Env) -> Value:
            return _general_sum(iterate, body, env)

        return self._linear_sum(node, scope, general) or general

    def _linear_sum(
        self, node: Sum, scope: frozenset[str], general: Callable[[Env], Value]
    ) -> Callable[[Env], Value] | None:
        """The fast path for the shape most models are made of: `sum_{(i,j) in E} a_{i,j} * x_j`.

        One binding and a body that multiplies numbers, parameters and at most one variable, each indexed by plain
        names or literals. Lookups are specialised once (the element itself is often the key), factors that depend
        only on outer indices are hoisted out of the loop, and no polynomial is built per term. Anything else, or
        anything that would be an error, returns None and takes the general path, which reports it.
        """
        factors = _product_factors(node.body)
        if factors is None or len(node.bindings) != 1 or not isinstance(node.bindings[0], Member):
            return None
        member = node.bindings[0]
        free = {name: p for p, name in enumerate(member.names) if name not in scope}
        if not free or member.set_name not in self.symbols.sets:
            return None
        single = len(member.names) == 1
        coefficient = 1.0
        inner: list[Callable[[Env, Element], float | int | None]] = []
        outer: list[Callable[[Env], float | int | None]] = []
        variable: Callable[[Env, Element], float | int | None] | None = None
        inner_looks: list[_Fetch] = []
        for factor in factors:
            if isinstance(factor, Num):
                coefficient *= factor.value
                continue
            if not isinstance(factor, Ref) or factor.name in scope or factor.name in free:
                return None
            try:
                table, index_nodes = self._resolve(factor, scope | set(free))
            except ModelError:
                return None
            look = _lookup(table, index_nodes, free, scope, single, member.names)
            if look is None:
                return None
            depends_on_element, fetch = look.depends, look.call
            if table.kind == "variable":
                if variable is not None or not depends_on_element:
                    return None
                variable, variable_look = fetch, look
            elif depends_on_element:
                inner.append(fetch)
                inner_looks.append(look)
            else:
                outer.append(lambda env, fetch=fetch: fetch(env, None))
        elements = self._member_elements(member, free)
        if not outer and variable is not None and len(inner) == 1:
            if inner_looks[0].mapping is not None and variable_look.mapping is not None:
                return _direct_parameter_times_variable(
                    elements, inner_looks[0], variable_look, coefficient, general
                )
            return _parameter_times_variable(elements, inner[0], variable, coefficient, general)

        def total(env: Env) -> Value:
            scale = coefficient
            for fetch in outer:
                value = fetch(env)
                if value is None:
                    return general(env)
                scale *= value
            coefficients: dict[int, float] = {}
            constant = 0.0
            for element in elements(env):
                term = scale
                for fetch in inner:
                    value = fetch(env, element)
                    if value is None:
                        return general(env)
                    term *= value
                if variable is None:
                    constant += term
                    continue
                var_id = variable(env, element)
                if var_id is None:
                    return general(env)
                coefficients[var_id] = coefficients.get(var_id, 0.0) + term  # type: ignore[index]
            if variable is None:
                return constant
            poly = Poly({(var_id,): coef for var_id, coef in coefficients.items() if coef})
            return poly if poly else 0.0

        return total

    def _member_elements(self, member: Member, free: dict[str, int]) -> Callable[[Env], Iterable[Element]]:
        elements = self.symbols.set_elements(member.set_name)
        bound = tuple(position for position, name in enumerate(member.names) if name not in free)
        if not bound:
            return lambda env: elements
        if not self.symbols.fits(member.set_name, len(member.names)):
            raise ModelError(f"the set {member.set_name} does not hold {len(member.names)}-tuples")
        grouped = self.symbols.filtered(member.set_name, bound)
        keys = [member.names[p] for p in bound]
        if len(keys) == 1:
            (key,) = keys
            return lambda env: grouped.get((env[key],), ())
        return lambda env: grouped.get(tuple(env[key] for key in keys), ())

    def _ref(self, node: Ref, scope: frozenset[str]) -> Callable[[Env], Value]:
        if node.name in scope and not node.indices:
            name = node.name

            def index_as_number(env: Env) -> float:
                value = env[name]
                if isinstance(value, str | tuple):
                    raise ModelError(f"the index {name} = {value!r} is used as a number")
                return float(value)

            return index_as_number
        table, index_nodes = self._resolve(node, scope)
        index_fns = [
            self.index(
                index_node, scope, table.position_elements[p] if _may_be_literal(index_node, scope) else None
            )
            for p, index_node in enumerate(index_nodes)
        ]
        key_of = _key_maker(index_fns)
        entries = table.entries
        if table.kind == "variable":

            def variable(env: Env) -> Value:
                key = key_of(env)
                if key not in entries:
                    raise ModelError(
                        f"{_label(table.name, key)} is outside the domain of the variable {table.name}"
                    )
                return Poly({(entries[key],): 1.0})  # type: ignore[dict-item]

            return variable

        def parameter(env: Env) -> Value:
            key = key_of(env)
            if key in entries:
                return entries[key]
            if table.sparse:  # object data lists the non-zero entries only
                return 0.0
            raise ModelError(f"{_label(table.name, key)} is outside the domain of the parameter {table.name}")

        return parameter

    def _resolve(self, node: Ref, scope: frozenset[str]) -> tuple[_Table, list[Expr]]:
        """Find the table a reference names and its index expressions (`x_ij` → x with [i, j])."""
        table, indices = self._resolve_unrecorded(node, scope)
        self.symbols.referenced.add(table.name)
        return table, indices

    def _resolve_unrecorded(self, node: Ref, scope: frozenset[str]) -> tuple[_Table, list[Expr]]:
        tables = self.symbols.tables
        if node.name in tables:
            table = tables[node.name]
            indices = list(node.indices)
            if (
                len(indices) == 1
                and table.dimension > 1
                and isinstance(indices[0], Ref)
                and not indices[0].indices
            ):
                split = self._split_suffix(indices[0].name, table, scope)
                if split is not None:
                    indices = split
            if len(indices) != table.dimension:
                raise ModelError(
                    f"{node.name} takes {table.dimension} ind{'ex' if table.dimension == 1 else 'ices'}, got {len(indices)}"
                )
            return table, indices
        if not node.indices:
            for cut in [position for position, char in enumerate(node.name) if char == "_"]:
                base, suffix = node.name[:cut], node.name[cut + 1 :]
                if base in tables:
                    split = self._split_suffix(suffix, tables[base], scope)
                    if split is not None:
                        return tables[base], split
                    if len(suffix.split("_")) == tables[base].dimension and all(
                        part.isdigit() for part in suffix.split("_")
                    ):
                        raise ModelError(
                            f"{base}[{suffix.replace('_', ',')}] is outside the domain of {base}"
                        )
        if node.name in self.symbols.sets:
            raise ModelError(f"the set {node.name} is used as a number")
        raise ModelError(f"unknown name {node.name!r}")

    def _split_suffix(self, suffix: str, table: _Table, scope: frozenset[str]) -> list[Expr] | None:
        """Read a subscript written without separators or with underscores: `ij`, `i_j`, `12`, `A`."""
        parts = suffix.split("_") if "_" in suffix else [suffix]
        if len(parts) == table.dimension and all(
            self._is_index_token(part, table, p, scope) for p, part in enumerate(parts)
        ):
            return [_token_node(part) for part in parts]
        if len(parts) == 1 and table.dimension > 1:
            segmentations = [
                pieces
                for pieces in _segmentations(suffix, table.dimension)
                if all(self._is_index_token(piece, table, p, scope) for p, piece in enumerate(pieces))
            ]
            if len(segmentations) == 1:
                return [_token_node(piece) for piece in segmentations[0]]
            if len(segmentations) > 1:
                raise ModelError(
                    f"the subscript {suffix!r} of {table.name} is ambiguous: write {table.name}_{{…,…}}"
                )
        return None

    @staticmethod
    def _is_index_token(token: str, table: _Table, position: int, scope: frozenset[str]) -> bool:
        if token in scope:
            return True
        allowed = table.position_elements[position] if position < len(table.position_elements) else set()
        return token in allowed or (token.isdigit() and int(token) in allowed)


def _may_be_literal(node: Expr, scope: frozenset[str]) -> bool:
    """An index written as a bare name that no binding defines may be a set element (`x_{A}`)."""
    return isinstance(node, Ref) and not node.indices and node.name not in scope


class _Fetch(NamedTuple):
    """How `_linear_sum` reads one factor: a call, and for the two commonest shapes the dict to read directly.

    `mapping[element]` when `position` is None, else `mapping[element[position]]`.
    """

    depends: bool
    call: Callable[[Env, Element], float | int | None]
    mapping: dict | None = None
    position: int | None = None
    default: float | None = None


def _direct_parameter_times_variable(
    elements: Callable[[Env], Iterable[Element]],
    parameter: _Fetch,
    variable: _Fetch,
    coefficient: float,
    general: Callable[[Env], Value],
) -> Callable[[Env], Value]:
    """`_parameter_times_variable` reading both dicts directly, for the shapes `_Fetch.mapping` covers."""
    values, value_at, value_default = parameter.mapping, parameter.position, parameter.default
    ids, id_at = variable.mapping, variable.position
    assert values is not None and ids is not None

    def total(env: Env) -> Value:
        coefficients: dict[int, float] = {}
        get = coefficients.get
        for element in elements(env):
            value = values.get(element if value_at is None else element[value_at], value_default)  # type: ignore[index]
            var_id = ids.get(element if id_at is None else element[id_at])  # type: ignore[index]
            if value is None or var_id is None:
                return general(env)
            coefficients[var_id] = get(var_id, 0.0) + coefficient * value
        poly = Poly({(var_id,): coef for var_id, coef in coefficients.items() if coef})
        return poly if poly else 0.0

    return total


def _parameter_times_variable(
    elements: Callable[[Env], Iterable[Element]],
    parameter: Callable[[Env, Element], float | int | None],
    variable: Callable[[Env, Element], float | int | None],
    coefficient: float,
    general: Callable[[Env], Value],
) -> Callable[[Env], Value]:
    """`sum c * a_… * x_…`, the most frequent sum of all, unrolled."""

    def total(env: Env) -> Value:
        coefficients: dict[int, float] = {}
        get = coefficients.get
        for element in elements(env):
            value = parameter(env, element)
            var_id = variable(env, element)
            if value is None or var_id is None:
                return general(env)
            coefficients[var_id] = get(var_id, 0.0) + coefficient * value  # type: ignore[index, call-overload]
        poly = Poly({(var_id,): coef for var_id, coef in coefficients.items() if coef})
        return poly if poly else 0.0

    return total


def _key_maker(index_fns: list[Callable[[Env], Element]]) -> Callable[[Env], Index]:
    """The index tuple of a reference; short tuples are built without a generator (they are looked up per term)."""
    if not index_fns:
        return lambda env: ()
    if len(index_fns) == 1:
        (first,) = index_fns
        return lambda env: (first(env),)
    if len(index_fns) == 2:
        first, second = index_fns
        return lambda env: (first(env), second(env))
    return lambda env: tuple(fn(env) for fn in index_fns)


def _general_sum(iterate: Callable[[Env], Iterator[Env]], body: Callable[[Env], Value], env: Env) -> Value:
    result = Poly()
    constant = 0.0
    for inner in iterate(env):
        value = body(inner)
        if isinstance(value, Poly):
            accumulate(result, value)
        else:
            constant += value
    if not result:
        return constant
    accumulate(result, constant)
    return result


def _product_factors(node: Expr) -> list[Expr] | None:
    """The factors of a pure product (numbers, references, negation), or None for anything else."""
    if isinstance(node, BinOp) and node.op == "*":
        left, right = _product_factors(node.left), _product_factors(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, Neg):
        operand = _product_factors(node.operand)
        return None if operand is None else [Num(-1.0), *operand]
    if isinstance(node, Num) or (
        isinstance(node, Ref) and all(isinstance(i, Num | Ref) for i in node.indices)
    ):
        return [node]
    return None


def _lookup(
    table: "_Table",
    index_nodes: list[Expr],
    free: dict[str, int],
    scope: frozenset[str],
    single: bool,
    member_names: tuple[str, ...],
) -> "_Fetch | None":
    """A specialised fetch of one table entry for `_linear_sum`.

    A fetch returns None where the general path would raise or default, so that path can handle it.
    """
    sources: list[tuple[str, object]] = []
    for position, index in enumerate(index_nodes):
        if isinstance(index, Ref) and not index.indices and index.name in free:
            sources.append(("element", free[index.name]))
        elif isinstance(index, Ref) and not index.indices and index.name in scope:
            sources.append(("env", index.name))
        elif isinstance(index, Num) and float(index.value).is_integer():
            sources.append(("literal", int(index.value)))
        elif isinstance(index, Ref) and not index.indices and index.name in table.position_elements[position]:
            sources.append(("literal", index.name))
        else:
            return None
    entries = table.entries
    default = 0.0 if table.sparse else None  # object data lists only the non-zero entries
    get = entries.get
    depends = any(kind == "element" for kind, _ in sources)
    if single and sources == [("element", 0)]:
        scalar = {key[0]: value for key, value in entries.items()}
        return _Fetch(True, lambda env, element: scalar.get(element, default), scalar, None, default)
    names = [index.name if isinstance(index, Ref) else None for index in index_nodes]
    if not single and tuple(names) == member_names:
        # The indices name the tuple's components in order (bound ones equal the element's by the filter).
        return _Fetch(True, lambda env, element: get(element, default), entries, None, default)
    if len(sources) == 1 and sources[0][0] == "element":
        scalar = {key[0]: value for key, value in entries.items()}
        position = sources[0][1]
        fetch = lambda env, element: scalar.get(element[position], default)  # type: ignore[index]  # noqa: E731
        return _Fetch(True, fetch, scalar, position, default)

    parts: list[Callable[[Env, Element], Element]] = []
    for kind, source in sources:
        if kind == "element":
            parts.append(
                (lambda env, element: element) if single else (lambda env, element, p=source: element[p])
            )  # type: ignore[misc, index]
        elif kind == "env":
            parts.append(lambda env, element, name=source: env[name])  # type: ignore[misc]
        else:
            parts.append(lambda env, element, value=source: value)  # type: ignore[misc]
    return _Fetch(depends, lambda env, element: get(tuple(part(env, element) for part in parts), default))


def _token_node(token: str) -> Expr:
    return Num(float(token)) if token.isdigit() else Ref(token, (), 0)


def _segmentations(text: str, pieces: int) -> Iterator[list[str]]:
    for cuts in itertools.combinations(range(1, len(text)), pieces - 1):
        bounds = (0, *cuts, len(text))
        yield [text[a:b] for a, b in itertools.pairwise(bounds)]


_COMPARE: dict[str, Callable[[Element, Element], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
    "<": lambda a, b: a < b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
}


def _divide(left: Value, right: Value) -> Value:
    if isinstance(right, Poly):
        if right.degree() > 0:
            raise ModelError("non-linear model: division by an expression with variables")
        right = right.constant()
    if right == 0:
        raise ModelError("division by zero")
    return multiply(left, 1.0 / right)


def _power(base: Value, exponent: Value) -> Value:
    if isinstance(exponent, Poly):
        if exponent.degree() > 0:
            raise ModelError("non-linear model: a variable in an exponent")
        exponent = exponent.constant()
    if not isinstance(base, Poly):
        return float(base) ** exponent
    if not float(exponent).is_integer() or exponent < 0:
        raise ModelError(f"non-linear model: a variable raised to the power {exponent:g}")
    result: Value = 1.0
    for _ in range(int(exponent)):
        result = multiply(result, base)
    return result


def _domain_indices(compiler: _Compiler, bindings: tuple[Binding, ...]) -> list[Index]:
    """Every index tuple of a domain, in order; plain products of sets skip the general machinery."""
    if all(isinstance(binding, Member) for binding in bindings):
        factors = []
        for binding in bindings:
            elements = compiler.symbols.set_elements(binding.set_name)  # type: ignore[union-attr]
            if len(binding.names) == 1:  # type: ignore[union-attr]
                factors.append([(element,) for element in elements])
            elif compiler.symbols.fits(binding.set_name, len(binding.names)):  # type: ignore[union-attr]
                factors.append(list(elements))
            else:
                break
        else:
            names = [name for binding in bindings for name in binding.names]  # type: ignore[union-attr]
            if len(set(names)) == len(names):
                if len(factors) == 1:
                    return factors[0]  # type: ignore[return-value]
                return [sum(parts, ()) for parts in itertools.product(*factors)]
    iterate, _ = compiler.bindings(bindings, frozenset())
    names = [
        name for binding in bindings if not isinstance(binding, Condition) for name in _binding_names(binding)
    ]
    return [tuple(env[name] for name in names) for env in iterate({})]


def _binding_names(binding: Binding) -> tuple[str, ...]:
    return binding.names if isinstance(binding, Member) else (binding.name,)  # type: ignore[union-attr]


def _parameter_table(compiler: _Compiler, name: str, domain: str, data: object) -> _Table:
    bindings = parse_domain(domain)
    if not bindings:
        if isinstance(data, list | dict):
            raise ModelError(f"the parameter {name} has no domain, so its data must be one number")
        return _Table("parameter", name, 0, {(): float(data)})  # type: ignore[arg-type]
    indices = _domain_indices(compiler, bindings)
    dimension = (
        len(indices[0])
        if indices
        else sum(len(_binding_names(b)) for b in bindings if not isinstance(b, Condition))
    )
    if isinstance(data, dict):
        by_text = {",".join(_element_text(part) for part in index): index for index in indices}
        entries: dict[Index, float | int] = {}
        for key, value in data.items():
            text = str(key).strip().strip("()[]").replace(" ", "")
            if text not in by_text:
                raise ModelError(
                    f"the parameter {name} has a value at {key!r}, which is not in its domain {domain!r}"
                )
            entries[by_text[text]] = _number(value, name)
        return _Table("parameter", name, dimension, entries or {index: 0.0 for index in indices}, sparse=True)
    flat = _flatten(data, name)
    if len(flat) != len(indices):
        raise ModelError(
            f"dimension mismatch: the parameter {name} has {len(flat)} values for its domain {domain!r}, "
            f"which has {len(indices)} elements"
        )
    return _Table("parameter", name, dimension, dict(zip(indices, flat, strict=True)))


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ModelError(f"the parameter {name} holds {value!r}, which is not a number")
    return float(value)


def _flatten(data: object, name: str) -> list[float]:
    if isinstance(data, list) and set(map(type, data)) <= {int, float}:
        return [float(item) for item in data]
    if isinstance(data, list):
        return [number for item in data for number in _flatten(item, name)]
    return [_number(data, name)]


def expand(model: OptModel) -> ExpandedModel:
    """Resolve and enumerate the whole model.

    Raises
    ------
    ModelError
        Naming the item and its text: unknown names, indices out of range, a parameter whose data does not fit its
        domain, a variable used but not declared, an objective without variables, a syntax error.
    """
    with paused_gc():
        return _expand(model)


def _expand(model: OptModel) -> ExpandedModel:
    """`expand` without the collector pause."""
    symbols = _Symbols(model)
    compiler = _Compiler(symbols)
    for parameter in model.parameters:
        with _context("parameter", parameter.name, parameter.domain):
            symbols.add_table(_parameter_table(compiler, parameter.name, parameter.domain, parameter.data))
    variables: list[VariableInfo] = []
    variable_ids: dict[str, dict[Index, int]] = {}
    for declared in model.variables:
        with _context("variable", declared.name, declared.domain):
            bindings = parse_domain(declared.domain)
            ids: dict[Index, int] = {}
            for index in _domain_indices(compiler, bindings) if bindings else [()]:
                ids[index] = len(variables)
                lower, upper = (0.0, 1.0) if declared.type == "BINARY" else (declared.lower, declared.upper)
                variables.append(VariableInfo(declared.name, index, declared.type, lower, upper))
            if lower is not None and upper is not None and lower > upper:
                raise ModelError(f"the lower bound {lower:g} is above the upper bound {upper:g}")
            symbols.add_table(_Table("variable", declared.name, len(next(iter(ids), ())), ids))  # type: ignore[arg-type]
            variable_ids[declared.name] = ids
    objective = model.objective
    with _context("objective", objective.name, objective.function):
        value = compiler.expr(parse_expression(objective.function), frozenset())({})
        objective_poly = as_poly(value)
        if objective_poly.degree() == 0:
            raise ModelError("the objective contains no decision variable")
    rows: list[Row] = []
    violated: list[str] = []
    for constraint in model.constraints:
        with _context("constraint", constraint.name, constraint.function):
            text = parse_constraint(constraint.function)
            bindings = parse_domain(constraint.domain) + text.domain
            iterate, scope = compiler.bindings(bindings, frozenset())
            index_names = [n for b in bindings if not isinstance(b, Condition) for n in _binding_names(b)]
            sides = _comparison_rows(compiler, text.comparison, scope)
            for env, index in _environments(compiler, bindings, iterate, index_names):
                for sense, left, right in sides:
                    poly = _difference(left(env), right(env))
                    if 0.0 in poly.values():
                        poly = Poly({m: c for m, c in poly.items() if c})
                    row = Row(constraint.name, index, poly, sense)
                    if row.poly.degree() == 0:
                        if not _holds(row.poly.constant(), sense):
                            violated.append(row.label)
                        continue
                    rows.append(row)
    unused = [parameter.name for parameter in model.parameters if parameter.name not in symbols.referenced]
    return ExpandedModel(
        model, variables, variable_ids, objective_poly, objective.sense, rows, violated, unused
    )


def _environments(
    compiler: _Compiler,
    bindings: tuple[Binding, ...],
    iterate: Callable[[Env], Iterator[Env]],
    names: list[str],
) -> Iterator[tuple[Env, Index]]:
    """The environments of a constraint family and their indices; plain products of sets are listed directly."""
    if bindings and all(isinstance(binding, Member) for binding in bindings):
        indices = _domain_indices(compiler, bindings)
        if len(set(names)) == len(names):
            return ((dict(zip(names, index, strict=True)), index) for index in indices)
    return ((env, tuple(env[name] for name in names)) for env in iterate({}))


def _difference(left: Value, right: Value) -> Poly:
    """left − right as a polynomial; sums and references return fresh polynomials, so a constant is taken in place."""
    if isinstance(left, Poly) and not isinstance(right, Poly):
        if right:
            left[()] = left.get((), 0.0) - right
        return left
    return as_poly(add(left, right, -1.0))


def _comparison_rows(
    compiler: _Compiler, comparison: Comparison, scope: frozenset[str]
) -> list[tuple[RowSense, Callable[[Env], Value], Callable[[Env], Value]]]:
    terms = [compiler.expr(term, scope) for term in comparison.terms]
    sides = []
    for position, op in enumerate(comparison.ops):
        if op not in ("<=", ">=", "=="):
            raise ModelError(f"a constraint cannot use {op}")
        sides.append((op, terms[position], terms[position + 1]))
    return sides  # type: ignore[return-value]


def _holds(value: float, sense: RowSense, tolerance: float = 1e-9) -> bool:
    return {"<=": value <= tolerance, ">=": value >= -tolerance, "==": abs(value) <= tolerance}[sense]


class _context:
    """Re-raise a ModelError with the item it happened in and that item's text."""

    def __init__(self, kind: str, name: str, text: str) -> None:
        self.kind, self.name, self.text = kind, name, text

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type | None, error: BaseException | None, _tb: object) -> bool:
        if isinstance(error, ModelError) and error.item is None:
            message = str(error).rstrip(".")
            raise ModelError(
                f"In the {self.kind} {self.name} ({self.text!r}): {message[0].lower() + message[1:]}.",
                item=self.name,
                text=error.text or self.text,
                position=error.position,
            ) from None
        if isinstance(error, ValueError | TypeError):
            raise ModelError(
                f"In the {self.kind} {self.name} ({self.text!r}): {error}.", item=self.name, text=self.text
            ) from None
        return False
