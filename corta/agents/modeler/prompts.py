"""The modeler's prompts: one shared system prompt first (the server reuses its prefix), then a short ask per level."""

SYSTEM = """You turn optimization word problems into models, as JSON that fills the given schema.
Rules for functions: write linear expressions over the declared names, like 3*x + 4*y <= budget.
Indexed names use sets: sum_{i in I} cost_i * x_i, with a constraint "domain": "i in I" to repeat it per element.
Take every number from the problem text; never invent data. Give each variable its unit, what one of it is: a thing
counted (bottle, van, trip, worker) or a measure (acre, hour, kg, dollar). Counted things are INTEGER.
Every limit in the text is a constraint: each amount available, each 'at least' and 'at most', each ratio or percentage.
Multiply each per-unit amount by the variable it belongs to (cost per trip times trips <= budget).
Example. Problem: A farm has 100 acres for wheat and corn. Wheat earns $30 per acre and corn $50; an acre of wheat needs
2 hours of labour, corn 4; 300 hours are available. At least twice as many acres of wheat as corn. Maximize profit.
Model: {"parameters": [{"name": "land", "data": 100}, {"name": "profit_wheat", "data": 30},
{"name": "profit_corn", "data": 50}, {"name": "hours_wheat", "data": 2}, {"name": "hours_corn", "data": 4},
{"name": "hours", "data": 300}, {"name": "ratio", "data": 2}], "variables": [{"name": "wheat", "unit": "acre",
"type": "CONTINUOUS"}, {"name": "corn", "unit": "acre", "type": "CONTINUOUS"}], "objective": {"sense": "max",
"function": "profit_wheat*wheat + profit_corn*corn"}, "constraints": [{"name": "acres", "function":
"wheat + corn <= land"}, {"name": "labour", "function": "hours_wheat*wheat + hours_corn*corn <= hours"},
{"name": "mix", "function": "wheat >= ratio*corn"}]}"""

PROBLEM = "Problem:\n{question}"

SO_FAR = "The model so far:\n{steps}"

ASK_LEVEL = {
    "L1": (
        "Step 1 of 3. List the data: every number of the problem as a named parameter (a scalar, or a list over a "
        "set when several items share a role). Sets are optional. No variables yet."
    ),
    "L2": (
        "Step 2 of 3. Declare the decision variables: name, description, unit (a thing counted or a measure) and "
        "type (CONTINUOUS, INTEGER, BINARY); they are non-negative. Do not repeat the data."
    ),
    "L3": (
        "Step 3 of 3. Write the objective (sense and function) and every constraint of the problem, using only the "
        "parameter and variable names above. Include each 'at least', 'at most' and ratio rule."
    ),
}

ASK_FULL = (
    "Write the whole model: parameters (every number of the problem, named), variables (with units and types), the "
    "objective and every constraint, using the names you declared."
)

REPAIR = (
    "This model has a defect: {defect}\n"
    "Write the corrected step {level} (only that step's JSON), keeping what was right."
)

PREFERENCE = (
    "Two candidate models for the problem follow.\n\nModel A:\n{first}\n\nModel B:\n{second}\n\n"
    "Which model states the problem more faithfully (right objective, every rule, right data)? Answer A or B."
)
