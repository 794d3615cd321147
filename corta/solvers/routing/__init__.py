"""Vehicle routing: instances (vrplib), plans (`VrpState`), the ALNS backbone with pluggable constraint code, checks.

`instance` reads Solomon and CVRPLIB files into the `problem_data` that RoutBench checkers index; `backbone.solve`
runs the search (it imports `alns`, so import it where it is needed: this package stays light); `verify` checks
a plan independently; `plot` draws one.
"""
