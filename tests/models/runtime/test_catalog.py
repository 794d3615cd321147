"""The packaged models resolve to real files from their PyPI packages."""

from corta.config import Settings
from corta.models.runtime.catalog import EMBEDDED_MODEL, TINY_MODEL


def test_embedded_model_assembles_from_its_22_packages_with_the_published_hash():
    path = EMBEDDED_MODEL.path(Settings().cache_dir, show_progress=False)
    assert path.stat().st_size == 1_117_320_768
    assert path.open("rb").read(4) == b"GGUF"


def test_tiny_model_is_found_without_importing_its_package():
    path = TINY_MODEL.path(Settings().cache_dir)
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.open("rb").read(4) == b"GGUF"
