"""The PRM scorer's step-level AUC over every gold problem by 4-fold cross-validation, for one training setting.

Ten held-out problems give an AUC that moves by a few hundredths with the split; four folds of ten score every one of
the 40 gold problems once, with a model that never trained on it. Appends a row to
docs/results/prm_cross_validation.jsonl.

    .venv/bin/python scripts/prm_cross_validation.py NAME MAX_LENGTH EPOCHS
"""

import json
import random
import sys
import time
from pathlib import Path

import torch

from corta.models.reward.evaluation import evaluate_prm, score_examples
from corta.models.reward.scorer import ScorerPRM
from corta.models.reward.scorer_training import fit
from corta.models.reward.training_data import build_examples, load_gold_models

ROWS = Path("docs/results/prm_cross_validation.jsonl")
FOLDS = 4


def main(name: str, max_length: str, epochs: str) -> None:
    """Train on three folds, score the fourth, four times; pool the scores and append the row."""
    torch.set_num_threads(2)
    golds = load_gold_models(Path("tests/fixtures/models"), Path("../shared/data/or"))
    ids = sorted(gold.id for gold in golds)
    random.Random(0).shuffle(ids)
    started = time.perf_counter()
    fold_aucs, pooled = [], []
    for fold in range(FOLDS):
        held = set(ids[fold::FOLDS])
        examples = build_examples([gold for gold in golds if gold.id not in held], 0, 3)
        scored = build_examples([gold for gold in golds if gold.id in held], 0, 3)
        scorer = ScorerPRM.untrained(int(max_length))
        fit(scorer, examples, epochs=int(epochs), seed=0)
        fold_aucs.append(round(evaluate_prm(scorer, scored).roc_auc, 3))
        pooled += zip(scored, score_examples(scorer, scored), strict=True)
    metrics = evaluate_prm(
        _Fixed(dict(((e.question, e.steps), s) for e, s in pooled)), [e for e, _ in pooled]
    )
    row = {
        "name": name, "max_length": int(max_length), "epochs": int(epochs), "problems": len(ids),
        "prefixes": metrics.examples, "pooled_auc": round(metrics.roc_auc, 3), "fold_aucs": fold_aucs,
        "by_level": {level: round(auc, 3) for level, auc in metrics.roc_auc_by_level.items()},
        "pairwise": round(metrics.pairwise_accuracy, 3), "seconds": round(time.perf_counter() - started),
    }  # fmt: skip
    print(json.dumps(row))
    with ROWS.open("a", encoding="utf-8") as rows:
        rows.write(json.dumps(row) + "\n")


class _Fixed:
    """Scores already computed, served as a PRM so `evaluate_prm` can pool the folds."""

    def __init__(self, scores: dict) -> None:
        self.scores = scores

    def score_steps(self, question: str, steps: list[str]) -> list[float]:
        return [self.scores[(question, tuple(steps[: i + 1]))] for i in range(len(steps))]


if __name__ == "__main__":
    main(*sys.argv[1:])
