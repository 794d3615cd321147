"""Run a merge recipe: check that the models fit together, prepare what the method needs, then stream tensor by
tensor from the memory-mapped inputs through the method into the sharded writer.

Peak memory is the group of one tensor across the models plus the method's work on it (the largest tensor, usually
the embedding, sets it), whatever the models' size.
"""

import json
import logging
import math
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import torch
import yaml
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from corta.errors import ConfigError, MergeError
from corta.models.merging.checkpoint import Checkpoint
from corta.models.merging.gguf_source import checkpoint_from_gguf, is_gguf
from corta.models.merging.methods.base import CalibrationStats, MergeMethod, MethodParameters, TensorGroup
from corta.models.merging.methods.registry import get_method
from corta.models.merging.recipe import Recipe
from corta.models.merging.writer import PlannedTensor, ShardedWriter

log = logging.getLogger(__name__)

HEAD = "lm_head.weight"
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.json",
    "merges.txt",
    "tokenizer.model",
    "added_tokens.json",
    "chat_template.jinja",
    "generation_config.json",
)
UNRELATED_DISTANCE = 0.5  # ‖θᵢ − θ₀‖ / ‖θ₀‖ above this: θᵢ was not fine-tuned from θ₀


@dataclass
class MergeReport:
    """What a merge made: where, by which method, how many tensors and parameters, in what time, with which warnings."""

    out_dir: Path
    method: str
    tensors: int
    parameters: int
    seconds: float
    dtype: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Inputs:
    base: Checkpoint | None
    models: list[Checkpoint]
    reference: Checkpoint  # the layout and config of the output
    tokenizer: Checkpoint  # whose tokenizer (and vocabulary rows) the output keeps
    tokenizer_chosen: bool  # the recipe named it (else differing vocabularies are refused)


