"""Runtimes that serve a model behind the OpenAI API: embedded llama.cpp, vLLM, or any URL."""
