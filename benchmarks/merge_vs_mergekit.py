"""corta against mergekit on the same TIES recipe and the same checkpoints (1.5B parameters): wall time and peak
resident memory of each, as separate processes in one run, and the largest difference between their outputs.

The checkpoints: the embedded model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF) dequantized to bfloat16 as the base,
and two copies with small seeded changes on every tensor as the fine-tuned models (made once, kept in the cache;
about 9 GB of disk). Both tools merge on the CPU with the same torch thread count. Prints the ratios (corta ÷
mergekit; the targets are ≤ 1.0 for both) and writes docs/results/merging/merge_vs_mergekit.{json,md}.

    .venv/bin/python benchmarks/merge_vs_mergekit.py [--threads 2] [--repeats 1]
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

RESULTS = Path(__file__).parents[1] / "docs" / "results" / "merging"
RECIPE = {
    "merge_method": "ties",
    "base_model": None,  # filled in
    "models": [],
    "parameters": {"normalize": True},
    "dtype": "bfloat16",
}


def fine_tuned_copy(base: Path, out: Path, seed: int, scale: float = 0.01) -> None:
    """The base with seeded changes of `scale` × the tensor's mean |value| on every entry, streamed."""
    import torch

    from corta.models.merging.checkpoint import Checkpoint
    from corta.models.merging.writer import PlannedTensor, ShardedWriter

    checkpoint = Checkpoint(base)
    plan = [PlannedTensor(name, checkpoint.shape(name), checkpoint.dtype(name)) for name in checkpoint.names]
    generator = torch.Generator().manual_seed(seed)
    with ShardedWriter(out, plan, max_shard_bytes=2_000_000_000) as writer:
        for name in checkpoint.names:
            tensor = checkpoint.tensor(name).float()
            noise = torch.randn(tensor.shape, generator=generator)
            writer.write(name, tensor + scale * tensor.abs().mean() * noise)
        extras = {p.name: p.read_bytes() for p in base.iterdir() if p.suffix in (".json", ".jinja", ".txt")}
        extras.pop("model.safetensors.index.json", None)
        writer.finish(extras)


def checkpoints(cache: Path) -> tuple[Path, Path, Path]:
    from corta.models.merging.gguf_source import checkpoint_from_gguf
    from corta.models.runtime.catalog import EMBEDDED_MODEL

    base = checkpoint_from_gguf(EMBEDDED_MODEL.path(cache), cache, dtype="bfloat16")
    tuned = []
    for seed in (1, 2):
        folder = cache / "merging" / "bench" / f"{base.name}-tuned-{seed}"
        if not (folder / "config.json").is_file():
            print(f"making {folder.name} …", flush=True)
            fine_tuned_copy(base, folder, seed)
        tuned.append(folder)
    return base, tuned[0], tuned[1]


def measured(command: list[str], threads: int) -> dict[str, float]:
    """Run `command`; its wall seconds and peak resident memory (GB, from the kernel's rusage of that child)."""
    environment = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    started = time.perf_counter()
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        error = process.stderr.read().decode()[-2000:] if process.stderr else ""
        raise SystemExit(f"{command[0]} failed ({status}):\n{error}")
    return {"seconds": seconds, "peak_rss_gb": usage.ru_maxrss / 1024**2}


def largest_differences(ours: Path, theirs: Path, top: int = 3) -> list[tuple[str, float, float]]:
    """The tensors where the two outputs differ most: (name, largest |difference|, that tensor's largest |value|)."""
    from corta.models.merging.checkpoint import Checkpoint

    a, b = Checkpoint(ours), Checkpoint(theirs)
    found = []
    for name in a.names:
        mine, other = a.tensor(name).float(), b.tensor(name).float()
        found.append((name, float((mine - other).abs().max()), float(other.abs().max())))
    return sorted(found, key=lambda row: -row[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()

    from corta.config import Settings
    from corta.models.merging.checkpoint import Checkpoint

    cache = Settings().cache_dir
    base, one, two = checkpoints(cache)
    work = cache / "merging" / "bench" / "runs"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    recipe = {
        **RECIPE,
        "base_model": str(base),
        "models": [
            {"model": str(one), "parameters": {"weight": 0.6, "density": 0.2}},
            {"model": str(two), "parameters": {"weight": 0.4, "density": 0.5}},
        ],
    }
    (work / "ties.yaml").write_text(yaml.safe_dump(recipe, sort_keys=False))
    for folder in (base, one, two):  # both tools start from the page cache, not the first from the disk
        for shard in folder.glob("*.safetensors"):
            with shard.open("rb") as source:
                while source.read(1 << 26):
                    pass
    bin_dir = Path(sys.executable).parent
    runs: dict[str, list[dict[str, float]]] = {"corta": [], "mergekit": []}
    for repeat in range(args.repeats):
        for tool in ("corta", "mergekit") if repeat % 2 == 0 else ("mergekit", "corta"):
            out = work / f"{tool}-{repeat}"
            command = (
                [str(bin_dir / "corta"), "merge", str(work / "ties.yaml"), str(out), "--json"]
                if tool == "corta"
                else [str(bin_dir / "mergekit-yaml"), str(work / "ties.yaml"), str(out), "--quiet"]
            )
            runs[tool].append(measured(command, args.threads))
            print(
                f"{tool}: {runs[tool][-1]['seconds']:.1f} s, {runs[tool][-1]['peak_rss_gb']:.2f} GB",
                flush=True,
            )
    worst = largest_differences(work / "corta-0", work / "mergekit-0")
    difference = worst[0][1]
    best = {tool: min(r["seconds"] for r in rows) for tool, rows in runs.items()}
    peak = {tool: max(r["peak_rss_gb"] for r in rows) for tool, rows in runs.items()}
    result = {
        "checkpoints": f"{Checkpoint(base).parameter_count / 1e9:.2f}B parameters, bfloat16, 3 models",
        "recipe": recipe,
        "threads": args.threads,
        "load_average_at_start": os.getloadavg()[0],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "runs": runs,
        "time_ratio": best["corta"] / best["mergekit"],
        "memory_ratio": peak["corta"] / peak["mergekit"],
        "largest_difference": difference,
        "largest_differences": [{"tensor": n, "difference": d, "largest_value": v} for n, d, v in worst],
        "command": f".venv/bin/python benchmarks/merge_vs_mergekit.py --threads {args.threads} --repeats {args.repeats}",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "merge_vs_mergekit.json").write_text(json.dumps(result, indent=2))
    (RESULTS / "merge_vs_mergekit.md").write_text(
        "# corta vs mergekit: the same TIES recipe on the same checkpoints\n\n"
        f"`{result['command']}` — {result['checkpoints']}, {args.threads} threads, {result['machine']}, "
        f"load average {result['load_average_at_start']:.2f} at the start.\n\n"
        "| tool | best wall time (s) | peak RSS (GB) |\n|---|---|---|\n"
        + "".join(f"| {tool} | {best[tool]:.1f} | {peak[tool]:.2f} |\n" for tool in runs)
        + f"\nRatios corta ÷ mergekit: time {result['time_ratio']:.2f}, memory {result['memory_ratio']:.2f} "
        "(targets ≤ 1.0). Largest difference between the two outputs: "
        f"{difference:.3g} (mergekit computes in the recipe's bfloat16, corta in float32 then rounds).\n"
    )
    shutil.rmtree(work, ignore_errors=True)
    print(
        f"time ratio {result['time_ratio']:.2f}, memory ratio {result['memory_ratio']:.2f}; largest difference {difference:.3g}"
    )


if __name__ == "__main__":
    main()
