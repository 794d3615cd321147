"""The tutor's latency per answer on the embedded model, against one grounded draft call measured in the same run.

For each question (the first N of the seeded QACP sample the evaluation uses), the full tutor (perceive, retrieve,
draft, reflect, and a repair or a revision where needed) answers it, and, as the baseline, one chat call drafts an answer from the same three passages
(what a retrieval-augmented chatbot without perception or reflection costs). Prints the p50 of both and their ratio,
and writes docs/results/tutor_latency.{json,md}. Needs the default knowledge base (`corta index build`).

    .venv/bin/python benchmarks/tutor_latency.py [--questions 5] [--threads 2]
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

RESULTS = Path(__file__).parents[1] / "docs" / "results"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--docs", type=Path, default=Path("../shared/data/tutor"))
    args = parser.parse_args()
    os.environ["CORTA_LLM_THREADS"] = str(args.threads)

    from corta.agents.tutor import prompts
    from corta.agents.tutor.agent import Tutor
    from corta.agents.tutor.language import detect_language
    from corta.config import Settings
    from corta.datasets.sampling import sample
    from corta.datasets.tutoring import load_qacp
    from corta.models.llm import LLM
    from corta.models.runtime.connect import connect
    from corta.retrieval.knowledge_base import KnowledgeBase

    settings = Settings()
    knowledge_base = KnowledgeBase.load(settings.knowledge_base_dir())
    questions = [item.question for item in sample(load_qacp(args.docs), 40, seed=0)][: args.questions]
    load = os.getloadavg()[0]
    rows = []
    with connect(settings) as endpoint:
        llm = LLM(endpoint, timeout_s=settings.llm_timeout_s)
        for question in questions:
            result = Tutor(llm, knowledge_base).ask(question)
            passages = "\n\n".join(
                f"[{number}] {p.path}\n{p.text[:1200]}"
                for number, p in enumerate(knowledge_base.search(question, k=3), start=1)
            )
            started = time.perf_counter()
            llm.chat(
                prompts.EXPLAIN.format(
                    passages=f"Documentation passages:\n{passages}", history="", request=question
                ),
                system=prompts.SYSTEM.format(language=prompts.LANGUAGE_NAMES[detect_language(question)]),
                purpose="benchmark-draft",
                max_tokens=500,
            )
            rows.append(
                {
                    "tutor_seconds": round(result.seconds, 2),
                    "tutor_calls": result.calls,
                    "rounds": result.rounds,
                    "draft_seconds": round(time.perf_counter() - started, 2),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    tutor = statistics.median(row["tutor_seconds"] for row in rows)
    draft = statistics.median(row["draft_seconds"] for row in rows)
    report = {
        "command": f"python benchmarks/tutor_latency.py --questions {args.questions} --threads {args.threads}",
        "load_average_at_start": round(load, 2),
        "questions": len(rows),
        "tutor_p50_seconds": round(tutor, 2),
        "draft_p50_seconds": round(draft, 2),
        "ratio": round(tutor / draft, 2),
        "mean_calls": round(statistics.mean(row["tutor_calls"] for row in rows), 2),
        "rows": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "tutor_latency.json").write_text(json.dumps(report, indent=1) + "\n")
    (RESULTS / "tutor_latency.md").write_text(
        "# Tutor latency per answer\n\n"
        f"Command: `{report['command']}` (load average {report['load_average_at_start']} at the start).\n\n"
        "| measure | value |\n|---|---|\n"
        f"| tutor p50 (s) | {report['tutor_p50_seconds']} |\n"
        f"| one grounded draft call p50 (s) | {report['draft_p50_seconds']} |\n"
        f"| ratio tutor / draft | {report['ratio']} |\n"
        f"| mean LLM calls per answer | {report['mean_calls']} |\n"
        f"| questions | {report['questions']} |\n\n"
        "The target is a p50 of at most 60 s per answer on the embedded model.\n"
    )
    print(f"tutor p50 {tutor:.1f} s, one draft call p50 {draft:.1f} s, ratio {tutor / draft:.2f}")


if __name__ == "__main__":
    main()
