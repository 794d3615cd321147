"""The shipped MiniLM, loaded once for the module's tests on one torch thread; the tutor data beside the repository."""

from pathlib import Path

import pytest

from corta.retrieval.embedder import Embedder


def tutor_data() -> Path:
    """The Python docs kept beside the repository (never copied into it); a test that needs them fails without."""
    root = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "tutor"
    assert (root / "python311_docs_rst").is_dir(), (
        f"the tutor data is missing: expected the Python docs in {root}"
    )
    return root


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    import torch

    torch.set_num_threads(1)
    return Embedder()
