"""Language models: the one LLM client, the runtimes that serve models, merging and reward models."""
