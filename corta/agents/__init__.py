"""The three agents (LangGraph): the Molly tutor, the BPP-Search modeler and the ARS router."""
