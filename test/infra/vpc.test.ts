/**
 * The function in the user's VPC: the construct's `vpc`/`vpcSubnets` props, the stack's `vpcId`/`subnetIds`
 * context (ids only, no lookup), the security group, the interface permissions and their validation.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../core/settings';
import { ConfigAggregatorMonitor } from '../../lib/config-aggregator-monitor';
import { networkFromContext } from '../../lib/context-settings';
import { NO_BUNDLING, VPC_CONTEXT, logicalId, nagViolations, roleStatements, synthMonitor, synthStack } from './support';

const SUBNETS = VPC_CONTEXT.subnetIds.split(',');

function error(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    if (e instanceof SettingsError) return e.message;
    throw e;
  }
  throw new Error('expected a SettingsError');
}

describe('the stack with vpcId and subnetIds', () => {
  const s = synthStack(VPC_CONTEXT);
  const m = s.subject.monitor;

  it('places the function in those subnets with its own security group', () => {
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: SUBNETS, SecurityGroupIds: [{ 'Fn::GetAtt': [logicalId(m.securityGroup!), 'GroupId'] }] },
    });
  });

  it('lets the security group take nothing in and send only HTTPS out', () => {
    s.template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: VPC_CONTEXT.vpcId,
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'HTTPS to AWS APIs (VPC endpoints or NAT)' }],
    });
    s.template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    const group = Object.values(s.template.findResources('AWS::EC2::SecurityGroup'))[0];
    expect(group?.Properties.SecurityGroupIngress).toBeUndefined();
  });

  it('grants the interface actions Lambda needs, on the interfaces, those subnets and the group', () => {
    const ec2Statements = roleStatements(s.template, logicalId(m.role)).filter((st) => JSON.stringify(st.Action).includes('ec2:'));
    // cdk.json's @aws-cdk/aws-iam:minimizePolicies merges statements on the same resources and sorts actions.
    expect(ec2Statements.map((st) => st.Action)).toEqual([
      'ec2:CreateNetworkInterface',
      ['ec2:AssignPrivateIpAddresses', 'ec2:DeleteNetworkInterface', 'ec2:UnassignPrivateIpAddresses'],
      ['config:DescribeConfigurationAggregators', 'ec2:DescribeNetworkInterfaces'],
    ]);
    const create = JSON.stringify(ec2Statements[0]?.Resource);
    for (const id of SUBNETS) expect(create).toContain(`:*:subnet/${id}`);
    expect(create).toContain(':network-interface/*');
    expect(create).toContain(':security-group/');
    expect(ec2Statements[2]?.Resource).toBe('*');
    // The function is created only once the role may create its interfaces.
    const fn = Object.values(s.template.findResources('AWS::Lambda::Function'))[0];
    expect(fn?.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^MonitorRoleDefaultPolicy/)]));
  });

  it('places the dispatcher in the same subnets with the same security group, its role granted the same interface actions', () => {
    // Arrange
    const vpcConfig = { SubnetIds: SUBNETS, SecurityGroupIds: [{ 'Fn::GetAtt': [logicalId(m.securityGroup!), 'GroupId'] }] };
    const ec2Actions = (role: string) =>
      roleStatements(s.template, role)
        .filter((st) => JSON.stringify(st.Action).includes('ec2:'))
        .map((st) => [st.Action, st.Resource]);
    // Act
    const dispatcher = s.template.findResources('AWS::Lambda::Function')[logicalId(m.dispatcher)];
    // Assert
    expect(dispatcher?.Properties.VpcConfig).toEqual(vpcConfig);
    s.template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    expect(ec2Actions(logicalId(m.dispatcherRole))).toEqual([
      ['ec2:CreateNetworkInterface', ec2Actions(logicalId(m.role))[0]?.[1]],
      [['ec2:AssignPrivateIpAddresses', 'ec2:DeleteNetworkInterface', 'ec2:UnassignPrivateIpAddresses'], ec2Actions(logicalId(m.role))[1]?.[1]],
      ['ec2:DescribeNetworkInterfaces', '*'],
    ]);
    expect(dispatcher?.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^MonitorDispatcherRoleDefaultPolicy/)]));
  });

  it('needs no lookup, so no credentials to synthesize', () => {
    expect(s.app.synth().manifest.missing ?? []).toEqual([]);
  });

  it('passes cdk-nag', () => {
    expect(nagViolations(s.app)).toEqual([]);
  });
});

describe('the construct with a VPC of the same app', () => {
  const app = new App({ context: NO_BUNDLING });
  const stack = new Stack(app, 'TestStack');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
  const monitor = new ConfigAggregatorMonitor(stack, 'Monitor', { vpc, aggregators: ['org-aggregator'] });

  it('uses its private subnets by default, and is clean for cdk-nag (the VPC itself is the user\'s)', () => {
    const fn = stack.resolve((monitor.function.node.defaultChild as { vpcConfig?: unknown }).vpcConfig) as { subnetIds: unknown[] };
    expect(fn.subnetIds).toEqual(stack.resolve(vpc.privateSubnets.map((sn) => sn.subnetId)));
    expect(nagViolations(app).filter((v) => v.includes('/Monitor/'))).toEqual([]);
  });
});

describe('validation', () => {
  it('refuses vpcSubnets without vpc', () => {
    expect(error(() => synthMonitor({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }))).toBe(
      'Invalid vpcSubnets: "(a subnet selection)". Allowed: a subnet selection only together with vpc.',
    );
  });

  it('refuses more than 16 subnets', () => {
    const app = new App({ context: NO_BUNDLING });
    const stack = new Stack(app, 'S');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: VPC_CONTEXT.vpcId, availabilityZones: ['eu-west-1a'] });
    const subnets = Array.from({ length: 17 }, (_, i) => ec2.Subnet.fromSubnetId(stack, `S${i}`, `subnet-${String(i).padStart(8, '0')}`));
    expect(() => new ConfigAggregatorMonitor(stack, 'Monitor', { vpc, vpcSubnets: { subnets } })).toThrow(/at most 16 subnets/);
  });

  it.each([
    [{ vpcId: VPC_CONTEXT.vpcId }, 'Invalid subnetIds: null. Allowed: the ids of the subnets to run the function in (subnet-...), comma-separated; required with vpcId.'],
    [{ subnetIds: VPC_CONTEXT.subnetIds }, 'Invalid vpcId: null. Allowed: the id of the VPC of subnetIds (vpc-...); required with subnetIds.'],
    [{ ...VPC_CONTEXT, vpcId: 'vpc-123' }, 'Invalid vpcId: "vpc-123". Allowed: a VPC id: vpc- and 8 or 17 hexadecimal digits.'],
    [{ ...VPC_CONTEXT, subnetIds: 'subnet-0123456789abcdef0,sn-1' }, 'Invalid subnetIds: "sn-1". Allowed: subnet ids: subnet- and 8 or 17 hexadecimal digits.'],
    [{ ...VPC_CONTEXT, subnetIds: 42 }, 'Invalid subnetIds: 42. Allowed: a comma-separated string or a JSON array of strings.'],
  ])('refuses the context %j', (context, message) => {
    expect(error(() => networkFromContext(context))).toBe(message);
  });

  it('reads the context from the command line and from cdk.json alike; unset or cleared is no VPC', () => {
    expect(networkFromContext({ vpcId: ` ${VPC_CONTEXT.vpcId} `, subnetIds: SUBNETS.join(' , ') })).toEqual({ vpcId: VPC_CONTEXT.vpcId, subnetIds: SUBNETS });
    expect(networkFromContext({ vpcId: VPC_CONTEXT.vpcId, subnetIds: SUBNETS })).toEqual({ vpcId: VPC_CONTEXT.vpcId, subnetIds: SUBNETS });
    // A subnet named twice is one subnet, as in every other list setting.
    expect(networkFromContext({ vpcId: VPC_CONTEXT.vpcId, subnetIds: [SUBNETS[0], SUBNETS[0]] })).toEqual({ vpcId: VPC_CONTEXT.vpcId, subnetIds: [SUBNETS[0]] });
    expect(networkFromContext({})).toBeUndefined();
    expect(networkFromContext({ vpcId: '', subnetIds: '' })).toBeUndefined();
  });

  it('creates no security group and no interface permission outside a VPC', () => {
    const s = synthMonitor();
    s.template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    expect(JSON.stringify(roleStatements(s.template, logicalId(s.subject.role)))).not.toContain('ec2:');
    expect(s.subject.securityGroup).toBeUndefined();
  });
});
