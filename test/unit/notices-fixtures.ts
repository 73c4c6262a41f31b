/** The notice policies and the failed source the notice tests share. */
import type { SourceState } from '../../core/model';
import type { NoticePolicy } from '../../core/notices';
import { state } from '../support/builders';

export const POLICY: NoticePolicy = { alertStatuses: ['FAILED'], remindAfterHours: 24, notifyRecoveries: true };
export const BOTH: NoticePolicy = { ...POLICY, alertStatuses: ['FAILED', 'OUTDATED'] };
export const STALENESS: NoticePolicy = { ...POLICY, staleAfterHours: 48 };

export const failed = (overrides: Partial<SourceState> = {}) =>
  state({ status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', ...overrides });
