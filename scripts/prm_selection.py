"""Choose the PRM scorer's training settings on a validation split of the training problems, never the held-out ones.

`corta prm train` splits the gold problems into train and held out (seed 0); this script splits the train side again
(seed 1) into fit and validation problems, trains one setting on the fit problems and scores it on the validation
ones, and appends a row to docs/results/prm_selection.jsonl.

    .venv/bin/python scripts/prm_selection.py NAME MAX_LENGTH EPOCHS LEARNING_RATE FROZEN_LAYERS
"""

import json
import sys
import time
from pathlib import Path

import torch

from corta.commands.prm import DEFAULT_DATA, DEFAULT_MODELS
from corta.models.reward.evaluation import evaluate_prm
from corta.models.reward.scorer import ScorerPRM
from corta.models.reward.scorer_training import fit
from corta.models.reward.training_data import build_examples, load_gold_models, split_by_problem

ROWS = Path("docs/results/prm_selection.jsonl")


def main(name: str, max_length: str, epochs: str, learning_rate: str, frozen: str) -> None:
    """Train one setting on the fit problems, score it on the validation problems, append the row."""
    torch.set_num_threads(2)
    golds = load_gold_models(DEFAULT_MODELS, DEFAULT_DATA)
    train_ids, _ = split_by_problem([gold.id for gold in golds], seed=0)
    fit_ids, validation_ids = split_by_problem(train_ids, seed=1)
    validation = build_examples([gold for gold in golds if gold.id in validation_ids], 0, 3)
    examples = build_examples([gold for gold in golds if gold.id in fit_ids], 0, 3)
    scorer = ScorerPRM.untrained(int(max_length))
    started = time.perf_counter()
    losses = fit(scorer, examples, epochs=int(epochs), seed=0, learning_rate=float(learning_rate),
                 frozen_layers=int(frozen))  # fmt: skip
    metrics = evaluate_prm(scorer, validation)
    row = {
        "name": name, "max_length": int(max_length), "restated": False, "epochs": int(epochs),
        "lr": float(learning_rate), "frozen": int(frozen), "fit_problems": len(fit_ids),
        "val_problems": len(validation_ids), "val_prefixes": metrics.examples, "auc": round(metrics.roc_auc, 3),
        "by_level": {level: round(auc, 3) for level, auc in metrics.roc_auc_by_level.items()},
        "pairwise": round(metrics.pairwise_accuracy, 3), "losses": [round(loss, 3) for loss in losses],
        "seconds": round(time.perf_counter() - started),
    }  # fmt: skip
    print(json.dumps(row))
    with ROWS.open("a", encoding="utf-8") as rows:
        rows.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
