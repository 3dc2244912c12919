"""Oracle for src/analysis/metrics: scikit-learn 1.2's answers on small seeded inputs, written as
JSON fixtures to src/analysis/metrics/fixtures/ (NaN written as null).

    apt-get install python3-sklearn
    /usr/bin/python3 scripts/make-metrics-fixtures.py

Each fixture holds the inputs (labels, row-major probabilities, number of classes, whether the
probabilities are one column P(class 1) of a binary problem, their dtype) and what scikit-learn
returns for them: confusion_matrix (each normalize), precision_recall_fscore_support (each
average), multilabel_confusion_matrix, classification_report(output_dict=True), accuracy and
balanced accuracy, top_k_accuracy_score, log_loss, roc_curve / roc_auc_score per class (one vs
rest), micro (on the binarised labels, ravelled) and macro, precision_recall_curve and
average_precision_score per class, macro and micro, calibration_curve, plus the warnings it
raised. Where scikit-learn raises instead of answering (ovr ROC AUC with a class absent from the
labels, or two columns of a binary problem) the expected value is the mean over the classes where
roc_auc_score is defined, which is what featurelens reports.
"""
import json
import os
import warnings

import numpy as np
from scipy.special import xlogy
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    log_loss,
    multilabel_confusion_matrix,
    precision_recall_curve,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
    top_k_accuracy_score,
    auc,
)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "analysis", "metrics", "fixtures")
BINS = 15
EPS = 1e-15
QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95]


