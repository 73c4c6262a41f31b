/**
 * Where the function writes an aggregator's status report (reportBucket), and how a digest names it: one definition
 * for the writer (adapters/report-writer.ts), the digest's link (core/digest/email.ts) and the stack's permission and
 * lifecycle rule (lib/), which all key off REPORT_PREFIX.
 */

/** The key prefix every report is written under: the function may put objects under it only. */
export const REPORT_PREFIX = 'reports/';

/** The bucket and the Region the links name (the function's Region: the console finds the bucket's from there). */
export interface ReportLink {
  readonly bucket: string;
  readonly region?: string;
}

/** The key of an aggregator's latest report, overwritten at each full sweep: the one the digest names. */
export function latestReportKey(aggregator: string): string {
  return `${REPORT_PREFIX}${aggregator}/latest.html`;
}

/** Where an aggregator's reports land: the latest, and the copy dated by the run's time. */
export function reportKeys(aggregator: string, runAt: string): { readonly latest: string; readonly dated: string } {
  const at = new Date(runAt);
  if (Number.isNaN(at.getTime())) throw new RangeError(`Invalid run time "${runAt}": expected an ISO date-time`);
  // ISO 8601 basic format, without colons (S3 lists ':' among the characters that may need special handling:
  // Amazon S3 User Guide, "Naming Amazon S3 objects").
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return { latest: latestReportKey(aggregator), dated: `${REPORT_PREFIX}${aggregator}/${stamp}.html` };
}

/** `s3://bucket/key`, as the AWS CLI takes it (`aws s3 cp s3://bucket/key report.html`). */
export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * The S3 console's page of an object. AWS documents no URL layout for its console: this is the one the console itself
 * shows for an object, a convenience beside the s3:// URI (which is what stays true). Its host follows the partition
 * of the Region (China and GovCloud have consoles of their own); none for a Region of another partition. Never a
 * presigned URL: those expire and grant access to whoever holds them, and an e-mail is forwarded and kept.
 */
export function consoleUrl(link: ReportLink, key: string): string | undefined {
  const region = link.region;
  const host =
    region === undefined || /^(us|eu|ap|ca|sa|me|af|il|mx)-[a-z]+-\d+$/.test(region) ? 'console.aws.amazon.com'
    : region.startsWith('cn-') ? 'console.amazonaws.cn'
    : region.startsWith('us-gov-') ? 'console.amazonaws-us-gov.com'
    : undefined;
  if (host === undefined) return undefined;
  const query = new URLSearchParams({ ...(region ? { region } : {}), prefix: key });
  return `https://${host}/s3/object/${encodeURIComponent(link.bucket)}?${query.toString()}`;
}
