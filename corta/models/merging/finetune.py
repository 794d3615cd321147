"""Supervised fine-tuning of a small causal LM on the CPU: prompt → completion pairs, the loss on the completion's
tokens only, AdamW with a linear decay. Used to build the Long-to-Short experiment's System-1 / System-2 pair."""

import json
import logging
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from corta.errors import ConfigError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class FineTuneReport:
    """What a fine-tuning run did: steps, examples seen, first and last smoothed loss, seconds, and how many of the
    distinct examples were cut at the token limit (a cut completion loses its answer and its end of sequence)."""

    out_dir: str
    steps: int
    examples: int
    first_loss: float
    last_loss: float
    seconds: float
    truncated: int = 0


def chat_prompt(tokenizer: Any, question: str) -> str:
    """The question as the model's chat template renders a user turn awaiting the answer (plain text without one)."""
    template = getattr(tokenizer, "chat_template", None)
    if template:
        rendered = tokenizer.apply_chat_template(
            [{"role": "user", "content": question}], tokenize=False, add_generation_prompt=True
        )
        return str(rendered)
    return f"Question: {question}\nAnswer: "


def fine_tune(
    model_dir: Path,
    pairs: list[tuple[str, str]],
    out_dir: Path,
    steps: int,
    batch_size: int = 8,
    learning_rate: float = 5e-5,
    max_tokens: int = 1024,
    seed: int = 0,
    progress: bool = True,
) -> FineTuneReport:
    """Fine-tune the model in `model_dir` on (question, completion) pairs for `steps` batches; save to `out_dir`.

    Raises
    ------
    ConfigError
        No pairs, or the model folder cannot be loaded.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not pairs or steps < 1:
        raise ConfigError("Fine-tuning needs at least one (question, completion) pair and one step.")
    torch.manual_seed(seed)
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True, dtype=torch.float32)
    except (OSError, ValueError) as error:
        raise ConfigError(f"Cannot load the model in {model_dir} for fine-tuning ({error}).") from error
    encoded = [_encode(tokenizer, question, completion) for question, completion in pairs]
    examples = [(ids[:max_tokens], min(start, max_tokens)) for ids, start in encoded]
    truncated = sum(len(ids) > max_tokens for ids, _ in encoded)
    if truncated:
        log.warning(
            "%d of %d examples are longer than %d tokens and are cut", truncated, len(encoded), max_tokens
        )
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / steps)
    order = random.Random(seed)
    model.train()
    started, smoothed, first = time.perf_counter(), math.nan, math.nan
    columns = (
        TextColumn("fine-tuning"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, disable=not progress) as bar:
        task = bar.add_task("", total=steps)
        for step in range(steps):
            batch = [examples[order.randrange(len(examples))] for _ in range(batch_size)]
            ids, labels, mask = _collate(batch, pad)
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            value = float(loss.detach())
            smoothed = value if math.isnan(smoothed) else 0.9 * smoothed + 0.1 * value
            if step == 9 or (steps < 10 and step == 0):
                first = smoothed
            bar.update(task, advance=1, description=f"loss {smoothed:.3f}")
    model.eval()
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    report = FineTuneReport(
        str(out_dir), steps, steps * batch_size, first, smoothed, time.perf_counter() - started, truncated
    )
    (Path(out_dir) / "fine_tune.json").write_text(json.dumps(asdict(report), indent=2), encoding="utf-8")
    return report


def _encode(tokenizer: Any, question: str, completion: str) -> tuple[list[int], int]:
    """Token ids of prompt + completion + end of sequence, and where the completion starts."""
    prompt = tokenizer(chat_prompt(tokenizer, question), add_special_tokens=False)["input_ids"]
    answer = tokenizer(completion, add_special_tokens=False)["input_ids"]
    eos = tokenizer.eos_token_id
    return prompt + answer + ([eos] if eos is not None else []), len(prompt)


def _collate(
    batch: list[tuple[list[int], int]], pad: int
) -> tuple["torch.Tensor", "torch.Tensor", "torch.Tensor"]:
    import torch

    width = max(len(ids) for ids, _ in batch)
    ids = torch.full((len(batch), width), pad, dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, (tokens, start) in enumerate(batch):
        ids[row, : len(tokens)] = torch.tensor(tokens)
        labels[row, start : len(tokens)] = torch.tensor(tokens[start:])
        mask[row, : len(tokens)] = 1
    return ids, labels, mask
