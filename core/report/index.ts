/** The status report: its model (built from the table's contents) and its self-contained HTML page. */
export { buildReportModel, cellStatus, type AggregatorInput, type ReportInput } from './build';
export { renderReportHtml, CONTENT_SECURITY_POLICY } from './html';
export * from './model';
export { REPORT_PREFIX, consoleUrl, latestReportKey, reportKeys, s3Uri, type ReportLink } from './location';
