/** The remediation hints are the digest's (one table, one wording): core/digest/hints.ts, through its barrel. */
export { hintFor, type HintScope } from '../digest';
