"""The ARS router: a routing problem in words → constraint code from a template database → a feasible plan."""
