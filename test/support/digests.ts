/** Digests to render, and ways to read what rendering produced: shared by the digest, json and wire tests. */
import { expect } from 'vitest';
import type { DeliveryFormat, DigestPart, Publication } from '../../core/digest';
import type { SourceState } from '../../core/model';
import type { Digest, MonitorNotice, SourceNotice } from '../../core/notices';
import { HISTORY_KEY_LAYOUT } from '../../adapters/store/table-schema';

export const AT = '2025-03-04T12:00:00.000Z';
export const AGG = 'org-agg';
/** What the function passes: the store's key layout, shown in the e-mail. */
export const KEYS = { historyKeys: HISTORY_KEY_LAYOUT } as const;

export function state(overrides: Partial<SourceState> = {}): SourceState {
  return {
    aggregator: AGG,
    sourceId: '111111111111',
    sourceType: 'ACCOUNT',
    region: 'eu-west-1',
    status: 'FAILED',
    lastUpdateTime: '2025-03-04T08:55:00.000Z',
    errorCode: 'AUTHORIZATION_NOT_FOUND',
    errorMessage: 'The source account has not authorized the aggregator account.',
    firstSeenAt: '2025-01-01T00:00:00.000Z',
    since: '2025-03-04T09:00:00.000Z',
    ...overrides,
  };
}

export function notice(kind: SourceNotice['kind'], overrides: Partial<SourceState> = {}, extra: Partial<SourceNotice> = {}): SourceNotice {
  return { kind, state: state(overrides), condition: 'FAILED', removed: false, ...extra };
}

export function digest(sources: SourceNotice[], monitor?: MonitorNotice): Digest {
  return { aggregator: AGG, at: AT, sources, ...(monitor ? { monitor } : {}) };
}

export const monitorError: MonitorNotice = {
  kind: 'monitor-error',
  code: 'NoSuchConfigurationAggregatorException',
  message: 'The configuration aggregator does not exist.',
  since: '2025-03-04T09:00:00.000Z',
  reminder: false,
};

export function only(parts: DigestPart[]): DigestPart {
  expect(parts).toHaveLength(1);
  return parts[0] as DigestPart;
}

/** The part's publication in a format (failing the test when it has none). */
export function format(part: DigestPart, f: DeliveryFormat): Publication {
  const found = part.publications.filter((p) => p.format === f);
  expect(found, `${f} publications in part ${part.part}`).toHaveLength(1);
  return found[0] as Publication;
}

export const email = (part: DigestPart): string => format(part, 'email').message;
export const sms = (part: DigestPart): string => format(part, 'sms').message;
export const formats = (part: DigestPart): DeliveryFormat[] => part.publications.map((p) => p.format);

export const GSM7_BASIC_ASCII = /^[A-Za-z0-9 @$_!"#%&'()*+,\-./:;<=>?]*$/;
export const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
