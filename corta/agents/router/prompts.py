"""The router's prompts: one shared system prompt first (the server reuses its prefix), then a short ask per step.

The JSON asks (select, fill) send their schema as the response format: the select schema's enum holds the
pre-filtered template keys, the fill schema is the template's parameter model. The code asks (free-form
constraints, the direct baseline) want one fenced Python block.
"""

SYSTEM = """You help plan vehicle routes. Node 0 is the depot; nodes 1..n are customers. Each vehicle drives one \
route from the depot through some customers and back. A plan serves every customer once within the vehicle \
capacity and the time windows; the text adds side constraints. Copy node ids and numbers exactly as the text \
gives them; never invent any."""

OTHER = "other"

SELECT = """Constraint entries:
{catalogue}
- {other}: a rule that none of the entries above expresses.

Text:
{description}

Which entries does the text ask for? One entry per rule in the text. Entries of the same family are \
alternatives: pick the one that says what the rule says and adds nothing the rule does not say. Answer \
{{"entries": [...]}}."""

FILL = """Text:
{description}

Entry {key}: {entry}
Example for this entry (another text): {example_text}
Its parameters: {example_params}

Fill this entry's parameters from the text.{hint}"""

HINT = "\nAn earlier reading was wrong: {feedback}. Read the text again."

CODE_SYSTEM = """You write Python constraint code for a vehicle-routing search. A plan `state` has `state.routes`, \
a list of routes, each a list of customer ids in visiting order (the depot 0 is not in them), and \
`state.problem_data`, a dict with "demand" (per node), "capacity" (a number), "edge_weight" (distance matrix, \
edge_weight[a][b]), "time_window" ([start, end] per node) and "service_time" (per node). Answer with one \
```python block that defines exactly:
def check_constraints(state): True when the plan meets the rule, else False.
def penalty(state): a float >= 0, 0.0 exactly when check_constraints is True, larger the worse the violation.
No imports, no prints."""

FREE_FORM = """Rule:
{description}
{covered}{feedback}Write check_constraints and penalty for this rule."""

COVERED = "These parts of it are already handled elsewhere: {entries}. Write code only for the rest.\n"

FEEDBACK = "An earlier attempt failed: {failure}. Write new code from scratch.\n"

DIRECT_SYSTEM = """You write complete, fast Python programs that solve vehicle-routing problems. Only the \
standard library is available (math, random, itertools, heapq, json); no files, no input()."""

DIRECT = """A dict `problem_data` is already defined. Node 0 is the depot and nodes 1..{customers} are customers. \
Keys: "demand" (list per node), "capacity" ({capacity:g} per vehicle), "edge_weight" (distance matrix, \
edge_weight[a][b]){time_keys}.

Write a program that plans routes: every customer exactly once, each route's total demand within the capacity\
{time_rule}, and these rules:
{description}

Keep the total distance short. It must finish within {seconds:g} seconds. Its last line must be \
print(json.dumps(routes)), where routes is a list of routes, each a list of customer ids (without the depot). \
Answer with one ```python block."""

DIRECT_TIME_KEYS = (
    ', "time_window" ([start, end] per node) and "service_time" (per node); travel time equals distance'
)
DIRECT_TIME_RULE = (
    ", service at each customer starting within its time window (wait if early) and the return to the depot "
    "within the depot's window"
)
