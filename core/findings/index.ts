/**
 * The monitor's findings in the formats security teams already use: EventBridge events, Security Hub CSPM findings
 * (ASFF) and chat notifications (Amazon Q Developer in chat applications). Pure: what to send, within each
 * service's published limits; the adapters send it and report what was accepted.
 */
export { decideErrorCodeChanges, noticesOf, type DeliveredErrorCode, type ErrorCodeChange, type Notice } from './changes';
export { DETAIL_SCHEMA_VERSION, DETAIL_TYPES, EVENT_SOURCE, type DetailType } from './event-contract';
// The zod schemas of `detail` (validation, the published JSON Schema) are imported from './event-schema' itself by
// the tests and the schema writer: through this barrel they would put zod into the function's bundle.
export type { EventDetail, MonitorEventDetail, SourceEventDetail } from './event-schema';
export {
  PUT_EVENTS_MAX_BYTES,
  PUT_EVENTS_MAX_ENTRIES,
  EventTooLargeError,
  batchEvents,
  buildEvents,
  entrySize,
  type EventEntry,
  type EventsInput,
  type PutEventsEntry,
} from './events';
export {
  ASFF_SCHEMA_VERSION,
  FINDING_TYPE,
  GENERATOR_ID,
  MAX_FINDINGS_PER_CALL,
  SEVERITY_BY_CONDITION,
  FindingsInputError,
  batchFindings,
  buildFindings,
  defaultProductArn,
  findingId,
  type AsffFinding,
  type AsffResource,
  type FindingEntry,
  type FindingsContext,
} from './asff';
export { renderChatNotification, type ChatMessage, type ChatNotification } from './chat';
export { noticeId } from './ids';