def run_merge(
    recipe: Recipe,
    out_dir: Path,
    device: str = "cpu",
    cache_dir: Path | None = None,
    progress: bool = True,
    max_shard_bytes: int = 5_000_000_000,
) -> MergeReport:
    """Merge the recipe's models into `out_dir` (safetensors shards, config, tokenizer and the recipe).

    Raises
    ------
    ConfigError
        The method is unknown, a parameter is invalid, or the method needs a base model the recipe lacks.
    MergeError
        The models do not fit together (architecture, tensors, shapes), hold NaN/Inf, or the output cannot be written.
    """
    started = time.perf_counter()
    method = get_method(recipe.merge_method)
    parameters = _method_parameters(method, recipe)
    warnings: list[str] = []
    inputs = _open_inputs(recipe, method, cache_dir or Path.home() / ".cache" / "corta", warnings)
    _check_architectures(inputs)
    if inputs.base is not None:
        warnings.extend(_unrelated_models(inputs.base, inputs.models))
    for warning in warnings:
        log.warning(warning)
    stats = _calibrate(method, recipe, inputs, device)
    dtype = getattr(torch, recipe.dtype) if recipe.dtype else None
    plan = _plan(inputs, dtype)
    entries = recipe.models
    columns = (
        TextColumn("merging"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with (
        ShardedWriter(out_dir, plan, max_shard_bytes) as writer,
        Progress(*columns, disable=not progress) as bar,
    ):
        task = bar.add_task("", total=len(plan))
        for planned in plan:
            bar.update(task, description=planned.name)
            if not inputs.reference.dtype(planned.name).is_floating_point:
                writer.write(planned.name, inputs.reference.tensor(planned.name))  # integer buffers: copied
            else:
                group = TensorGroup(
                    name=planned.name,
                    base=_read(inputs.base, planned, inputs, device) if inputs.base is not None else None,
                    models=[_read(model, planned, inputs, device) for model in inputs.models],
                    weights=[entry.weight for entry in entries],
                    densities=[entry.density for entry in entries],
                    owned=True,
                )
                torch.manual_seed(
                    recipe.seed + zlib.crc32(planned.name.encode())
                )  # random drops: reproducible
                merged = method.merge(group, parameters, stats)
                if not _finite(merged):
                    raise MergeError(
                        f"The merge of {planned.name} produced NaN or Inf: check the method's parameters."
                    )
                writer.write(planned.name, merged)
            bar.advance(task)
        writer.finish(_extra_files(recipe, inputs, plan))
    count = sum(math.prod(p.shape) for p in plan)
    return MergeReport(
        out_dir,
        method.name,
        len(plan),
        count,
        time.perf_counter() - started,
        str(plan[0].dtype).removeprefix("torch."),
        warnings,
    )


def _method_parameters(method: MergeMethod, recipe: Recipe) -> MethodParameters:
    try:
        return method.parameters.model_validate(recipe.parameters)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "parameters"
        raise ConfigError(f"{recipe.merge_method}: parameters.{where}: {first['msg']}.") from error


def _open_inputs(recipe: Recipe, method: MergeMethod, cache_dir: Path, warnings: list[str]) -> _Inputs:
    def open_one(path: str) -> Checkpoint:
        return Checkpoint(checkpoint_from_gguf(Path(path), cache_dir) if is_gguf(Path(path)) else Path(path))

    base = open_one(recipe.base_model) if recipe.base_model else None
    if method.base_policy == "required" and base is None:
        raise ConfigError(f"{method.name} merges task vectors and needs base_model in the recipe.")
    if method.base_policy == "none" and base is not None:
        warnings.append(
            f"{method.name} does not use a base model; {recipe.base_model} only sets the output's layout."
        )
    models = [open_one(entry.model) for entry in recipe.models]
    reference = base or models[0]
    if recipe.tokenizer_source in (None, "base"):
        tokenizer = reference
    else:
        tokenizer = next(
            m for m, e in zip(models, recipe.models, strict=True) if e.model == recipe.tokenizer_source
        )
    chosen = recipe.tokenizer_source is not None
    return _Inputs(base if method.base_policy != "none" else None, models, reference, tokenizer, chosen)


def _check_architectures(inputs: _Inputs) -> None:
    everyone = [inputs.reference, *inputs.models]
    kinds = {(c.config.get("model_type"), tuple(c.config.get("architectures") or ())) for c in everyone}
    if len(kinds) > 1:
        described = ", ".join(f"{c.directory.name} is {c.config.get('model_type')}" for c in everyone)
        raise MergeError(
            f"The models have different architectures ({described}): only one architecture merges."
        )
    for name in inputs.reference.names:
        for other in everyone:
            if name in other or (name == HEAD and other.tied_embeddings):
                continue
            raise MergeError(
                f"{other.directory} lacks tensor {name}, which {inputs.reference.directory} has."
            )
        shapes = {_shape(other, name) for other in everyone}
        if len(shapes) > 1 and not _is_vocabulary(inputs, name, shapes):
            raise MergeError(f"Tensor {name} has different shapes across the models: {sorted(shapes)}.")


def _shape(checkpoint: Checkpoint, name: str) -> tuple[int, ...]:
    return checkpoint.shape(_embedding_name(checkpoint) if name == HEAD and name not in checkpoint else name)


def _embedding_name(checkpoint: Checkpoint) -> str:
    found = [
        name
        for name in checkpoint.names
        if name.endswith("embed_tokens.weight") or name.endswith("wte.weight")
    ]
    if not found:
        raise MergeError(f"{checkpoint.directory} ties its head to an embedding it does not hold.")
    return found[0]


def _is_vocabulary(inputs: _Inputs, name: str, shapes: set[tuple[int, ...]]) -> bool:
    """Shapes that differ only in their rows, on a tensor with one row per token: a vocabulary-size mismatch, which
    the tokenizer source settles (else it is refused)."""
    if len({shape[1:] for shape in shapes}) > 1:
        return False
    if not ("embed" in name or name == HEAD or name.endswith("wte.weight")):
        return False
    if not inputs.tokenizer_chosen:
        rows = sorted(shape[0] for shape in shapes)
        raise MergeError(
            f"The vocabularies differ ({rows[0]} vs {rows[-1]} rows in {name}): set tokenizer_source to the model "
            "whose tokenizer the merge keeps."
        )
    return True


def _unrelated_models(base: Checkpoint, models: list[Checkpoint]) -> list[str]:
    """Warn when a model does not look fine-tuned from the base: its task vector then means nothing."""
    probes = [n for n in base.names if len(base.shape(n)) == 2 and "embed" not in n and n != HEAD][:3]
    warnings = []
    for model in models:
        ratios = []
        for name in probes:
            if name in model and model.shape(name) == base.shape(name):
                theta0, theta = base.tensor(name).float(), model.tensor(name).float()
                ratios.append(float((theta - theta0).norm() / theta0.norm().clamp_min(1e-12)))
        if ratios and sorted(ratios)[len(ratios) // 2] > UNRELATED_DISTANCE:
            warnings.append(
                f"{model.directory} is far from the base ({sorted(ratios)[len(ratios) // 2]:.2f} relative distance): "
                "it does not look fine-tuned from it, so its task vector is not meaningful."
            )
    return warnings


def _calibrate(method: MergeMethod, recipe: Recipe, inputs: _Inputs, device: str) -> CalibrationStats | None:
    if method.calibration is None:
        return None
    from corta.models.merging.calibration import activation_stats, layer_sensitivities
    from corta.models.merging.calibration_prompts import MATH_CALIBRATION_PROMPTS

    prompts = list(recipe.calibration.prompts)
    if recipe.calibration.prompts_file:
        text = Path(recipe.calibration.prompts_file).read_text(encoding="utf-8")
        prompts += [line for line in text.splitlines() if line.strip()]
    prompts = prompts or list(MATH_CALIBRATION_PROMPTS)
    limit = recipe.calibration.max_tokens
    if method.calibration == "activations":
        assert inputs.base is not None  # base_policy "required", checked when opened
        return CalibrationStats(activations=activation_stats(inputs.base.directory, prompts, limit, device))
    return CalibrationStats(
        sensitivities=[
            layer_sensitivities(model.directory, prompts, limit, device) for model in inputs.models
        ]
    )


def _plan(inputs: _Inputs, dtype: torch.dtype | None) -> list[PlannedTensor]:
    plan = []
    for name in inputs.reference.names:
        shape = list(inputs.reference.shape(name))
        if _shape(inputs.tokenizer, name)[1:] == tuple(shape[1:]) and ("embed" in name or name == HEAD):
            shape[0] = _shape(inputs.tokenizer, name)[0]
        stored = inputs.reference.dtype(name)
        out = dtype if dtype is not None and stored.is_floating_point else stored
        plan.append(PlannedTensor(name, tuple(shape), out))
    return plan


def _read(checkpoint: Checkpoint, planned: PlannedTensor, inputs: _Inputs, device: str) -> torch.Tensor:
    """The tensor as float32 on the device, its head taken from the embedding when tied, and its vocabulary rows
    cut or filled (from the tokenizer source) to the output's."""
    name = _embedding_name(checkpoint) if planned.name == HEAD and HEAD not in checkpoint else planned.name
    tensor = checkpoint.tensor(name).to(device, torch.float32)
    if not _finite(tensor):
        raise MergeError(f"{checkpoint.directory} holds NaN or Inf in {name}: the merge would spread it.")
    rows = planned.shape[0] if planned.shape else 0
    if tensor.shape != planned.shape and tensor.dim() > 0 and tensor.shape[1:] == planned.shape[1:]:
        if tensor.shape[0] > rows:
            return tensor[:rows]
        filler = _read(inputs.tokenizer, planned, inputs, device)[tensor.shape[0] :]
        return torch.cat([tensor, filler])
    return tensor


def _extra_files(recipe: Recipe, inputs: _Inputs, plan: list[PlannedTensor]) -> dict[str, bytes]:
    config = dict(inputs.reference.config)
    vocabulary = next((p.shape[0] for p in plan if "embed" in p.name), None)
    if vocabulary and "vocab_size" in config:
        config["vocab_size"] = vocabulary
    floating = [p.dtype for p in plan if p.dtype.is_floating_point]
    if floating:
        name = str(floating[0]).removeprefix("torch.")
        config["dtype"] = name  # transformers ≥ 5 reads `dtype`; older ones `torch_dtype`
        if "torch_dtype" in config:
            config["torch_dtype"] = name
    files = {"config.json": json.dumps(config, indent=2).encode("utf-8")}
    for file_name in TOKENIZER_FILES:
        source = inputs.tokenizer.directory / file_name
        if source.is_file():
            files[file_name] = source.read_bytes()
    files["corta_merge.yaml"] = yaml.safe_dump(
        recipe.model_dump(exclude_defaults=True), sort_keys=False
    ).encode()
    return files


def _finite(tensor: torch.Tensor) -> bool:
    """No NaN or Inf in the tensor: either spreads into its sum (one pass, no copy; weights sum far below 3e38)."""
    return bool(torch.isfinite(tensor.sum()))
