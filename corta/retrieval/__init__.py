"""Retrieval: chunking, sentence embeddings and a FAISS index over the Python docs and course files."""
