"""Knowledge-base build time and query latency over the whole default knowledge base (Python docs in English and
Chinese, pydoc topics), FAISS against a NumPy brute-force scan of the same vectors measured in the same run.

Prints the p50 latency of `KnowledgeBase.search` (query encoding + FAISS; target ≤ 20 ms) and the ratio of FAISS's
search step to the NumPy scan, and writes docs/results/retrieval.{json,md}.

    .venv/bin/python benchmarks/retrieval.py [--queries 200] [--threads 1] [--docs ../shared/data/tutor]
"""

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from corta.datasets.sampling import sample
from corta.datasets.tutoring import load_qacp
from corta.retrieval.build import build_index
from corta.retrieval.knowledge_base import KnowledgeBase
from corta.retrieval.sources.registry import default_sources

RESULTS = Path(__file__).parents[1] / "docs" / "results"
ENGLISH = [
    "How do I define default argument values?", "What does the yield keyword do?", "How do I read a file line by line?",
    "What is a list comprehension?", "How do I catch an exception?", "How do I import a module from a package?",
    "What is the difference between a tuple and a list?", "How do classes inherit methods?",
    "How do I format a string with variables?", "What does range() return?",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--docs", type=Path, default=Path("../shared/data/tutor"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        built = build_index(default_sources(args.docs), Path(folder), force=True)
        build_seconds = time.perf_counter() - started
        knowledge_base = KnowledgeBase.load(Path(folder))
    queries = (ENGLISH + [item.question for item in sample(load_qacp(args.docs), args.queries, seed=0)])[
        : args.queries
    ]
    vectors = knowledge_base.index.reconstruct_n(0, knowledge_base.index.ntotal)
    knowledge_base.search(queries[0])  # warm the encoder
    total, encode, faiss_step, numpy_step = [], [], [], []
    for query in queries:
        started = time.perf_counter()
        knowledge_base.search(query, k=3)
        total.append(time.perf_counter() - started)
        started = time.perf_counter()
        vector = knowledge_base.embedder.encode([query])
        encode.append(time.perf_counter() - started)
        started = time.perf_counter()
        knowledge_base.index.search(vector, 3)
        faiss_step.append(time.perf_counter() - started)
        started = time.perf_counter()
        np.argpartition(-(vectors @ vector[0]), 3)[:3]
        numpy_step.append(time.perf_counter() - started)
    report = {
        "chunks": built.manifest.chunks,
        "sources": {record.source: record.chunks for record in built.manifest.sources},
        "build_seconds": round(build_seconds, 1),
        "threads": args.threads,
        "load_at_start": round(load, 2),
        "queries": len(queries),
        "p50_search_ms": round(1000 * statistics.median(total), 2),
        "p90_search_ms": round(1000 * sorted(total)[int(0.9 * len(total))], 2),
        "p50_encode_ms": round(1000 * statistics.median(encode), 2),
        "p50_faiss_ms": round(1000 * statistics.median(faiss_step), 3),
        "p50_numpy_ms": round(1000 * statistics.median(numpy_step), 3),
    }
    report["faiss_vs_numpy_ratio"] = round(report["p50_faiss_ms"] / report["p50_numpy_ms"], 3)
    command = f".venv/bin/python benchmarks/retrieval.py --queries {args.queries} --threads {args.threads}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "retrieval.json").write_text(json.dumps({"command": command, **report}, indent=1) + "\n")
    lines = [
        f"# Knowledge base: build and query latency\n\nCommand: `{command}`\n",
        "| measure | value |",
        "|---|---|",
    ]
    lines += [f"| {key} | {value} |" for key, value in report.items() if key != "sources"]
    (RESULTS / "retrieval.md").write_text("\n".join(lines) + "\n")
    print(
        f"{report['chunks']} chunks built in {report['build_seconds']} s; search p50 {report['p50_search_ms']} ms "
        f"(target <= 20 ms; encoding {report['p50_encode_ms']} ms); FAISS/NumPy ratio {report['faiss_vs_numpy_ratio']}"
    )


if __name__ == "__main__":
    main()
