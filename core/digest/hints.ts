/**
 * Remediation hints: what to do about an error code.
 *
 * AWS publishes no list of LastErrorCode values (the API reference types it as a plain string), so entries match
 * loosely: case-insensitive, separators and an Exception/Error suffix ignored, on the words a code is made of. The causes are the documented ones:
 * - Config developer guide, "Authorizing aggregator accounts": an ACCOUNT source needs an authorization for the
 *   aggregator account and region in each source region (PutAggregationAuthorization); aggregators do not enable
 *   AWS Config in a source account or region.
 * - Config API reference, PutConfigurationAggregator and OrganizationAggregationSource: an ORGANIZATION source needs
 *   the management account or a registered delegated administrator, all features enabled, and an IAM role (RoleArn)
 *   to read the organization (AWS managed policy AWSConfigRoleForOrganizations).
 * - Config API exceptions OrganizationAccessDeniedException, NoAvailableOrganizationException,
 *   OrganizationAllFeaturesNotEnabledException, InvalidRoleException, NoSuchConfigurationAggregatorException.
 * - Opt-in regions are disabled until an account enables them (Account Management guide).
 * An entry that matches but has no text for the source type (or for the monitor) falls through to the next one.
 */

interface Hint {
  readonly match: RegExp;
  readonly account?: string;
  readonly organization?: string;
  /** For a monitor notice (the aggregator itself could not be read). */
  readonly monitor?: string;
}

const ORG_SETUP =
  'The aggregator account must be the management account or a delegated administrator registered for ' +
  'config.amazonaws.com, the organization must have all features enabled, and the role in the aggregator ' +
  '(RoleArn) must trust config.amazonaws.com and carry the AWSConfigRoleForOrganizations policy.';
const REGION =
  'The region is not enabled in the source account (opt-in region): enable it (aws account enable-region) or ' +
  'remove it from the aggregator regions.';
const CONFIG_OFF =
  'AWS Config is not recording in the source account and region; aggregators do not enable it. Start a ' +
  'configuration recorder there, or remove the region from the aggregator.';
const STALE_HINT =
  'The source reports SUCCEEDED but has not updated for longer than the stale threshold: check that AWS Config ' +
  'still records there and that the aggregation is intact.';
const OUTDATED_HINT =
  'AWS Config reports the aggregated data as not the most recent. Usually transient; if it lasts, check the ' +
  'source recorder and its authorization or role.';

const HINTS: readonly Hint[] = [
  {
    match: /ALLFEATURES/,
    organization: 'Enable all features in AWS Organizations (aws organizations enable-all-features), not only consolidated billing.',
  },
  {
    match: /NOAVAILABLEORGANI[SZ]ATION|ORGANI[SZ]ATIONNOTFOUND/,
    organization: 'The organization is no longer available to the aggregator account (it left the organization or the organization was deleted): recreate the aggregator from the management account or a delegated administrator.',
  },
  {
    match: /ORGANI[SZ]ATIONACCESSDENIED/,
    organization: `The management account or delegated administrator changed, or the aggregator belongs to a previous organization: delete and recreate the aggregator. ${ORG_SETUP}`,
  },
  {
    match: /INVALIDROLE|ROLENOT|ROLEDOES|ROLEMISSING|NOROLE|ASSUMEROLE/,
    organization: 'The role in the aggregator (RoleArn) is missing or cannot be assumed: restore it with a trust policy for config.amazonaws.com and the AWSConfigRoleForOrganizations policy, or point the aggregator at a valid role.',
  },
  { match: /REGIONNOT|REGIONDISABLED|OPTIN|NOTENABLEDREGION/, account: REGION, organization: REGION },
  { match: /RECORDER|CONFIGNOTENABLED|CONFIGDISABLED|NOTRECORDING/, account: CONFIG_OFF, organization: CONFIG_OFF },
  {
    match: /NOSUCHCONFIGURATIONAGGREGATOR|AGGREGATORNOTFOUND/,
    monitor: 'The aggregator does not exist in the monitor\'s account and region (deleted or renamed): fix the AGGREGATORS setting or recreate the aggregator.',
  },
  {
    match: /THROTTL|RATEEXCEEDED|TOOMANYREQUESTS/,
    monitor: 'AWS Config throttled the monitor; the next run retries. If it persists, run less often or watch fewer aggregators per run.',
  },
  {
    match: /AUTHORI[SZ]|ACCESSDENIED|FORBIDDEN|PERMISSION/,
    account: 'The source account has not authorized this aggregator: in the source account and region, authorize the aggregator account and region (Config console > Authorizations, or aws configservice put-aggregation-authorization --authorized-account-id <aggregator account> --authorized-aws-region <aggregator region>). One authorization is needed per source region.',
    organization: ORG_SETUP,
    monitor: 'The monitor\'s role may not call config:DescribeConfigurationAggregatorSourcesStatus here: check its IAM policy and any SCP.',
  },
  { match: /^STALE$/, account: STALE_HINT, organization: STALE_HINT },
  { match: /^OUTDATED$/, account: OUTDATED_HINT, organization: OUTDATED_HINT },
];

export type HintScope = 'ACCOUNT' | 'ORGANIZATION' | 'monitor';

/** The remediation hint for an error code (or, without a code, a condition such as STALE), if one is known. */
export function hintFor(code: string, scope: HintScope): string | undefined {
  const key = code.toUpperCase().replace(/[^A-Z0-9]/g, '').replace(/(EXCEPTION|ERROR|FAULT)$/, '');
  for (const hint of HINTS) {
    if (!hint.match.test(key)) continue;
    const text = hint[scope === 'ORGANIZATION' ? 'organization' : scope === 'ACCOUNT' ? 'account' : 'monitor'];
    if (text !== undefined) return text;
  }
  return undefined;
}
