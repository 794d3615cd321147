"""The Long-to-Short evaluation: each model answers the held-out generated problems greedily; a reply is correct
when its answer equals the exact one, and its length is the number of tokens it generated. The comparison puts the
models side by side: accuracy and mean length against System 1 and System 2, the length change of each merge, and the
share of replies that still re-check a step.
"""

import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corta.datasets.evaluate import RESULTS_FILE, read_results
from corta.datasets.l2s_problems import ANSWER_PREFIX, RECHECK, L2SProblem
from corta.errors import ConfigError
from corta.models.merging.finetune import chat_prompt

SCORING = (
    f"correct = the number after the reply's last '{ANSWER_PREFIX}' (else its last integer) equals the exact answer; "
    "tokens = the tokens the model generated (greedy, up to the limit); re-checking = the replies that re-check a "
    f"step ('{RECHECK}' in the first 600 characters kept of each reply)"
)
COMPARISON_FILE = "comparison.md"
PLOT_FILE = "accuracy_vs_length.png"
_STATED = re.compile(re.escape(ANSWER_PREFIX) + r"\s*\$?(-?\d[\d,]*)", re.IGNORECASE)
_INTEGER = re.compile(r"-?\d[\d,]*")
_GATHER_SECONDS = 0.05


def extract_answer(reply: str) -> int | None:
    """The reply's answer: the number after its last "The answer is", else its last integer, else None."""
    stated = _STATED.findall(reply)
    found = stated[-1] if stated else (_INTEGER.findall(reply) or [None])[-1]
    if found is None:
        return None
    try:
        return int(found.replace(",", ""))
    except ValueError:
        return None


@dataclass
class _Request:
    """One prompt waiting for its batch: the prompt's token ids, then the generated ids or the batch's error."""

    prompt: list[int]
    generated: list[int] | None = None
    error: Exception | None = None


@dataclass
class L2SModelTask:
    """One model (a Hugging Face folder) answering the problems greedily, up to `batch_size` at once.

    Items run by concurrent workers are generated together: each worker queues its prompt, and whichever holds the
    model generates the queued prompts as one left-padded batch until its own is done. An item's `seconds` is then
    its batch's. Greedy decoding makes the batch's replies those of one-at-a-time generation.
    """

    model_dir: Path
    max_new_tokens: int = 640
    batch_size: int = 1
    name: str = "l2s"
    scoring: str = SCORING
    _loaded: tuple[Any, Any] | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _generating: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _queue: list[_Request] = field(default_factory=list, init=False, repr=False)

    def category(self, item: L2SProblem) -> str:
        return item.kind

    def run(self, item: L2SProblem) -> dict[str, Any]:
        model, tokenizer = self._model()
        with self._lock:  # one tokenizer call at a time: the fast tokenizer is not safe across threads
            request = _Request(
                tokenizer(chat_prompt(tokenizer, item.question), add_special_tokens=False)["input_ids"]
            )
            self._queue.append(request)
        with self._generating:
            while request.generated is None and request.error is None:
                self._generate_batch(model, tokenizer)
        if request.error is not None:
            raise request.error
        generated = request.generated or []
        reply = tokenizer.decode(generated, skip_special_tokens=True)
        answer = extract_answer(reply)
        return {
            "category": item.kind,
            "success": answer == item.answer,
            "answer": answer,
            "expected": item.answer,
            "tokens": len(generated),
            "cut_off": len(generated) >= self.max_new_tokens,
            "reply": reply[:600],
        }

    def _generate_batch(self, model: Any, tokenizer: Any) -> None:
        """Generate the first `batch_size` queued prompts together, giving each its tokens up to its end token."""
        import torch

        if self.batch_size > 1 and len(self._queue) < self.batch_size:
            time.sleep(_GATHER_SECONDS)  # the other workers' prompts are being tokenized
        with self._lock:
            batch = self._queue[: self.batch_size]
            del self._queue[: self.batch_size]
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        width = max(len(request.prompt) for request in batch)
        ids = [[pad] * (width - len(request.prompt)) + request.prompt for request in batch]
        mask = [[0] * (width - len(request.prompt)) + [1] * len(request.prompt) for request in batch]
        try:
            with torch.no_grad():
                output = model.generate(
                    input_ids=torch.tensor(ids),
                    attention_mask=torch.tensor(mask),
                    max_new_tokens=self.max_new_tokens,
                    do_sample=False,
                    pad_token_id=pad,
                )
        except Exception as error:  # every request of the batch reports it; the workers stay alive
            for request in batch:
                request.error = error
            return
        ends = _end_tokens(model, tokenizer)
        for request, row in zip(batch, output[:, width:].tolist(), strict=True):
            end = next((index for index, token in enumerate(row) if token in ends), None)
            request.generated = row if end is None else row[: end + 1]

    def _model(self) -> tuple[Any, Any]:
        with self._lock:
            if self._loaded is None:
                import torch
                from transformers import AutoModelForCausalLM, AutoTokenizer

                try:
                    tokenizer = AutoTokenizer.from_pretrained(self.model_dir, local_files_only=True)
                    model = AutoModelForCausalLM.from_pretrained(
                        self.model_dir, local_files_only=True, dtype=torch.float32
                    )
                except (OSError, ValueError) as error:
                    raise ConfigError(f"Cannot load the model in {self.model_dir} ({error}).") from error
                self._loaded = (model.eval(), tokenizer)
            return self._loaded


