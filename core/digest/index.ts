/** Rendering digests into SNS messages: what the function and the tests import (one concern per file behind it). */
export { renderDigest } from './render';
export {
  encodeAttributes,
  publishedBytes,
  type AttributeDataType,
  type EncodedAttribute,
  type HistoryKeyLayout,
  type MessageAttributes,
  type OutboundMessage,
  type RenderOptions,
} from './message';
export { FIELD_MAX, MAX_PARTS, PART_BUDGET_BYTES, SMS_MAX, SNS_MAX_BYTES, SUBJECT_MAX } from './limits';
export { hintFor, type HintScope } from './hints';
export { cutWithDots, oneLine, toAscii, toGsm7 } from './charset';
export { shellArg } from './commands';
export { duration } from './time-text';
