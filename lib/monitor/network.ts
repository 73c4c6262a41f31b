import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { SettingsError } from '../../core/settings';

/** Lambda's limit on the subnets of a function's VPC configuration (Lambda API Reference, VpcConfig). */
export const MAX_FUNCTION_SUBNETS = 16;

export interface FunctionNetwork {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The function's own: no ingress, HTTPS out only. */
  readonly securityGroup: ec2.SecurityGroup;
}

/**
 * The function's place in the user's VPC (CT.LAMBDA.PR.3): the given subnets and a security group of its own,
 * which allows nothing in and only HTTPS (443) out: every call the function makes is an HTTPS call to an AWS API,
 * through the VPC's endpoints or a NAT gateway (docs/security.md lists them).
 *
 * The execution role gets what Lambda needs to manage the function's network interfaces, because the role is the
 * construct's own and not one CDK creates with AWSLambdaVPCAccessExecutionRole. The Lambda Developer Guide
 * (Giving Lambda functions access to a VPC: execution role permissions) lists ec2:CreateNetworkInterface,
 * ec2:DescribeNetworkInterfaces ("only works if it's allowed on all resources"), ec2:DeleteNetworkInterface,
 * ec2:AssignPrivateIpAddresses and ec2:UnassignPrivateIpAddresses. Each is granted on the resource types the
 * Service Authorization Reference gives it: the network interfaces of this account and region, the selected
 * subnets (of any account: a subnet shared with this account by AWS RAM belongs to the VPC owner) and the
 * function's security group.
 */
export function createFunctionNetwork(
  scope: Construct,
  network: { readonly vpc: ec2.IVpc; readonly vpcSubnets?: ec2.SubnetSelection },
  role: iam.Role,
): FunctionNetwork {
  const vpcSubnets = network.vpcSubnets ?? {};
  const { subnetIds } = network.vpc.selectSubnets(vpcSubnets);
  if (subnetIds.length === 0) {
    throw new SettingsError('vpcSubnets', '(the selection)', 'a selection of at least one subnet of the VPC');
  }
  if (!Token.isUnresolved(subnetIds) && subnetIds.length > MAX_FUNCTION_SUBNETS) {
    throw new SettingsError('vpcSubnets', subnetIds, `at most ${MAX_FUNCTION_SUBNETS} subnets (Lambda's limit)`);
  }
  const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: network.vpc,
    description: 'config-aggregator-watch function: HTTPS to AWS APIs only',
    allowAllOutbound: false,
  });
  securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs (VPC endpoints or NAT)');

  const placed = { vpc: network.vpc, vpcSubnets, securityGroup };
  grantNetworkInterfaces(scope, placed, role);
  return placed;
}

/**
 * What Lambda needs, with a function's execution role, to manage the network interfaces of a function placed as
 * `network` says (the worker and the dispatcher share the placement and its security group).
 */
export function grantNetworkInterfaces(scope: Construct, network: FunctionNetwork, role: iam.Role): void {
  const { subnetIds } = network.vpc.selectSubnets(network.vpcSubnets);
  const securityGroup = network.securityGroup;
  const stack = Stack.of(scope);
  const ec2Arn = (resource: string, resourceName: string, account?: string) =>
    stack.formatArn({ service: 'ec2', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME, ...(account ? { account } : {}) });
  const interfaces = ec2Arn('network-interface', '*');
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['ec2:CreateNetworkInterface'],
      resources: [interfaces, ...subnetIds.map((id) => ec2Arn('subnet', id, '*')), ec2Arn('security-group', securityGroup.securityGroupId)],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      resources: [interfaces],
    }),
  );
  // No resource type in the Service Authorization Reference: only "*" allows it.
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeNetworkInterfaces'], resources: ['*'] }));
}
