#!/usr/bin/env python3
"""Trains the digits classifier that kinfer's DigitsClassifier runs, and writes its weights as JSON.

Uses scikit-learn's bundled 8x8 digits set (1797 images, 64 features 0..16; no download), a stratified 80/20 split
with a fixed seed, and a multinomial logistic regression on the raw features. Writes:

  Sources/InferenceModels/Resources/digits-model.json  weights [10][64], intercepts [10], labels, accuracies
  Sources/InferenceModels/Resources/digits-test.json   the held-out features (integers) and true labels

The Swift model computes softmax(W x + b) on the raw features, so no scaling is applied here; `feature_scale` is
recorded as 1 to say so. Weights are rounded to 6 significant digits; the script checks that the rounded model still
predicts every held-out image exactly as the unrounded one does.

Usage (from the repository root):
  python3 -m venv .venv && .venv/bin/pip install scikit-learn
  .venv/bin/python scripts/train_digits.py [--joblib /tmp/model.joblib]
"""

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

VERSION = "digits-lr-1"
SEED = 20261129
HELD_OUT_FRACTION = 0.2
RESOURCES = Path(__file__).resolve().parent.parent / "Sources" / "InferenceModels" / "Resources"


def significant(value: float, digits: int = 6) -> float:
    return float(f"{value:.{digits}g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--joblib", type=Path, help="also save the fitted scikit-learn model here (e.g. for MLServer)")
    parser.add_argument("--output-dir", type=Path, default=RESOURCES, help="where to write the JSON files")
    arguments = parser.parse_args()

    digits = load_digits()
    features, labels = digits.data, digits.target
    train_x, test_x, train_y, test_y = train_test_split(
        features, labels, test_size=HELD_OUT_FRACTION, stratify=labels, random_state=SEED
    )
    # lbfgs fits the multinomial (softmax) loss for multi-class targets.
    model = LogisticRegression(C=0.1, max_iter=5000, random_state=SEED)
    model.fit(train_x, train_y)

    weights = [[significant(w) for w in row] for row in model.coef_]
    intercepts = [significant(b) for b in model.intercept_]
    rounded_scores = test_x @ np.array(weights).T + np.array(intercepts)
    rounded_predictions = model.classes_[rounded_scores.argmax(axis=1)]
    if not np.array_equal(rounded_predictions, model.predict(test_x)):
        raise SystemExit("rounding the weights changed a held-out prediction; keep more digits")

    training_accuracy = float(model.score(train_x, train_y))
    held_out_accuracy = float(model.score(test_x, test_y))
    model_document = {
        "version": VERSION,
        "description": "Multinomial logistic regression on scikit-learn's 8x8 digits; "
        "probabilities = softmax(weights . (features * feature_scale) + intercepts).",
        "labels": [str(label) for label in model.classes_],
        "input_length": int(features.shape[1]),
        "feature_scale": 1.0,
        "weights": weights,
        "intercepts": intercepts,
        "training_accuracy": round(training_accuracy, 4),
        "held_out_accuracy": round(held_out_accuracy, 4),
        "training_samples": int(len(train_y)),
        "held_out_samples": int(len(test_y)),
        "seed": SEED,
    }
    test_document = {
        "version": VERSION,
        "features": [[int(value) for value in row] for row in test_x],
        "labels": [str(label) for label in test_y],
    }

    arguments.output_dir.mkdir(parents=True, exist_ok=True)
    with open(arguments.output_dir / "digits-model.json", "w") as file:
        json.dump(model_document, file, separators=(",", ":"))
        file.write("\n")
    with open(arguments.output_dir / "digits-test.json", "w") as file:
        json.dump(test_document, file, separators=(",", ":"))
        file.write("\n")
    if arguments.joblib:
        import joblib

        joblib.dump(model, arguments.joblib)

    print(f"{VERSION}: training accuracy {training_accuracy:.4f}, held-out accuracy {held_out_accuracy:.4f} "
          f"({len(test_y)} images)")


if __name__ == "__main__":
    main()
