"""scikit-learn side of bench/metrics.ts: the same report as featurelens `evaluate` (confusion
matrix, classification report, per-class counts and specificity, accuracy, balanced and top-k
accuracy, log loss and per-sample losses, entropy, reliability bins and ECE, confidence
statistics, ROC and precision-recall curves per class with AUC and AP, micro ROC curve, AUC and AP,
macro ROC curve) on the arrays bench/metrics.ts wrote. Each curve is computed once and its AUC or
AP derived from it, the fastest way to get all of them from scikit-learn's public API. Prints JSON
{"seconds": median of R runs, "stages": seconds per stage of the last run, "values": headline
numbers for the cross-check}.

    /usr/bin/python3 bench/sklearn_metrics.py LABELS.npy PROBS.npy REPEATS
"""
import json
import sys
import time

import numpy as np
from scipy.special import entr
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    auc,
    average_precision_score,
    balanced_accuracy_score,
    classification_report,
    confusion_matrix,
    log_loss,
    multilabel_confusion_matrix,
    precision_recall_curve,
    roc_curve,
    top_k_accuracy_score,
)
from sklearn.preprocessing import label_binarize

BINS = 15
EPS = 1e-15


def evaluate(y, P, stages):
    n, K = P.shape
    labels = np.arange(K)
    out = {}
    t = time.perf_counter()

    def stage(name):
        nonlocal t
        now = time.perf_counter()
        stages[name] = now - t
        t = now

    pred = P.argmax(axis=1)
    conf = P.max(axis=1).astype(np.float64)
    correct = pred == y
    out["confusion"] = confusion_matrix(y, pred, labels=labels)
    out["report"] = classification_report(y, pred, labels=labels, output_dict=True, zero_division=0)
    mcm = multilabel_confusion_matrix(y, pred, labels=labels)
    tn, fp = mcm[:, 0, 0], mcm[:, 0, 1]
    out["specificity"] = tn / np.maximum(tn + fp, 1)
    out["accuracy"] = accuracy_score(y, pred)
    out["balanced_accuracy"] = balanced_accuracy_score(y, pred)
    stage("classification")

    out["top_k"] = {k: top_k_accuracy_score(y, P, k=k, labels=labels) for k in (1, 3, 5) if k < K}
    stage("top-k")
    out["log_loss"] = log_loss(y, P, eps=EPS, labels=labels)
    clipped = np.clip(P, EPS, 1 - EPS)
    out["per_sample_loss"] = -np.log(clipped[np.arange(n), y] / clipped.sum(axis=1))
    out["entropy"] = entr(P).sum(axis=1)
    stage("loss, entropy")

    acc, mean_conf = calibration_curve(correct, conf, n_bins=BINS)
    counts = np.bincount(np.searchsorted(np.linspace(0, 1, BINS + 1)[1:-1], conf), minlength=BINS)
    out["ece"] = float(np.sum(counts[counts > 0] / n * np.abs(acc - mean_conf)))
    out["confidence"] = [conf.mean(), conf.std(), np.quantile(conf, [0.05, 0.25, 0.5, 0.75, 0.95])]
    stage("calibration")

    Y = label_binarize(y, classes=labels)
    rocs, aucs, aps, prs = [], [], [], []
    for k in range(K):
        fpr, tpr, thr = roc_curve(Y[:, k], P[:, k])
        rocs.append((fpr, tpr, thr))
        aucs.append(auc(fpr, tpr))
        precision, recall, thr = precision_recall_curve(Y[:, k], P[:, k])
        prs.append((precision, recall, thr))
        aps.append(-np.sum(np.diff(recall) * precision[:-1]))  # average_precision_score from the curve
    support = Y.sum(axis=0)
    out["auc_macro"], out["auc_weighted"] = np.mean(aucs), np.average(aucs, weights=support)
    out["ap_macro"] = np.mean(aps)
    stage("per-class curves")

    fpr, tpr, thr = roc_curve(Y.ravel(), P.ravel())
    out["auc_micro"] = auc(fpr, tpr)
    out["ap_micro"] = average_precision_score(Y, P, average="micro")
    stage("micro ROC, AUC, AP")

    all_fpr = np.unique(np.concatenate([r[0] for r in rocs]))
    mean_tpr = np.zeros_like(all_fpr)
    for r in rocs:
        mean_tpr += np.interp(all_fpr, r[0], r[1])
    mean_tpr /= K
    out["macro_curve_auc"] = auc(all_fpr, mean_tpr)
    stage("macro ROC curve")
    return out


def main():
    y = np.load(sys.argv[1]).astype(np.int64)
    P = np.load(sys.argv[2])
    repeats = int(sys.argv[3])
    times, stages = [], {}
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = evaluate(y, P, stages)
        times.append(time.perf_counter() - t0)
    values = {
        "accuracy": out["accuracy"],
        "balanced_accuracy": out["balanced_accuracy"],
        "macro_f1": out["report"]["macro avg"]["f1-score"],
        "top_3": out["top_k"].get(3, float("nan")),
        "log_loss": out["log_loss"],
        "ece": out["ece"],
        "roc_auc_macro": out["auc_macro"],
        "roc_auc_micro": out["auc_micro"],
        "ap_macro": out["ap_macro"],
        "ap_micro": out["ap_micro"],
        "macro_curve_auc": out["macro_curve_auc"],
    }
    print(json.dumps({"seconds": sorted(times)[len(times) // 2], "stages": stages, "values": {k: float(v) for k, v in values.items()}}))


if __name__ == "__main__":
    main()