def clean(x):
    """Plain JSON: arrays as lists, NaN as None, numpy scalars as Python numbers."""
    if isinstance(x, dict):
        return {str(k): clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return clean(x.tolist())
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return None if np.isnan(x) else x
    if isinstance(x, (np.integer,)):
        return int(x)
    return x


def caught(f, *args, **kwargs):
    """f(...) and the messages of the warnings it raised."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = f(*args, **kwargs)
    return out, [str(m.message) for m in w]


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def classification(y, pred, K):
    labels = list(range(K))
    out, warned = {}, []
    out["confusion"] = {str(m): confusion_matrix(y, pred, labels=labels, normalize=m) for m in [None, "true", "pred", "all"]}
    (p, r, f, s), w = caught(precision_recall_fscore_support, y, pred, labels=labels, average=None)
    warned += w
    out["per_class"] = {"precision": p, "recall": r, "f1": f, "support": s}
    for avg in ["micro", "macro", "weighted"]:
        p, r, f, _ = caught(precision_recall_fscore_support, y, pred, labels=labels, average=avg)[0]
        out[avg] = {"precision": p, "recall": r, "f1": f}
    mcm = multilabel_confusion_matrix(y, pred, labels=labels)
    tn, fp, fn, tp = mcm[:, 0, 0], mcm[:, 0, 1], mcm[:, 1, 0], mcm[:, 1, 1]
    out["counts"] = {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
    with np.errstate(divide="ignore", invalid="ignore"):
        out["specificity"] = np.where(tn + fp > 0, tn / np.maximum(tn + fp, 1), 0.0)
    out["report"] = caught(classification_report, y, pred, labels=labels, output_dict=True)[0]
    out["accuracy"] = accuracy_score(y, pred)
    out["balanced_accuracy"], w = caught(balanced_accuracy_score, y, pred)
    warned += w
    return out, warned


def ranking(y, P, K):
    """Per-class ROC and PR curves (one vs rest), micro and macro."""
    Y = np.eye(K, dtype=int)[y]
    out, warned = {"roc": [], "pr": []}, []
    for k in range(K):
        (fpr, tpr, thr), w = caught(roc_curve, Y[:, k], P[:, k])
        warned += w
        defined = 0 < Y[:, k].sum() < len(y)
        out["roc"].append({"fpr": fpr, "tpr": tpr, "thresholds": thr, "auc": roc_auc_score(Y[:, k], P[:, k]) if defined else np.nan})
        (prec, rec, thr), w = caught(precision_recall_curve, Y[:, k], P[:, k])
        warned += w
        ap = caught(average_precision_score, Y[:, k], P[:, k])[0]
        out["pr"].append({"precision": prec, "recall": rec, "thresholds": thr, "average_precision": ap})
    aucs = np.array([c["auc"] for c in out["roc"]])
    ok = ~np.isnan(aucs)
    if ok.all() and K > 2:
        out["auc_macro"] = roc_auc_score(y, P, multi_class="ovr", average="macro", labels=list(range(K)))
        out["auc_weighted"] = roc_auc_score(y, P, multi_class="ovr", average="weighted", labels=list(range(K)))
    else:
        out["auc_macro"] = aucs[ok].mean()
        out["auc_weighted"] = np.average(aucs[ok], weights=Y.sum(axis=0)[ok])
    fpr, tpr, thr = roc_curve(Y.ravel(), P.ravel())
    out["micro"] = {"fpr": fpr, "tpr": tpr, "thresholds": thr, "auc": roc_auc_score(Y, P, average="micro")}
    all_fpr = np.unique(np.concatenate([out["roc"][k]["fpr"] for k in range(K) if ok[k]]))
    mean_tpr = np.zeros_like(all_fpr)
    for k in range(K):
        if ok[k]:
            mean_tpr += np.interp(all_fpr, out["roc"][k]["fpr"], out["roc"][k]["tpr"])
    mean_tpr /= ok.sum()
    out["macro_curve"] = {"fpr": all_fpr, "tpr": mean_tpr, "auc": auc(all_fpr, mean_tpr)}
    out["ap_macro"] = caught(average_precision_score, Y, P, average="macro")[0]
    out["ap_micro"] = average_precision_score(Y, P, average="micro")
    return out, warned


def calibration(y, P):
    conf = P.max(axis=1).astype(np.float64)
    correct = (P.argmax(axis=1) == y).astype(int)
    binids = np.searchsorted(np.linspace(0.0, 1.0, BINS + 1)[1:-1], conf)
    counts = np.bincount(binids, minlength=BINS)
    acc, mean_conf = calibration_curve(correct, conf, n_bins=BINS)
    ece = float(np.sum(counts[counts > 0] / len(y) * np.abs(acc - mean_conf)))
    stats = {
        "mean": conf.mean(),
        "std": conf.std(),
        "min": conf.min(),
        "max": conf.max(),
        "quantiles": np.quantile(conf, QUANTILES),
        "mean_correct": conf[correct == 1].mean() if correct.any() else np.nan,
        "mean_incorrect": conf[correct == 0].mean() if (correct == 0).any() else np.nan,
    }
    return {"counts": counts, "accuracy": acc, "confidence": mean_conf, "ece": ece, "confidence_stats": stats}


def losses(y, probs, K, one_column):
    """log_loss and the per-sample losses it averages (its clipping and row renormalisation)."""
    p64 = probs.astype(np.float64)
    total = log_loss(y, p64, eps=EPS, labels=list(range(K)), normalize=False)
    mean = log_loss(y, p64, eps=EPS, labels=list(range(K)))
    pc = np.clip(p64, EPS, 1 - EPS)
    if one_column:
        pc = np.c_[1 - pc, pc]
    pc = pc / pc.sum(axis=1)[:, None]
    per = -np.log(pc[np.arange(len(y)), y])
    assert np.isclose(per.sum(), total, rtol=1e-12)
    return {"log_loss": mean, "log_loss_sum": total, "per_sample": per}


def binary(y, s):
    """ROC of P(class 1), the Youden threshold and metrics at a threshold (score >= t is positive)."""
    fpr, tpr, thr = roc_curve(y, s)
    i = int(np.argmax(tpr - fpr))
    out = {"auc": roc_auc_score(y, s), "youden": {"threshold": thr[i], "tpr": tpr[i], "fpr": fpr[i], "j": tpr[i] - fpr[i]}}
    for name, t in [("at_0.5", 0.5), ("at_youden", thr[i])]:
        pred = (s >= t).astype(int)
        tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
        out[name] = {
            "threshold": t, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": precision_score(y, pred, zero_division=0),
            "recall": recall_score(y, pred, zero_division=0),
            "f1": f1_score(y, pred, zero_division=0),
            "accuracy": accuracy_score(y, pred),
            "specificity": tn / (tn + fp) if tn + fp else 0.0,
        }
    return out


def fixture(name, y, probs, K, one_column=False, note=""):
    y = np.asarray(y, dtype=np.int64)
    P = np.c_[1 - probs, probs] if one_column else probs  # numpy keeps the dtype: float32 stays float32
    pred = P.argmax(axis=1)
    cls, w1 = classification(y, pred, K)
    rank, w2 = ranking(y, P, K)
    scores = probs if one_column else (P[:, 1] if K == 2 else P)
    topk = {str(k): top_k_accuracy_score(y, scores, k=k, labels=list(range(K))) for k in range(1, K)}
    p64 = P.astype(np.float64)
    expected = {
        **cls,
        "top_k": topk,
        **losses(y, probs, K, one_column),
        "entropy": -np.sum(xlogy(p64, p64), axis=1),
        "calibration": calibration(y, P),
        "ranking": rank,
        "sklearn_warnings": sorted(set(w1 + w2)),
    }
    if K == 2:
        expected["binary"] = binary(y, P[:, 1])
    doc = {
        "name": name,
        "note": note,
        "num_classes": K,
        "one_column": one_column,
        "dtype": str(probs.dtype),
        "labels": y,
        "probs": probs.ravel(),
        "expected": expected,
    }
    path = os.path.join(OUT, f"{name}.json")
    with open(path, "w") as f:
        json.dump(clean(doc), f, separators=(",", ":"), allow_nan=False)
    print(f"{path}: {os.path.getsize(path) / 1024:.1f} KB")


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.RandomState(20240601)

    n = 100
    y = rng.randint(0, 2, n)
    p = 1 / (1 + np.exp(-(1.5 * (2 * y - 1) + rng.randn(n) * 1.5)))
    fixture("binary-one-column", y, p, 2, one_column=True, note="sigmoid outputs, one column P(class 1)")

    y = rng.randint(0, 2, n)
    p = 1 / (1 + np.exp(-((2 * y - 1) + rng.randn(n) * 1.2)))
    fixture("binary-two-columns", y, np.c_[1 - p, p], 2, note="two softmax columns")

    n, K = 120, 5
    y = rng.randint(0, K, n)
    z = rng.randn(n, K) * 1.5
    z[np.arange(n), y] += 1.5
    fixture("multiclass", y, softmax(z), K, note="5 classes, informative logits")

    n, K = 100, 4
    y = rng.randint(0, K, n)
    z = rng.randn(n, K)
    z[np.arange(n), y] += 1.0
    z[:, 2] -= 6.0
    fixture("never-predicted", y, softmax(z), K, note="class 2 is never the argmax: precision 0 + warning")

    y = rng.randint(0, 3, n)
    z = rng.randn(n, K)
    z[np.arange(n), y] += 1.0
    fixture("absent-class", y, softmax(z), K, note="class 3 never in the labels but predicted: recall 0, ROC AUC NaN")

    n, K = 150, 3
    rows = np.array([[0.6, 0.2, 0.2], [0.5, 0.25, 0.25], [0.4, 0.4, 0.2], [0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    base = rows[rng.randint(0, len(rows), n)]
    P = np.array([b[rng.permutation(K)] for b in base])
    y = rng.randint(0, K, n)
    fixture("tied-scores", y, P, K, note="few distinct scores: tied thresholds, tied argmax and top-k")

    n, K = 45, 3
    y = rng.randint(0, K, n)
    fixture("perfect", y, np.eye(K)[y], K, note="one-hot probabilities equal to the labels: clipping in log_loss, 0 log 0")

    n, K = 80, 4
    y = rng.randint(0, K, n)
    P = rng.dirichlet(np.ones(K), n).astype(np.float32)
    fixture("random-float32", y, P, K, note="float32 probabilities independent of the labels")


if __name__ == "__main__":
    main()
