"""A safe parser for the IR's function and domain strings (a Lark grammar; nothing is ever evaluated as Python).

Accepted, after LaTeX-ish spellings are normalised (`\\sum_{i \\in I}`, `\\leq`, `\\cdot`, `∀`, `\\frac{a}{b}`):

- sums `sum_{i in I} c_i * x_i`, nested sums, several bindings `sum_{i in I, j in J}`, tuple sets
  `sum_{(i,k) in P}`, conditions `sum_{j in J: j != i}` or `sum_{j in J, j != i}`, ranges `sum_{t=1}^{T}`;
  a sum's body is the product that follows it: `sum_{i in I} c_i x_i + 5` adds 5 once;
- references `x`, `x_i`, `x_{i,j}`, `x[i][j]`, `x[i,j]`, `x_ij` (split against the declared names later),
  index arithmetic `s_{t-1}`;
- `+ - * /`, juxtaposition `2 x`, powers `x^2`, comparisons `<= >= = == < >` (chains `0 <= x <= 5`);
- constraint domains before (`forall i in I: …`) or after (`…, forall i in I`) the comparison; a domain over
  consecutive numbers `i in {1,2,3}` reads as the range 1 … 3;
- Python's spelling of a sum, `sum(c[i]*x[i] for i in I)`, and `sum(a*x + b*y)` around a plain expression.

Errors are `ModelError`s carrying the original text and the character position in it.
"""

import re
from dataclasses import dataclass
from functools import cache

from lark import Lark, Token, Transformer, UnexpectedInput, v_args
from lark.exceptions import VisitError

from corta.errors import ModelError


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    """A name with its subscripts; `x_ij` arrives as the single name `x_ij`, split when names are known."""

    name: str
    indices: tuple["Expr", ...]
    position: int


@dataclass(frozen=True)
class Neg:
    operand: "Expr"


@dataclass(frozen=True)
class BinOp:
    op: str  # one of + - * / ^
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Member:
    """`i in I` or `(i, k) in P`."""

    names: tuple[str, ...]
    set_name: str
    position: int


@dataclass(frozen=True)
class Range:
    """`t = 1 … T` from `sum_{t=1}^{T}`."""

    name: str
    start: "Expr"
    stop: "Expr"


@dataclass(frozen=True)
class Condition:
    """A filter on indices such as `j != i` or `i < j`."""

    op: str
    left: "Expr"
    right: "Expr"


Binding = Member | Range | Condition


@dataclass(frozen=True)
class Sum:
    bindings: tuple[Binding, ...]
    body: "Expr"


@dataclass(frozen=True)
class Comparison:
    """`terms[0] ops[0] terms[1] ops[1] …`, with ops among <=, >=, ==."""

    ops: tuple[str, ...]
    terms: tuple["Expr", ...]


@dataclass(frozen=True)
class ConstraintText:
    domain: tuple[Binding, ...]
    comparison: Comparison


Expr = Num | Ref | Neg | BinOp | Sum

