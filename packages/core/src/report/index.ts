/**
 * The markdown report that reviewers read on every pull request (the sticky PR comment and the
 * job summary): the verdict, the metric table, slices, the confusion-matrix diff, the metric
 * history chart and the provenance, kept under GitHub's comment size limit.
 */
export { MAX_HISTORY_CHARTS, MAX_HISTORY_POINTS } from './chart.ts';
export { workspacePath } from './paths.ts';
export type { Provenance } from './provenance.ts';
export { MAX_REPORT_CHARS, type ReportInput, renderReport, reportHeadline, reportMarker } from './report.ts';
