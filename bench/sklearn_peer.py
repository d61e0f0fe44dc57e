"""The evaluation script a data scientist writes, as the peer `modelgate evaluate` is timed against.

    /usr/bin/python3 bench/sklearn_peer.py DATA.csv WEIGHTS.npz RESAMPLES [LABEL]

It reads the CSV with pandas (the label column is LABEL, default `y`; every other column is
a float feature, in file order), runs the MLP's forward pass in numpy from the weights in
the .npz (W1, b1, W2, b2, W3, b3: ReLU, ReLU, softmax), computes the binary metrics with
scikit-learn, then bootstraps accuracy and ROC AUC the usual way: RESAMPLES times, draw row
indices with `np.random.default_rng(seed).integers` and recompute both on those rows.

The last line printed is JSON with the time of each phase in seconds:
{"read_s", "forward_s", "metrics_s", "bootstrap_s", "total_s"}, plus the values and the
95% percentile intervals, so the two tools can be checked against each other.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    f1_score,
    log_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)


def main(argv):
    if len(argv) not in (4, 5):
        sys.exit(f"usage: {argv[0]} DATA.csv WEIGHTS.npz RESAMPLES [LABEL]")
    csv_path, npz_path, resamples = argv[1], argv[2], int(argv[3])
    label = argv[4] if len(argv) == 5 else "y"
    start = time.perf_counter()

    frame = pd.read_csv(csv_path)
    y = frame[label].to_numpy().astype(np.int64)
    x = frame.drop(columns=[label]).to_numpy(dtype=np.float32)
    read_done = time.perf_counter()

    w = np.load(npz_path)
    h1 = np.maximum(x @ w["W1"] + w["b1"], 0)
    h2 = np.maximum(h1 @ w["W2"] + w["b2"], 0)
    z = h2 @ w["W3"] + w["b3"]
    proba = np.exp(z - z.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    predicted = proba.argmax(axis=1)
    forward_done = time.perf_counter()

    score = proba[:, 1]
    metrics = {
        "accuracy": accuracy_score(y, predicted),
        "balanced_accuracy": balanced_accuracy_score(y, predicted),
        "precision": precision_score(y, predicted),
        "recall": recall_score(y, predicted),
        "f1": f1_score(y, predicted),
        "roc_auc": roc_auc_score(y, score),
        "average_precision": average_precision_score(y, score),
        "log_loss": log_loss(y, proba, eps=1e-15),
        "brier": brier_score_loss(y, score),
    }
    metrics_done = time.perf_counter()

    rng = np.random.default_rng(42)
    rows = len(y)
    accuracies = np.empty(resamples)
    aucs = np.empty(resamples)
    for b in range(resamples):
        idx = rng.integers(0, rows, rows)
        accuracies[b] = accuracy_score(y[idx], predicted[idx])
        aucs[b] = roc_auc_score(y[idx], score[idx])
    bootstrap_done = time.perf_counter()

    print(
        json.dumps(
            {
                "read_s": round(read_done - start, 3),
                "forward_s": round(forward_done - read_done, 3),
                "metrics_s": round(metrics_done - forward_done, 3),
                "bootstrap_s": round(bootstrap_done - metrics_done, 3),
                "total_s": round(bootstrap_done - start, 3),
                "rows": rows,
                "resamples": resamples,
                "metrics": {name: float(value) for name, value in metrics.items()},
                "ci": {
                    "accuracy": [float(v) for v in np.percentile(accuracies, [2.5, 97.5])],
                    "roc_auc": [float(v) for v in np.percentile(aucs, [2.5, 97.5])],
                },
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv)