_GRAMMAR = r"""
start_expr: expr
start_domain: [FORALL] [filtered_bindings]
start_constraint: FORALL bindings (":"|",")? comparison ","?       -> domain_first
                | comparison ","? (FORALL bindings ","?)?          -> domain_last
                | comparison "," bindings ","?                     -> domain_last

comparison: expr (CMP expr)+

bindings: binding ("," binding)*
filtered_bindings: binding ("," binding)* ((":"|"|") condition ("," condition)*)?
?binding: index_target IN NAME          -> member
        | index_target IN "{" NUMBER ("," NUMBER)* "}"  -> literal_member
        | condition
index_target: NAME | "(" NAME ("," NAME)+ ")"
condition: expr CMP expr

?expr: term
     | expr PLUS term                   -> add
     | expr MINUS term                  -> sub
?term: unary
     | term STAR unary                  -> mul
     | term SLASH unary                 -> div
     | term power                       -> mul
?unary: MINUS unary                     -> neg
      | PLUS unary
      | power
?power: atom
      | atom CARET unary                -> pow
?atom: NUMBER                           -> number
     | ref
     | "(" expr ")"
     | "{" expr "}"
     | summation
     | FRAC "{" expr "}" "{" expr "}"    -> frac
     | SUMCALL "(" expr FORALL filtered_bindings ")"  -> call_sum
     | SUMCALL "(" expr ")"                        -> call_total
summation: SUM "_" "{" filtered_bindings "}" term
         | SUM "_" "{" NAME CMP expr "}" CARET atom term   -> range_sum
ref: NAME subscript*
?subscript: "_" "{" index_list "}"
          | "_" NUMBER                  -> number_subscript
          | "[" index_list "]"
index_list: index_item ("," index_item)*
?index_item: expr
           | "(" expr ("," expr)+ ")"   -> tuple_index

FORALL.3: /forall(?![A-Za-z0-9])/
SUM.3: /sum(?=\s*_\s*\{)/
SUMCALL.3: /sum(?=\s*\()/
FRAC.3: /frac(?=\s*\{)/
IN.3: /in(?![A-Za-z0-9_])/
NAME: /[A-Za-z](?:[A-Za-z0-9]|_(?=[A-Za-z0-9]))*/
NUMBER: /(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/
CMP: "<=" | ">=" | "==" | "!=" | "=" | "<" | ">"
PLUS: "+"
MINUS: "-"
STAR: "*"
SLASH: "/"
CARET: "^"
%ignore /\s+/
"""

# Longest spellings first; each maps to the canonical text the grammar reads.
_SPELLINGS: list[tuple[str, str]] = sorted(
    [
        (r"\leqslant", "<="), (r"\geqslant", ">="), (r"\leq", "<="), (r"\geq", ">="), (r"\le", "<="), (r"\ge", ">="),
        ("≤", "<="), ("≥", ">="), (r"\neq", "!="), (r"\ne", "!="), ("≠", "!="),
        (r"\cdot", "*"), (r"\times", "*"), ("×", "*"), ("·", "*"), ("⋅", "*"), ("∙", "*"), ("**", "^"),
        (r"\sum", "sum"), ("∑", "sum"), (r"\limits", " "), (r"\forall", "forall"), ("∀", "forall"),
        (r"\in", " in "), ("∈", " in "), (r"\mid", ":"), (r"\frac", "frac"), (r"\dfrac", "frac"),
        (r"\left", " "), (r"\right", " "), (r"\bigl", " "), (r"\bigr", " "), (r"\big", " "), (r"\Big", " "),
        (r"\qquad", " "), (r"\quad", " "), (r"\,", " "), (r"\;", " "), (r"\!", " "), (r"\ ", " "),
        (r"\(", " "), (r"\)", " "), (r"\[", " "), (r"\]", " "), ("$", " "), ("−", "-"), ("–", "-"),
        (r"\text{", "{"), (r"\mathrm{", "{"), (r"\mathit{", "{"), (r"\mathbf{", "{"), (r"\operatorname{", "{"),
    ],
    key=lambda pair: -len(pair[0]),
)  # fmt: skip
_WORDY_FORALL = re.compile(r"\bfor\s+(?:all|each|every)\b|\bfor(?=\s+[A-Za-z(][^=<>]*\s+in\s)", re.IGNORECASE)


def normalize(text: str) -> tuple[str, list[int]]:
    """Rewrite LaTeX-ish spellings to the grammar's; return the text and, per character, its original offset."""
    out: list[str] = []
    origin: list[int] = []
    position = 0
    while position < len(text):
        for spelling, canonical in _SPELLINGS:
            # A LaTeX command matches only as a whole word: \in must not eat the start of \infty.
            if text.startswith(spelling, position) and not (
                spelling[-1].isalpha()
                and position + len(spelling) < len(text)
                and text[position + len(spelling)].isalpha()
            ):
                out.append(canonical)
                origin.extend([position] * len(canonical))
                position += len(spelling)
                break
        else:
            out.append(text[position])
            origin.append(position)
            position += 1
    normalized = "".join(out)
    for match in reversed(list(_WORDY_FORALL.finditer(normalized))):
        start, end = match.span()
        normalized = normalized[:start] + "forall" + normalized[end:]
        origin[start:end] = [origin[start]] * 6
    return normalized, origin


