"""Decode speed through corta's LLM client (HTTP to the embedded llama.cpp server) vs llama-cpp-python in-process.

Same model, prompt, threads, context and greedy decoding; the two sides alternate so that load drifts hit both.
Prints the ratio corta / direct (target >= 0.95) and writes docs/results/llm_overhead-threadsN.{json,md}.
On a 2-vCPU machine single calls vary by +-20% with 2 threads (spin-waiting threads lose to any other activity):
use 8 or more repetitions and read the median.

    .venv/bin/python benchmarks/llm_overhead.py [--reps 12] [--max-tokens 160] [--threads N]
"""

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

from llama_cpp import Llama
from llama_cpp.server.types import min_p_field, repeat_penalty_field, top_k_field, top_p_field

from corta.config import Settings
from corta.models.llm import LLM
from corta.models.runtime.catalog import EMBEDDED_MODEL
from corta.models.runtime.embedded import EmbeddedServer, choose_threads

PROMPT = (
    "Write a Python function that checks whether a number is prime, with a docstring and three doctest "
    "examples. Then explain how it works, step by step."
)
# The server fills in its own defaults for what a request leaves out; the direct side uses the same, so both
# sides do exactly the same sampling work per token.
SERVER_SAMPLING = {
    "repeat_penalty": repeat_penalty_field.default,
    "top_k": top_k_field.default,
    "top_p": top_p_field.default,
    "min_p": min_p_field.default,
}
RESULTS = Path(__file__).parents[1] / "docs" / "results"


def through_corta(llm: LLM, max_tokens: int) -> tuple[int, float]:
    started = time.perf_counter()
    llm.chat(PROMPT, max_tokens=max_tokens, purpose="benchmark")
    return llm.ledger.calls[-1].completion_tokens, time.perf_counter() - started


def direct(model: Llama, max_tokens: int) -> tuple[int, float]:
    started = time.perf_counter()
    response = model.create_chat_completion(
        [{"role": "user", "content": PROMPT}], max_tokens=max_tokens, temperature=0.0, **SERVER_SAMPLING
    )
    return response["usage"]["completion_tokens"], time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=12)
    parser.add_argument(
        "--threads", type=int, default=None, help="llama.cpp threads (default: from the load)"
    )
    parser.add_argument("--max-tokens", type=int, default=160)
    options = parser.parse_args()

    threads = options.threads or choose_threads()
    settings = Settings(llm_threads=threads)
    path = EMBEDDED_MODEL.path(settings.cache_dir)
    samples: dict[str, list[float]] = {"corta": [], "direct": []}
    tokens: dict[str, list[int]] = {"corta": [], "direct": []}
    with EmbeddedServer(EMBEDDED_MODEL, settings) as server:
        if not server.owned:
            print("note: reusing a running server; its thread count may differ from", threads)
        llm = LLM(server.endpoint())
        model = Llama(
            str(path), n_ctx=settings.llm_context, n_threads=threads, n_threads_batch=threads, verbose=False
        )
        through_corta(llm, 8)  # warm-up: load weights into the page cache, fill the prompt cache
        direct(model, 8)
        for rep in range(options.reps):
            for side, run in (("corta", lambda: through_corta(llm, options.max_tokens)),
                              ("direct", lambda: direct(model, options.max_tokens))):  # fmt: skip
                count, seconds = run()
                samples[side].append(count / seconds)
                tokens[side].append(count)
                print(
                    f"rep {rep + 1} {side:6s} {count:4d} tokens in {seconds:6.2f} s = {count / seconds:6.2f} tokens/s"
                )
    corta_tps, direct_tps = statistics.median(samples["corta"]), statistics.median(samples["direct"])
    ratio = corta_tps / direct_tps
    print(f"median tokens/s: corta {corta_tps:.2f}, llama-cpp-python direct {direct_tps:.2f}")
    print(f"ratio corta/direct = {ratio:.3f} (target >= 0.95): {'met' if ratio >= 0.95 else 'MISSED'}")

    report = {
        "command": "python benchmarks/llm_overhead.py "
        + f"--reps {options.reps} --max-tokens {options.max_tokens} --threads {threads}",
        "model": EMBEDDED_MODEL.title,
        "threads": threads,
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}",
        "tokens_per_s": samples,
        "completion_tokens": tokens,
        "median_tokens_per_s": {"corta": round(corta_tps, 3), "direct": round(direct_tps, 3)},
        "ratio": round(ratio, 4),
        "target": 0.95,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"llm_overhead-threads{threads}.json").write_text(json.dumps(report, indent=2) + "\n")
    rows = "\n".join(
        f"| {rep + 1} | {samples['corta'][rep]:.2f} | {samples['direct'][rep]:.2f} |"
        for rep in range(options.reps)
    )
    (RESULTS / f"llm_overhead-threads{threads}.md").write_text(
        f"# LLM client overhead\n\n`{report['command']}` — {report['model']}, {threads} thread(s), greedy, "
        f"{options.max_tokens} tokens max.\n\n| rep | corta LLM (HTTP) tokens/s | llama-cpp-python direct tokens/s |\n"
        f"|---|---|---|\n{rows}\n\nMedian: corta {corta_tps:.2f}, direct {direct_tps:.2f}; "
        f"**ratio {ratio:.3f}** (target ≥ 0.95).\n"
    )


if __name__ == "__main__":
    main()
