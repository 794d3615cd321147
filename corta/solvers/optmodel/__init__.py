"""Optimization models: the StructuredOR IR, its safe parser, Pyomo compilation, HiGHS solves and checks."""