@v_args(inline=True)
class _ToAst(Transformer):
    def number(self, token: Token) -> Num:
        return Num(float(token))

    def neg(self, _minus: Token, operand: Expr) -> Expr:
        return Num(-operand.value) if isinstance(operand, Num) else Neg(operand)

    def add(self, left: Expr, _op: Token, right: Expr) -> BinOp:
        return BinOp("+", left, right)

    def sub(self, left: Expr, _op: Token, right: Expr) -> BinOp:
        return BinOp("-", left, right)

    def mul(self, left: Expr, *rest: Expr | Token) -> BinOp:
        return BinOp("*", left, rest[-1])  # rest is (STAR, right) or (right,) for juxtaposition

    def div(self, left: Expr, _op: Token, right: Expr) -> BinOp:
        return BinOp("/", left, right)

    def pow(self, base: Expr, _op: Token, exponent: Expr) -> BinOp:
        return BinOp("^", base, exponent)

    def unary(self, _plus: Token, operand: Expr) -> Expr:
        return operand

    def frac(self, _frac: Token, numerator: Expr, denominator: Expr) -> BinOp:
        return BinOp("/", numerator, denominator)

    def ref(self, name: Token, *subscripts: tuple[Expr, ...]) -> Ref:
        indices = tuple(index for subscript in subscripts for index in subscript)
        return Ref(str(name), indices, name.start_pos)

    def number_subscript(self, token: Token) -> tuple[Expr, ...]:
        return (Num(float(token)),)

    def index_list(self, *items: Expr | tuple[Expr, ...]) -> tuple[Expr, ...]:
        return tuple(index for item in items for index in (item if isinstance(item, tuple) else (item,)))

    def tuple_index(self, *items: Expr) -> tuple[Expr, ...]:
        return items

    def index_target(self, *names: Token) -> tuple[str, ...]:
        return tuple(str(name) for name in names)

    def member(self, names: tuple[str, ...], keyword: Token, set_name: Token) -> Member:
        return Member(names, str(set_name), keyword.start_pos)

    def condition(self, left: Expr, op: Token, right: Expr) -> Condition:
        return Condition("==" if str(op) == "=" else str(op), left, right)  # a filter keeps < and > strict

    def bindings(self, *items: Binding) -> tuple[Binding, ...]:
        return items

    filtered_bindings = bindings

    def summation(self, _sum: Token, bindings: tuple[Binding, ...], body: Expr) -> Sum:
        return Sum(bindings, body)

    def call_sum(self, _sum: Token, body: Expr, _forall: Token, bindings: tuple[Binding, ...]) -> Sum:
        return Sum(bindings, body)

    def call_total(self, _sum: Token, body: Expr) -> Expr:
        return body

    def literal_member(self, names: tuple[str, ...], keyword: Token, *numbers: Token) -> Range:
        values = [float(number) for number in numbers]
        consecutive = all(value.is_integer() for value in values) and values == [
            values[0] + step for step in range(len(values))
        ]
        if len(names) != 1 or not consecutive:
            raise ModelError(
                "Declare a set for {" + ", ".join(numbers) + "} and write `i in NAME`.",
                position=keyword.start_pos,
            )
        return Range(names[0], Num(values[0]), Num(values[-1]))

    def range_sum(
        self, _sum: Token, name: Token, op: Token, start: Expr, _caret: Token, stop: Expr, body: Expr
    ) -> Sum:
        if _canonical_op(str(op)) != "==":
            raise ModelError(
                f"A sum's range must read sum_{{{name}=FIRST}}^{{LAST}}, not use {op}.", position=op.start_pos
            )
        return Sum((Range(str(name), start, stop),), body)

    def comparison(self, *parts: Expr | Token) -> Comparison:
        return Comparison(tuple(_canonical_op(str(op)) for op in parts[1::2]), tuple(parts[0::2]))  # type: ignore[arg-type]

    def start_expr(self, expr: Expr) -> Expr:
        return expr

    def start_domain(
        self, _forall: Token | None, bindings: tuple[Binding, ...] | None
    ) -> tuple[Binding, ...]:
        return bindings or ()

    def domain_first(
        self, _forall: Token, bindings: tuple[Binding, ...], comparison: Comparison
    ) -> ConstraintText:
        return ConstraintText(bindings, comparison)

    def domain_last(self, comparison: Comparison, *rest: Token | tuple[Binding, ...]) -> ConstraintText:
        bindings = next((item for item in rest if isinstance(item, tuple)), ())
        return ConstraintText(bindings, comparison)


