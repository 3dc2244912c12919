import { accuracySection, type EvaluationCharts, evaluationCharts } from "./accuracy.js";
import { compareSection } from "./compare.js";
import { confusionSection } from "./confusion.js";
import { diagnoseSection } from "./diagnose.js";
import { calibrationSection, rankingSection } from "./curves.js";
import { domainsSection } from "./domains.js";
import { featureSpaceSection } from "./featureSpace.js";
import { note } from "./html.js";
import { insideSection } from "./inside.js";
import { labelIssuesSection } from "./labelIssues.js";
import { renderPage } from "./page.js";
import { samplesSection } from "./samples.js";
import { shiftSection } from "./shift.js";
import { summarySection } from "./summary.js";
import { trainingSection } from "./training.js";
import type { ReportInput, Section } from "./types.js";

/**
 * The HTML report of a run as one string: the sections in reading order, each a question and its
 * answer. A section that fails (a damaged file that slipped through, a chart that cannot be drawn)
 * becomes a note saying so, and the others are still built.
 */

/** Section ids and titles, in the order they appear (compare and training only when they apply). */
export const REPORT_SECTIONS = [
  ["summary", "What is this model, and how good is it?"],
  ["compare", "How does it compare with …?"],
  ["accuracy", "How accurate is it, class by class?"],
  ["confusion", "Which classes does it confuse?"],
  ["ranking", "How well does it rank each class?"],
  ["calibration", "Can its confidence be trusted?"],
  ["feature-space", "Which classes separate in feature space?"],
  ["diagnose", "Which classes mix, and from which layer on do they separate?"],
  ["samples", "What do the images look like, and what does it call them?"],
  ["label-issues", "Which labels may be wrong?"],
  ["inside", "What does each layer see?"],
  ["training", "How did training go?"],
  ["domains", "How does it do on other data?"],
  ["shift", "What did the domain shift do?"],
] as const;

type SectionId = (typeof REPORT_SECTIONS)[number][0];

/** Builds one section; a failure becomes a note in that section. */
async function guarded(id: SectionId, build: () => Promise<Section | null> | Section | null, onStage?: (s: string) => void): Promise<Section | null> {
  onStage?.(`section ${id}`);
  try {
    return await build();
  } catch (err) {
    const title = REPORT_SECTIONS.find(([s]) => s === id)![1];
    return { id, title, html: note(`this part could not be drawn: ${(err as Error).message}`) };
  }
}

/** The page's HTML. */
export async function buildReportHtml(input: ReportInput, onStage?: (s: string) => void): Promise<string> {
  const run = input.run;
  let charts: EvaluationCharts | null = null;
  try {
    charts = "value" in run.evaluation ? evaluationCharts(run, run.evaluation.value) : null;
  } catch {
    charts = null;
  }
  const plan: [SectionId, () => Promise<Section | null> | Section | null][] = [
    ["summary", () => summarySection(run)],
    ["compare", () => (input.compare ? compareSection(run, input.compare) : null)],
    ["accuracy", () => accuracySection(run, charts)],
    ["confusion", () => confusionSection(run, charts)],
    ["ranking", () => rankingSection(run, charts)],
    ["calibration", () => calibrationSection(run, charts)],
    ["feature-space", () => featureSpaceSection(run)],
    ["diagnose", () => diagnoseSection(run)],
    ["samples", () => samplesSection(run)],
    ["label-issues", () => labelIssuesSection(run)],
    ["inside", () => insideSection(run)],
    ["training", () => trainingSection(run)],
    ["domains", () => domainsSection(run)],
    ["shift", () => shiftSection(run)],
  ];
  const sections: Section[] = [];
  for (const [id, build] of plan) {
    const s = await guarded(id, build, onStage);
    if (s) sections.push(s);
  }
  const data = run.record.data?.spec ?? "its data";
  return renderPage({
    title: `featurelens report: ${run.id}${input.compare ? ` and ${input.compare.b.id}` : ""}`,
    subtitle: `${run.model} on ${data}${input.compare ? `, compared with ${input.compare.b.id} (${input.compare.b.model})` : ""}`,
    meta: `made ${input.generated.replace("T", " ").slice(0, 16)} UTC by featurelens ${input.version}`,
    sections,
  });
}
