"""Process reward models: score each cumulative step of a partial optimization model (judge, served, scorer)."""