def _canonical_op(op: str) -> str:
    return {"=": "==", "<": "<=", ">": ">="}.get(op, op)


@cache
def _parser(start: str) -> Lark:
    # The basic lexer makes keywords (forall, in, sum) keywords everywhere, not names where a name would fit.
    return Lark(_GRAMMAR, start=start, parser="lalr", lexer="basic", maybe_placeholders=True)


def _unwrap_braces(text: str) -> str:
    """Blank one pair of braces around the whole text (`{3*x + y <= 4}`, a small model's habit), keeping offsets."""
    stripped = text.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return text
    depth = 0
    for position, char in enumerate(stripped[:-1]):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and position > 0:
            return text  # the first brace closes before the end: `{a} + {b}`
    first, last = text.index("{"), text.rindex("}")
    return f"{text[:first]} {text[first + 1 : last]} {text[last + 1 :]}"


def _parse(text: str, start: str, what: str) -> object:
    if not isinstance(text, str):
        raise ModelError(f"The {what} must be text, not {type(text).__name__}.", text=str(text))
    normalized, origin = normalize(text)
    normalized = _unwrap_braces(normalized)
    try:
        tree = _parser(start).parse(normalized)
        return _ToAst().transform(tree)
    except UnexpectedInput as error:
        at = error.pos_in_stream if error.pos_in_stream is not None else len(normalized)
        position = origin[at] if at < len(origin) else len(text)
        shown = text[position : position + 12] or "the end"
        raise ModelError(
            f"Cannot parse the {what} {text!r}: unexpected {shown!r} at position {position}.",
            text=text,
            position=position,
        ) from None
    except VisitError as error:
        cause = error.orig_exc
        if not isinstance(cause, ModelError):
            raise
        position = (
            origin[cause.position] if cause.position is not None and cause.position < len(origin) else None
        )
        raise ModelError(f"In the {what} {text!r}: {cause}", text=text, position=position) from None
    except RecursionError:
        raise ModelError(f"The {what} {text[:60]!r}… is nested too deeply.", text=text) from None


def parse_expression(text: str) -> Expr:
    """Parse an objective function or any arithmetic expression.

    Raises
    ------
    ModelError
        With the original text and the position of the first character the grammar rejects.
    """
    return _parse(text, "start_expr", "expression")  # type: ignore[return-value]


def parse_domain(text: str) -> tuple[Binding, ...]:
    """Parse a domain such as `i in I, j in J`, `forall (i, k) in P` or `∀ i ∈ I: i != 1` (empty: scalar)."""
    return _parse(text, "start_domain", "domain")  # type: ignore[return-value]


def parse_constraint(text: str) -> ConstraintText:
    """Parse a constraint function, with its domain optionally written before or after the comparison."""
    return _parse(text, "start_constraint", "constraint")  # type: ignore[return-value]
