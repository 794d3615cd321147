"""Fine-tuning the scorer PRM on CPU: group-wise batches, a balanced cross-entropy plus a ranking term.

A wrong prefix differs from the correct one of the same problem and length by a detail (a sign, a number, a line),
so the batches keep such a group together and a pairwise ranking term (RankNet) puts each correct prefix above each
wrong one: the detail, not the problem, then carries the gradient. The cross-entropy (positives weighted by
negatives / positives) keeps the scores calibrated across problems. Prefixes wrong only through an earlier step are
left out: the scorer takes the running minimum over prefixes. The embeddings and the lowest layers stay frozen,
which cuts the cost of a step on CPU and keeps a few hundred examples from overfitting them.
"""

import random
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from corta.models.reward.scorer import ScorerPRM, pair_text
from corta.models.reward.training_data import StepExample


def training_groups(examples: Sequence[StepExample]) -> list[list[StepExample]]:
    """The examples that judge their newest step, grouped by problem and length, each group's correct prefixes first."""
    groups: dict[tuple[str, int], list[StepExample]] = defaultdict(list)
    for example in examples:
        if example.judges_newest_step:
            groups[(example.problem_id, len(example.steps))].append(example)
    return [sorted(group, key=lambda item: -item.label) for _, group in sorted(groups.items())]


def _batches(groups: list[list[StepExample]], batch_size: int) -> list[list[list[StepExample]]]:
    batches: list[list[list[StepExample]]] = [[]]
    for group in groups:
        if batches[-1] and sum(map(len, batches[-1])) + len(group) > batch_size:
            batches.append([])
        batches[-1].append(group)
    return [batch for batch in batches if batch]


def _freeze(scorer: ScorerPRM, frozen_layers: int) -> list[Any]:
    """Freeze the embeddings and the lowest `frozen_layers` layers; return the parameters left to train."""
    encoder = scorer.model[0].auto_model.base_model
    for parameter in scorer.model.parameters():
        parameter.requires_grad = True
    for module in [encoder.embeddings, *encoder.encoder.layer[:frozen_layers]]:
        for parameter in module.parameters():
            parameter.requires_grad = False
    return [parameter for parameter in scorer.model.parameters() if parameter.requires_grad]


def fit(
    scorer: ScorerPRM,
    examples: Sequence[StepExample],
    epochs: int = 3,
    seed: int = 0,
    batch_size: int = 8,
    learning_rate: float = 3e-4,
    frozen_layers: int = 3,
    progress: bool = False,
) -> list[float]:
    """Fine-tune `scorer` in place and record the run in `scorer.info`; return each epoch's mean loss (a progress
    bar over the examples when `progress`)."""
    import torch

    torch.manual_seed(seed)
    rng = random.Random(seed)
    groups = training_groups(examples)
    chosen = [example for group in groups for example in group]
    positives = sum(example.label >= 0.5 for example in chosen)
    trainable = _freeze(scorer, frozen_layers)
    cross_entropy = torch.nn.BCEWithLogitsLoss(
        pos_weight=torch.tensor((len(chosen) - positives) / max(1, positives))
    )
    optimizer = torch.optim.AdamW(trainable, lr=learning_rate, weight_decay=0.01)
    total = epochs * len(_batches(groups, batch_size))
    warmup = max(1, total // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup)))
    )
    losses = []
    started = time.perf_counter()
    scorer.model.train()
    columns = (TextColumn("training the PRM"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, TextColumn("{task.description}"), disable=not progress) as bar:
        task = bar.add_task("", total=epochs * len(chosen))
        for epoch in range(epochs):
            rng.shuffle(groups)
            epoch_loss = 0.0
            for batch in _batches(groups, batch_size):
                items = [example for group in batch for example in group]
                features = scorer.model.preprocess([(item.question, pair_text(item.steps)) for item in items])
                logits = scorer.model(features)["scores"].view(-1)
                labels = torch.tensor([item.label for item in items], dtype=logits.dtype)
                loss = cross_entropy(logits, labels) + _ranking_loss(logits, batch)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(trainable, 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
                epoch_loss += loss.item() * len(items)
                bar.update(
                    task,
                    advance=len(items),
                    description=f"epoch {epoch + 1}/{epochs}, loss {loss.item():.3f}",
                )
            losses.append(epoch_loss / len(chosen))
    scorer.model.eval()
    scorer.info |= {
        "epochs": epochs, "seed": seed, "batch_size": batch_size, "learning_rate": learning_rate,
        "frozen_layers": frozen_layers, "examples": len(chosen), "positives": positives,
        "epoch_losses": [round(loss, 4) for loss in losses], "train_seconds": round(time.perf_counter() - started, 1),
    }  # fmt: skip
    return losses


def _ranking_loss(logits: Any, batch: list[list[StepExample]]) -> Any:
    """Mean of softplus(wrong - correct) over the (correct, wrong) pairs within each group of the batch."""
    import torch.nn.functional

    terms = []
    offset = 0
    for group in batch:
        correct = sum(item.label >= 0.5 for item in group)
        if 0 < correct < len(group):
            scores = logits[offset : offset + len(group)]
            wrong_minus_correct = scores[correct:].unsqueeze(0) - scores[:correct].unsqueeze(1)
            terms.append(torch.nn.functional.softplus(wrong_minus_correct).view(-1))
        offset += len(group)
    return torch.cat(terms).mean() if terms else logits.sum() * 0.0
