import { describe, expect, it } from 'vitest';
import { renderDigest } from '../../core/digest';
import { consoleUrl, latestReportKey, reportKeys, s3Uri } from '../../core/report';
import { AGG, KEYS, digest, email, notice, only } from '../support/digests';

describe('the digest names the status report when reportBucket is set', () => {
  it('adds the s3:// URI and the console page of the latest report to every e-mail, and no presigned URL', () => {
    // Prepare
    const d = digest([notice('failure')]);

    // Act
    const text = email(only(renderDigest(d, { ...KEYS, report: { bucket: 'aggwatch-reports', region: 'eu-west-1' } })));

    // Assess
    expect(text).toContain(
      [
        '',
        'STATUS REPORT (map of every source by region; rewritten at each full sweep)',
        `  s3://aggwatch-reports/reports/${AGG}/latest.html`,
        `  Console: https://console.aws.amazon.com/s3/object/aggwatch-reports?region=eu-west-1&prefix=reports%2F${AGG}%2Flatest.html`,
        '',
      ].join('\n'),
    );
    expect(text).not.toMatch(/X-Amz-(Signature|Credential|Expires)/i);
  });

  it('says nothing of a report without reportBucket', () => {
    // Act
    const text = email(only(renderDigest(digest([notice('failure')]), KEYS)));

    // Assess
    expect(text).not.toContain('STATUS REPORT');
    expect(text).not.toContain('s3://');
  });
});

describe('report locations', () => {
  it('keys the latest and the dated copy under reports/<aggregator>/', () => {
    expect(reportKeys('org', '2026-11-24T12:00:59.123Z')).toStrictEqual({
      latest: 'reports/org/latest.html',
      dated: 'reports/org/20261124T120059Z.html',
    });
    expect(latestReportKey('org')).toBe('reports/org/latest.html');
    expect(s3Uri('b-1', 'reports/org/latest.html')).toBe('s3://b-1/reports/org/latest.html');
  });

  it.each([
    ['us-east-1', 'https://console.aws.amazon.com/s3/object/b-1?region=us-east-1&prefix=reports%2Fo%2Flatest.html'],
    ['ap-southeast-5', 'https://console.aws.amazon.com/s3/object/b-1?region=ap-southeast-5&prefix=reports%2Fo%2Flatest.html'],
    ['cn-north-1', 'https://console.amazonaws.cn/s3/object/b-1?region=cn-north-1&prefix=reports%2Fo%2Flatest.html'],
    ['us-gov-west-1', 'https://console.amazonaws-us-gov.com/s3/object/b-1?region=us-gov-west-1&prefix=reports%2Fo%2Flatest.html'],
    ['us-iso-east-1', undefined],
    [undefined, 'https://console.aws.amazon.com/s3/object/b-1?prefix=reports%2Fo%2Flatest.html'],
  ])('links the console of the partition of %s', (region, url) => {
    expect(consoleUrl({ bucket: 'b-1', ...(region ? { region } : {}) }, 'reports/o/latest.html')).toBe(url);
  });
});
