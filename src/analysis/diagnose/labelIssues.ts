import { checkInputs } from "./confidentLearning.js";
import { type ConfidentLearningResult, findLabelIssues } from "./confidentLearningPrune.js";
import { type NeighbourRows, neighbourVote } from "./labelIssuesNeighbors.js";

/**
 * The review queue of `featurelens label-issues`: images whose given label is probably wrong, by
 * confident learning on out-of-sample probabilities (confidentLearningPrune.ts) and by their
 * neighbours in feature space disagreeing with it (labelIssuesNeighbors.ts), each with a suggested
 * label and a score to sort by. Typed arrays in and out, browser-safe.
 */

/** Why an image is in the queue: bits of {@link LabelIssueQueue.reason}. */
export const REASON = { confidentLearning: 1, neighbours: 2 } as const;

/** Options of {@link rankLabelIssues}; defaults in {@link LABEL_ISSUES_DEFAULTS}. */
export interface LabelIssuesOptions {
  /** "Neighbours disagree" when more than this share of an image's neighbours carry another label; it confirms confident learning. */
  disagree?: number;
  /** Neighbours flag an image on their own when at least this share carry another label and the network predicts another label too. */
  alone?: number;
  /** Passed to confident learning (see confidentLearningPrune.ts). */
  minExamplesPerClass?: number;
}

/**
 * The defaults: 10 neighbours; confident learning's flags kept when most of them (more than half)
 * carry another label; the neighbours alone flag an image when all of them do. NOTE: this rule
 * was chosen among a few on bench/labelIssues.ts with noise seed 1 and checked on noise seed 2
 * (BENCHMARKS.md, "Label issues").
 */
export const LABEL_ISSUES_DEFAULTS = { neighbours: 10, disagree: 0.5, alone: 1, minExamplesPerClass: 1 } as const;

/** What {@link rankLabelIssues} is given: N labels in 0..K−1, N×K out-of-sample probabilities, optionally each image's neighbours. */
export interface LabelIssuesInput {
  labels: Int32Array;
  probabilities: Float32Array;
  k: number;
  neighbours?: NeighbourRows;
}

/** The queue, most suspect first, as typed columns of the same length. */
export interface LabelIssueQueue {
  /** Row in the input. */
  row: Int32Array;
  given: Int32Array;
  suggested: Int32Array;
  /** In [0, 1]: 1 − the mean of p(given label) and the share of neighbours that agree with it (without neighbours: 1 − p(given)). */
  score: Float32Array;
  /** Bits of {@link REASON}. */
  reason: Uint8Array;
  /** p(given label), out of sample. */
  selfConfidence: Float32Array;
  /** Share of neighbours with another label; NaN without neighbours. */
  disagreement: Float32Array;
}

export interface LabelIssuesResult {
  queue: LabelIssueQueue;
  confident: ConfidentLearningResult;
  /** For every input row: its score, suggested label and reason bits (0: not in the queue). */
  all: { score: Float32Array; suggested: Int32Array; reason: Uint8Array };
}

/**
 * Scores every image, flags the probably mislabelled ones and sorts them by score (ties by row).
 * An image is flagged when confident learning flags it and its neighbours disagree (more than
 * `disagree` of them carry another label), or when (nearly) all its neighbours carry another label
 * (`alone`) and the network predicts another label too; without neighbours, confident learning
 * alone decides. The suggested label is the class other than the given one with the largest mean
 * of its probability and its neighbour share.
 * @example
 * const r = rankLabelIssues({ labels, probabilities, k: 10, neighbours: { k: 10, indices } });
 * // r.queue.row[0]: the most suspect row; r.queue.reason[0] & REASON.confidentLearning: whether confident learning flagged it
 */
export function rankLabelIssues(input: LabelIssuesInput, options: LabelIssuesOptions = {}): LabelIssuesResult {
  const { labels, probabilities, k } = input;
  checkInputs(labels, probabilities, k);
  const disagree = options.disagree ?? LABEL_ISSUES_DEFAULTS.disagree;
  const alone = options.alone ?? LABEL_ISSUES_DEFAULTS.alone;
  if (!(disagree >= 0 && disagree < 1)) throw new RangeError(`disagree must be in [0, 1), got ${disagree}`);
  if (!(alone > 0 && alone <= 1)) throw new RangeError(`alone must be in (0, 1], got ${alone}`);
  const confident = findLabelIssues(labels, probabilities, k, { minExamplesPerClass: options.minExamplesPerClass ?? LABEL_ISSUES_DEFAULTS.minExamplesPerClass });
  const vote = input.neighbours ? neighbourVote(labels, input.neighbours, k) : null;
  const n = labels.length;
  const score = new Float32Array(n);
  const suggested = new Int32Array(n);
  const reason = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    const p = probabilities.subarray(i * k, (i + 1) * k);
    const share = vote ? vote.shares.subarray(i * k, (i + 1) * k) : null;
    const support = (j: number) => (share ? (p[j] + share[j]) / 2 : p[j]);
    let best = y === 0 ? 1 : 0;
    for (let j = 0; j < k; j++) if (j !== y && support(j) > support(best)) best = j;
    suggested[i] = best;
    score[i] = 1 - support(y);
    if (!vote) {
      if (confident.issues[i]) reason[i] = REASON.confidentLearning;
      continue;
    }
    const d = vote.disagreement[i];
    if (confident.issues[i] && d > disagree + 1e-6) reason[i] = REASON.confidentLearning | REASON.neighbours;
    else if (d >= alone - 1e-6 && predictedOther(p, y)) reason[i] = REASON.neighbours;
  }
  const rows = Array.from({ length: n }, (_, i) => i).filter((i) => reason[i] !== 0).sort((a, b) => score[b] - score[a] || a - b);
  const queue: LabelIssueQueue = {
    row: Int32Array.from(rows),
    given: Int32Array.from(rows, (i) => labels[i]),
    suggested: Int32Array.from(rows, (i) => suggested[i]),
    score: Float32Array.from(rows, (i) => score[i]),
    reason: Uint8Array.from(rows, (i) => reason[i]),
    selfConfidence: Float32Array.from(rows, (i) => probabilities[i * k + labels[i]]),
    disagreement: Float32Array.from(rows, (i) => (vote ? vote.disagreement[i] : NaN)),
  };
  return { queue, confident, all: { score, suggested, reason } };
}

/** Whether the arg-max of a row of probabilities is another class than `y` (ties to the lowest class). */
function predictedOther(p: Float32Array, y: number): boolean {
  let best = 0;
  for (let j = 1; j < p.length; j++) if (p[j] > p[best]) best = j;
  return best !== y;
}

/**
 * The reason bits in words, as the queue's files write them.
 * @example reasonText(REASON.confidentLearning | REASON.neighbours) // "confident learning; neighbours disagree"
 */
export function reasonText(bits: number): string {
  const words: string[] = [];
  if (bits & REASON.confidentLearning) words.push("confident learning");
  if (bits & REASON.neighbours) words.push("neighbours disagree");
  return words.join("; ");
}
