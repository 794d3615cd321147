"""Solvers: optimization models (Pyomo + HiGHS), routing (ALNS), and the sandbox for generated code."""
