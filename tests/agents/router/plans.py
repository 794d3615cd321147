"""Plans to try constraint code on: the router's own plan helpers (random plans, one-move neighbours)."""

from corta.agents.router.plans import Plan, neighbour, neighbours, random_plan

__all__ = ["Plan", "neighbour", "neighbours", "random_plan"]
