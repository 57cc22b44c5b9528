"""Ranking metrics for training logs (the product's own metrics live in Swift's Evaluation)."""
import numpy as np
from scipy.stats import rankdata


def roc_auc(labels, scores) -> float:
    """Area under the ROC curve (1 = fake positive), ties counted half: the Mann-Whitney U."""
    labels, scores = np.asarray(labels) == 1, np.asarray(scores, dtype=np.float64)
    positives, negatives = int(labels.sum()), int((~labels).sum())
    if positives == 0 or negatives == 0:
        raise ValueError("AUC needs both classes")
    ranks = rankdata(scores)
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))
