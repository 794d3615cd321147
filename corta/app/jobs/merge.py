"""A merge started from the app: a shipped recipe or pasted YAML, run by `corta merge`'s `run_merge` into a new
folder, with its progress read from the bytes written so far.

`plan_merge` checks the recipe and the output folder before anything runs (each mistake one sentence); models that
are missing or do not fit together are found by `run_merge` itself, and end the job with its sentence.
"""

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from corta.app.jobs.runner import JobProgress
from corta.errors import ConfigError
from corta.models.merging.recipe import Recipe, load_recipe, parse_recipe

SHIPPED_RECIPES = Path(__file__).resolve().parents[3] / "recipes"


def shipped_recipes(folder: Path = SHIPPED_RECIPES) -> list[Path]:
    """The recipes shipped with corta (every YAML file under `recipes/`), sorted by path."""
    return sorted(path for pattern in ("*.yaml", "*.yml") for path in folder.rglob(pattern))


def read_recipe(shipped: Path | None, text: str) -> Recipe:
    """The recipe in `text` when there is one (its relative model paths read from the shipped recipe's folder, else
    from the working folder), else the shipped recipe's file.

    Raises
    ------
    ConfigError
        When neither is given, the YAML is unreadable, or a key is unknown or out of range.
    """
    if text.strip():
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ConfigError(f"The recipe is not valid YAML ({str(error).splitlines()[0]}).") from None
        return parse_recipe(data, shipped.parent if shipped else Path.cwd(), "The recipe")
    if shipped is None:
        raise ConfigError("Choose a shipped recipe or paste one.")
    return load_recipe(shipped)


@dataclass
class PlannedMerge:
    """A checked recipe and the new folder it merges into."""

    recipe: Recipe
    out_dir: Path
    cache_dir: Path

    def run(self) -> dict[str, Any]:
        """Merge on the CPU; returns the merge report (tensors, parameters, seconds, output, warnings)."""
        from corta.models.merging.run import run_merge

        report = run_merge(self.recipe, self.out_dir, device="cpu", cache_dir=self.cache_dir, progress=False)
        return asdict(report) | {"out_dir": str(report.out_dir), "seconds": round(report.seconds, 2)}

    def progress(self) -> JobProgress:
        """The megabytes of merged tensors on disk so far (in the writer's partial folder, then in the output)."""
        partial = [
            path
            for folder in self.out_dir.parent.glob(f".{self.out_dir.name}.partial-*")
            for path in folder.glob("*.safetensors")
        ]
        written = sum(_size(path) for path in [*partial, *self.out_dir.glob("*.safetensors")])
        megabytes = written / 1e6
        return JobProgress(int(megabytes), None, f"{megabytes:.1f} MB of merged tensors written")


def plan_merge(recipe: Recipe, out_dir: str, cache_dir: Path) -> PlannedMerge:
    """Check that the output folder (a path as typed, `~` allowed) is new or empty before the merge starts.

    Raises
    ------
    ConfigError
        When the output folder is not given, is a file, or holds files already.
    """
    if not out_dir.strip():
        raise ConfigError("Give the output folder of the merged model.")
    folder = Path(out_dir.strip()).expanduser().resolve()
    if folder.is_file() or (folder.is_dir() and any(folder.iterdir())):
        raise ConfigError(f"{folder} exists and is not empty: choose a new output folder.")
    return PlannedMerge(recipe, folder, cache_dir)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # the partial folder was just renamed into place
        return 0
