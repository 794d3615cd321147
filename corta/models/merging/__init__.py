"""Model merging: Long-to-Short merges of a fast System-1 and a long-reasoning System-2 model, streamed tensor by
tensor over safetensors shards (DESIGN.md §2)."""
