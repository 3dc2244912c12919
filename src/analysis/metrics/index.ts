// Every classification metric on plain typed arrays, checked against scikit-learn 1.2:
// `evaluate` for the whole report, and one function per stage or curve (see each module).
export { evaluate, EVALUATE_DEFAULTS } from "./evaluate.js";
export type { BinaryReport, EvaluateOptions, Evaluation, MetricsCurves, MetricsReport, SampleMetrics } from "./evaluate.js";
export { classificationReport } from "./classification.js";
export type { Averages, ClassificationReport, ClassMetrics } from "./classification.js";
export { argmaxRows, confusionMatrix, matrixRows, normalizeConfusion } from "./confusion.js";
export type { ConfusionNormalization } from "./confusion.js";
export { curvesFromSorted, precisionRecallCurve, rocCurve, trapezoid } from "./curves.js";
export type { BinaryCurves, CurveOptions, PrecisionRecallCurve, RocCurve } from "./curves.js";
export { classCurves, macroRocCurve, microCurves, rankingMetrics } from "./ranking.js";
export type { AveragedScore, MacroRocCurve, RankingMetrics, RankingOptions } from "./ranking.js";
export { LOG_LOSS_EPS, logLoss, sampleEntropy, sampleLosses, topKAccuracy } from "./loss.js";
export { calibration, CALIBRATION_BINS, CONFIDENCE_QUANTILES, confidenceStats } from "./calibration.js";
export type { Calibration, ConfidenceStats, ReliabilityBin } from "./calibration.js";
export { metricsAtThreshold, youdenThreshold } from "./binary.js";
export type { ThresholdMetrics, YoudenPoint } from "./binary.js";
export { predictionColumns } from "./predictions.js";
export type { PredictionColumns } from "./predictions.js";
export { sigmoid, softmax } from "./softmax.js";
export { sortScores } from "./sort.js";
export type { Scores } from "./sort.js";
export { checkLabels, checkNumClasses, checkProbabilities, probabilityColumns, ROW_SUM_TOLERANCE } from "./validate.js";
