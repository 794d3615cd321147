"""The routing data the Router tab offers: instance files found under the shared data folder (RoutBench's and the
classic Solomon and CVRPLIB sets) and RoutBench's variants, whose side constraints fill the description box."""

import logging
from pathlib import Path

from corta.datasets.routbench import RoutingVariant, load_routbench
from corta.errors import CortaError

log = logging.getLogger(__name__)

ROUTING_DATA = Path("../shared/data/routing")
"""Where the shared routing data lies, beside the repository (as `../shared/data/tutor` holds the Python docs)."""
ROUTBENCH_FOLDER = "routbench"
ROUTBENCH_INSTANCE = "routbench/instance data_25.txt"
"""The instance a RoutBench variant is picked with (its node numbers fit the 25-customer instance and up)."""
INSTANCE_SUFFIXES = (".txt", ".vrp")


def instance_files(root: Path) -> dict[str, Path]:
    """Instance files under `root` by their path relative to it, sorted (empty when `root` is missing)."""
    if not root.is_dir():
        return {}
    found = (path for path in root.rglob("*") if path.suffix in INSTANCE_SUFFIXES and path.is_file())
    return {str(path.relative_to(root)): path for path in sorted(found)}


def routbench_variants(root: Path) -> dict[str, RoutingVariant]:
    """RoutBench's variants (simple, then complex) by id, for the 25-customer instance (empty without the data)."""
    folder = root / ROUTBENCH_FOLDER
    if not folder.is_dir():
        return {}
    try:
        return {variant.id: variant for variant in load_routbench(folder, "all", 25)}
    except CortaError as error:
        log.warning("RoutBench variants not offered: %s", error)
        return {}


def variant_label(variant: RoutingVariant) -> str:
    """How a variant is listed: its split and number, then its constraint families."""
    number = variant.id.rsplit("/", 1)[-1]
    return f"{variant.split} {number}: {', '.join(dict.fromkeys(variant.families))}"
