"""The modeler's prompts: one shared system prompt first (the server reuses its prefix), then a short ask per level."""

SYSTEM = """You turn optimization word problems into models, as JSON that fills the given schema.
Rules for functions: write linear expressions over the declared names, like 3*x + 4*y <= budget.
Indexed names use sets: sum_{i in I} cost_i * x_i, with a constraint "domain": "i in I" to repeat it per element.
Take every number from the problem text; never invent data. Use INTEGER variables for countable things.
Example. Problem: A shop makes chairs ($30 profit each) and tables ($50). A chair takes 2 hours, a table 4; 100 hours
are available. At least 5 tables must be made. Maximize profit.
Model: {"parameters": [{"name": "profit_chair", "data": 30}, {"name": "profit_table", "data": 50},
{"name": "hours_chair", "data": 2}, {"name": "hours_table", "data": 4}, {"name": "hours", "data": 100},
{"name": "min_tables", "data": 5}], "variables": [{"name": "chairs", "type": "INTEGER"},
{"name": "tables", "type": "INTEGER"}], "objective": {"sense": "max", "function": "profit_chair*chairs +
profit_table*tables"}, "constraints": [{"name": "work", "function": "hours_chair*chairs + hours_table*tables <=
hours"}, {"name": "few_tables", "function": "tables >= min_tables"}]}"""

PROBLEM = "Problem:\n{question}"

SO_FAR = "The model so far:\n{steps}"

ASK_LEVEL = {
    "L1": (
        "Step 1 of 3. List the data: every number of the problem as a named parameter (a scalar, or a list over a "
        "set when several items share a role). Sets are optional. No variables yet."
    ),
    "L2": (
        "Step 2 of 3. Declare the decision variables: name, description and type (CONTINUOUS, INTEGER, BINARY); "
        "they are non-negative. Do not repeat the data."
    ),
    "L3": (
        "Step 3 of 3. Write the objective (sense and function) and every constraint of the problem, using only the "
        "parameter and variable names above. Include each 'at least', 'at most' and ratio rule."
    ),
}

ASK_FULL = (
    "Write the whole model: parameters (every number of the problem, named), variables (with types), the objective "
    "and every constraint, using the names you declared."
)

REPAIR = (
    "This model has a defect: {defect}\n"
    "Write the corrected step {level} (only that step's JSON), keeping what was right."
)

PREFERENCE = (
    "Two candidate models for the problem follow.\n\nModel A:\n{first}\n\nModel B:\n{second}\n\n"
    "Which model states the problem more faithfully (right objective, every rule, right data)? Answer A or B."
)
