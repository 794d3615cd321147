"""GGUF models as merge inputs: a GGUF file (like the embedded model) is dequantized once into a Hugging Face folder
in the cache, through transformers' GGUF reader (which uses the `gguf` package), and merged from there.

Dequantizing loads the whole model in memory once (about 4 bytes per parameter at float32); the merge that follows
streams as usual.
"""

import hashlib
import json
import logging
import shutil
from pathlib import Path

from corta.errors import MergeError

log = logging.getLogger(__name__)


def is_gguf(path: Path) -> bool:
    return Path(path).suffix.lower() == ".gguf"


def checkpoint_from_gguf(gguf_path: Path, cache_dir: Path, dtype: str = "float32") -> Path:
    """The Hugging Face folder (config, safetensors, tokenizer) of `gguf_path`, made on first use.

    Raises
    ------
    MergeError
        The file is missing or transformers cannot read its architecture.
    """
    gguf_path = Path(gguf_path)
    if not gguf_path.is_file():
        raise MergeError(f"GGUF file {gguf_path} does not exist.")
    stat = gguf_path.stat()
    key = hashlib.sha256(
        f"{gguf_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{dtype}".encode()
    ).hexdigest()
    target = cache_dir / "merging" / "gguf" / f"{gguf_path.stem}-{key[:12]}"
    if (target / "config.json").is_file():
        return target
    import torch
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log.info("dequantizing %s into %s", gguf_path, target)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        model = AutoModelForCausalLM.from_pretrained(
            str(gguf_path.parent), gguf_file=gguf_path.name, dtype=getattr(torch, dtype)
        )
        tokenizer = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
        # transformers marks a GGUF-loaded model as quantized and refuses save_pretrained: write it ourselves.
        state = {name: tensor.contiguous() for name, tensor in model.state_dict().items()}
        if model.config.tie_word_embeddings:
            state.pop("lm_head.weight", None)  # the embedding, shared
        partial.mkdir(parents=True)
        save_file(state, str(partial / "model.safetensors"), metadata={"format": "pt"})
        config = model.config.to_dict()
        config.pop("quantization_config", None)
        config["architectures"] = [
            type(model).__name__
        ]  # the GGUF reader leaves it unset; other tools need it
        (partial / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
        tokenizer.save_pretrained(partial)
        partial.rename(target)
    except (ValueError, OSError, KeyError, RuntimeError) as error:
        shutil.rmtree(partial, ignore_errors=True)
        raise MergeError(f"Cannot turn {gguf_path.name} into a mergeable checkpoint ({error}).") from error
    return target
