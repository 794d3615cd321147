"""The vLLM runtime for GPUs and clusters: builds and runs `vllm serve` (OpenAI API) and waits until it serves.

vLLM is the optional extra `corta[gpu]`; corta never imports it, it only runs its command line.

- One GPU:            corta serve-llm --engine vllm --model Qwen/Qwen2.5-Coder-1.5B-Instruct
- A GGUF file:        corta serve-llm --engine vllm --model model.gguf --tokenizer Qwen/Qwen2.5-Coder-1.5B-Instruct
- Several GPUs:       --tensor-parallel-size 4
- Several nodes:      `ray start --head` on one node, `ray start --address HEAD:6379` on the others, then
                      --tensor-parallel-size 8 --pipeline-parallel-size 2 (Ray is chosen when pipeline stages > 1)
"""

import shutil
from pathlib import Path
from typing import Literal

from corta.config import Settings
from corta.errors import LLMUnavailableError
from corta.models.runtime.endpoint import Endpoint
from corta.models.runtime.health import choose_port
from corta.models.runtime.server_process import ServerProcess


def vllm_serve_command(
    model: str,
    port: int,
    served_model_name: str,
    host: str = "127.0.0.1",
    tensor_parallel_size: int = 1,
    pipeline_parallel_size: int = 1,
    tokenizer: str | None = None,
    max_model_len: int | None = None,
    distributed_backend: Literal["mp", "ray"] | None = None,
    executable: str = "vllm",
    extra_args: tuple[str, ...] = (),
) -> list[str]:
    """The `vllm serve` command line; multi-node pipeline parallelism uses the Ray executor.

    Raises
    ------
    ValueError
        If a parallel size is below 1.
    """
    if tensor_parallel_size < 1 or pipeline_parallel_size < 1:
        raise ValueError("tensor and pipeline parallel sizes must be at least 1")
    command = [executable, "serve", model, "--host", host, "--port", str(port)]
    command += ["--served-model-name", served_model_name]
    command += ["--tensor-parallel-size", str(tensor_parallel_size)]
    command += ["--pipeline-parallel-size", str(pipeline_parallel_size)]
    if tokenizer:
        command += ["--tokenizer", tokenizer]
    if max_model_len:
        command += ["--max-model-len", str(max_model_len)]
    backend = distributed_backend or ("ray" if pipeline_parallel_size > 1 else None)
    if backend:
        command += ["--distributed-executor-backend", backend]
    command += ["--enable-prefix-caching", *extra_args]
    return command


class VllmServer:
    """A `vllm serve` process started and owned by corta."""

    def __init__(
        self,
        model: str,
        settings: Settings,
        host: str = "127.0.0.1",
        tensor_parallel_size: int = 1,
        pipeline_parallel_size: int = 1,
        tokenizer: str | None = None,
        served_model_name: str | None = None,
        executable: str = "vllm",
    ) -> None:
        if shutil.which(executable) is None:
            raise LLMUnavailableError(
                f"`{executable}` was not found: install the GPU extra with `pip install 'corta[gpu]'` on a GPU machine."
            )
        self.settings = settings
        self.port = choose_port(settings.llm_port, host)
        self.served_model_name = served_model_name or Path(model).name
        self.host = host
        command = vllm_serve_command(
            model, self.port, self.served_model_name, host, tensor_parallel_size, pipeline_parallel_size, tokenizer,
            max_model_len=settings.llm_context, executable=executable,
        )  # fmt: skip
        log_path = settings.cache_dir / "servers" / f"vllm-{self.port}.log"
        self.process = ServerProcess(command, self.base_url, log_path)

    @property
    def base_url(self) -> str:
        """The server's OpenAI base URL."""
        reachable = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{reachable}:{self.port}/v1"

    def start(self) -> Endpoint:
        """Start `vllm serve`, wait until it lists the model, and return the endpoint."""
        models = self.process.start(self.settings.llm_startup_timeout_s)
        if self.served_model_name not in models:
            self.process.stop()
            raise LLMUnavailableError(f"vLLM serves {models}, not {self.served_model_name}.")
        return Endpoint(self.base_url, self.served_model_name, engine="vllm", structured_output="openai")

    def stop(self) -> None:
        """Stop the server and its workers."""
        self.process.stop()
