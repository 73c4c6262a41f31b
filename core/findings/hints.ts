/**
 * The remediation hints are the digest's (one table, one wording). This is the one line that knows where the
 * digest keeps them: core/digest.ts today, core/digest/index.ts once the digest is split by concern.
 */
export { hintFor, type HintScope } from '../digest';
