/** Rendering digests into SNS publications: what the function and the tests import (one concern per file behind it). */
export { renderDigest } from './render';
export {
  encodeAttributes,
  publishedBytes,
  type AttributeDataType,
  type DigestPart,
  type EncodedAttribute,
  type HistoryKeyLayout,
  type MessageAttributes,
  type Publication,
  type RenderOptions,
} from './message';
export {
  ATTRIBUTE,
  DELIVERY_FORMATS,
  DIGEST_JSON_SCHEMA,
  DIGEST_JSON_VERSION,
  FILTER_POLICIES,
  SEVERITIES,
  SMS_TEXT_MAX,
  TOPIC_DISPLAY_NAME,
  type DeliveryFormat,
  type Severity,
} from './formats';
export type { DigestJson, MonitorNoticeJson, OmittedJson, SourceNoticeJson } from './json-format';
export { FIELD_MAX, MAX_PARTS, PART_BUDGET_BYTES, SMS_MAX, SNS_MAX_BYTES, SUBJECT_MAX } from './limits';
export { hintFor, type HintScope } from './hints';
export { cutWithDots, oneLine, toAscii, toGsm7 } from './charset';
export { shellArg } from './commands';
export { duration } from './time-text';