def _end_tokens(model: Any, tokenizer: Any) -> set[int]:
    """The token ids that end a reply: the model's generation config's, else the tokenizer's end of sequence."""
    ends = model.generation_config.eos_token_id
    if ends is None:
        ends = tokenizer.eos_token_id
    return set(ends) if isinstance(ends, list) else {ends}


def model_rows(root: Path, system1: str, system2: str) -> list[dict[str, Any]]:
    """One row per model folder under `root`: accuracy, mean tokens, and both against System 2."""
    rows = []
    for folder in sorted(path.parent for path in root.glob(f"*/{RESULTS_FILE}")):
        records = [record.model_dump() for record in read_results(folder)]
        if records:
            rows.append(
                {
                    "model": folder.name,
                    "items": len(records),
                    "accuracy": sum(bool(r["success"]) for r in records) / len(records),
                    "mean tokens": statistics.fmean(r.get("tokens", 0) for r in records),
                    "re-checking": sum(RECHECK in (r.get("reply") or "") for r in records) / len(records),
                    "cut off": sum(bool(r.get("cut_off")) for r in records),
                }
            )
    reference = next((row for row in rows if row["model"] == system2), None)
    if reference is None:
        raise ConfigError(f"No results for System 2 ({system2}) under {root}.")
    for row in rows:
        row["accuracy vs System 2 (points)"] = 100 * (row["accuracy"] - reference["accuracy"])
        row["length vs System 2"] = row["mean tokens"] / reference["mean tokens"] - 1
        row["role"] = (
            "System 1" if row["model"] == system1 else "System 2" if row["model"] == system2 else "merge"
        )
    return rows


def write_comparison(root: Path, system1: str, system2: str, command: str) -> Path:
    """`root/comparison.md` and its plot: every model's accuracy against its mean response length."""
    import matplotlib  # imported here: slow to import, and only reports need it
    from matplotlib.figure import Figure

    rows = model_rows(root, system1, system2)
    header = [
        "model",
        "role",
        "items",
        "accuracy",
        "mean tokens",
        "accuracy vs System 2 (points)",
        "length vs System 2",
        "re-checking",
        "cut off",
    ]
    lines = [
        "# Long-to-Short: merges against System 1 and System 2",
        "",
        "Command:",
        "",
        "```",
        command,
        "```",
        "",
    ]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [
            row["model"],
            row["role"],
            str(row["items"]),
            f"{row['accuracy']:.3f}",
            f"{row['mean tokens']:.1f}",
            f"{row['accuracy vs System 2 (points)']:+.1f}",
            f"{100 * row['length vs System 2']:+.1f}%",
            f"{100 * row['re-checking']:.0f}%",
            str(row["cut off"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    winners = [
        row["model"]
        for row in rows
        if row["role"] == "merge"
        and row["length vs System 2"] <= -0.40
        and row["accuracy vs System 2 (points)"] >= -2.0
    ]
    lines += [
        "",
        "Target: a merge with at least 40% shorter answers than System 2 at no more than 2 points accuracy loss — "
        + (f"met by {', '.join(winners)}." if winners else "met by none."),
        "",
        f"Scoring: {SCORING}.",
        "",
        f"![Accuracy against mean response length]({PLOT_FILE})",
        "",
    ]
    figure = Figure(figsize=(10, 5))
    axes = figure.subplots()
    # Each model its own colour and legend entry: merges often land on (nearly) the same point, where labels
    # written beside the points would cover each other.
    colours = matplotlib.colormaps["tab20"]
    for index, row in enumerate(rows):
        marker = {"System 1": "s", "System 2": "D"}.get(row["role"], "o")
        axes.scatter(
            row["mean tokens"],
            row["accuracy"],
            s=60,
            marker=marker,
            color=colours(index % 20),
            label=row["model"],
            edgecolors="black",
            linewidths=0.5,
        )
    axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    axes.set_xlabel("mean response length (tokens)")
    axes.set_ylabel("accuracy")
    axes.set_ylim(0, 1.05)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(root / PLOT_FILE, dpi=120)
    path = root / COMPARISON_FILE
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
