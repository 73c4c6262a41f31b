/**
 * The state machine definition taken from a synthesized template (tokens resolved to local function ARNs,
 * validated by asl-validator), and run on the local Step Functions endpoint: a hand-written template in the
 * shape CDK writes (`Fn::Join` of strings and `Fn::GetAtt`), and one synthesized by aws-cdk-lib here.
 */
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Choice, Condition, DefinitionBody, Fail, JsonPath, Map as MapState, StateMachine, Succeed, TaskInput } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LOCAL_TIMEOUT_SECONDS, prepareDefinition } from '../../tools/local/asl-definition';
import { FakeStepFunctions } from '../../tools/local/fake-stepfunctions';
import { LOCAL_CREDENTIALS } from '../../tools/local/local-dynamodb';
import { localFunctionArn, stateMachineDefinition, stateMachineDefinitions } from '../../tools/local/state-machine-definition';
import { ToyFunction, toyDefinition } from './toy-workflow';

const FN_ID = 'Function76856677';
const PLACEHOLDER = '@@FUNCTION@@';

/** A template as CDK writes a state machine: DefinitionString = Fn::Join of the definition's text and GetAtt tokens. */
function cdkStyleTemplate(definition: Record<string, unknown>, functionToken: unknown = { 'Fn::GetAtt': [FN_ID, 'Arn'] }): Record<string, unknown> {
  const parts = JSON.stringify(definition).split(PLACEHOLDER);
  const joined = parts.flatMap((p, i) => (i === 0 ? [p] : [functionToken, p]));
  return {
    Resources: {
      [FN_ID]: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler' } },
      Role1ABCC5F0: { Type: 'AWS::IAM::Role', Properties: {} },
      StateMachine2E01A3A5: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: { DefinitionString: { 'Fn::Join': ['', joined] }, RoleArn: { 'Fn::GetAtt': ['Role1ABCC5F0', 'Arn'] } },
      },
    },
  };
}

let server: FakeStepFunctions;
let client: SFNClient;

beforeAll(async () => {
  server = await new FakeStepFunctions().start();
  client = new SFNClient({ region: 'us-east-1', credentials: LOCAL_CREDENTIALS, endpoint: server.endpoint, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await server.close();
});

async function runToCompletion(stateMachineArn: string, input: unknown) {
  const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  await server.execution(executionArn ?? '').done;
  return client.send(new DescribeExecutionCommand({ executionArn }));
}

describe('stateMachineDefinition', () => {
  it('resolves a CDK-style DefinitionString to the definition with local function ARNs, which the endpoint runs', async () => {
    // Arrange
    const template = cdkStyleTemplate(toyDefinition(PLACEHOLDER));

    // Act
    const machine = stateMachineDefinition(template);

    // Assert
    const arn = localFunctionArn(FN_ID);
    expect(machine.logicalId).toBe('StateMachine2E01A3A5');
    expect(machine.functions).toEqual({ [FN_ID]: arn });
    expect(machine.definition).toEqual(toyDefinition(arn));

    // Act: the resolved definition on the endpoint, against the same scripted function.
    const fn = new ToyFunction({ functionArn: arn });
    server.invoke = fn.invoke;
    const out = await runToCompletion(server.registerStateMachine({ name: 'FromTemplate', definition: machine.definition, retryIntervalMs: 0 }), { at: 't0', carried: [] });

    // Assert
    expect(out.status).toBe('SUCCEEDED');
    expect(fn.steps('finalize')).toHaveLength(1);
  });

  it('resolves pseudo parameters and Ref of a function, for the target account and Region', () => {
    // Arrange: Resource built as arn:${Partition}:lambda:${Region}:${AccountId}:function:${Ref}.
    const token = { 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 'lambda', { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, 'function', { Ref: FN_ID }]] };
    const template = cdkStyleTemplate({ StartAt: 'T', States: { T: { Type: 'Task', Resource: PLACEHOLDER, End: true } } }, token);

    // Act
    const machine = stateMachineDefinition(template, { region: 'eu-west-1', accountId: '210987654321' });

    // Assert
    expect(machine.definition.States.T?.Resource).toBe(`arn:aws:lambda:eu-west-1:210987654321:function:${FN_ID}`);
  });

  it('refuses an invalid definition, an unsupported token and a template without a state machine, naming them', () => {
    // Arrange
    const dangling = cdkStyleTemplate({ StartAt: 'T', States: { T: { Type: 'Task', Resource: PLACEHOLDER, Next: 'Nowhere' } } });
    const notAFunction = cdkStyleTemplate({ StartAt: 'T', States: { T: { Type: 'Task', Resource: PLACEHOLDER, End: true } } }, { 'Fn::GetAtt': ['Role1ABCC5F0', 'Arn'] });
    const importValue = cdkStyleTemplate({ StartAt: 'T', States: { T: { Type: 'Task', Resource: PLACEHOLDER, End: true } } }, { 'Fn::ImportValue': 'Shared' });

    // Act / Assert
    expect(() => stateMachineDefinition(dangling)).toThrow(/StateMachine2E01A3A5 is not valid ASL \(asl-validator\):\nMISSING_TRANSITION_TARGET: .*Nowhere/);
    expect(() => stateMachineDefinition(notAFunction)).toThrow(/Fn::GetAtt \["Role1ABCC5F0","Arn"\] is not an AWS::Lambda::Function's Arn \(Role1ABCC5F0 is AWS::IAM::Role\)/);
    expect(() => stateMachineDefinition(importValue)).toThrow(/Fn::ImportValue is not supported locally/);
    expect(() => stateMachineDefinition({ Resources: {} })).toThrow('Expected one state machine in the template, found none');
    expect(() => stateMachineDefinitions({})).toThrow('Not a CloudFormation template: no Resources object');
  });

  it('prepares a definition for the interpreter: the service\'s Task timeout default, Lambda function Resources only', () => {
    // Arrange
    const definition = toyDefinition();
    const timed = { StartAt: 'T', States: { T: { Type: 'Task', Resource: localFunctionArn('F'), TimeoutSeconds: 30, End: true } } };
    const service = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'F' }, End: true } } };

    // Act
    const prepared = prepareDefinition(definition);

    // Assert: no TimeoutSeconds in the definition: the service's default (99999999 s), not the interpreter's 60 s.
    const interpreted = prepared.interpreted as unknown as { States: Record<string, { TimeoutSeconds?: number }> };
    expect(interpreted.States.Begin?.TimeoutSeconds).toBe(MAX_LOCAL_TIMEOUT_SECONDS);
    expect((definition.States as Record<string, object>).Begin).not.toHaveProperty('TimeoutSeconds');
    expect([...prepared.tasks.keys()].sort()).toEqual(['Begin', 'Finalize', 'NotifyAggregator', 'ReadRound', 'ReconcileUnit']);
    expect([...prepared.rewrittenFails].sort()).toEqual(['AggregatorsFailed', 'Unrecorded']);
    expect((prepareDefinition(timed).interpreted.States.T as { TimeoutSeconds?: number }).TimeoutSeconds).toBe(30);
    expect(() => prepareDefinition(service)).toThrow(/Task state 'T': Resource "arn:aws:states:::lambda:invoke" is not a Lambda function ARN/);
  });

  it('takes the definition of a state machine synthesized by aws-cdk-lib (LambdaInvoke, payloadResponseOnly) and runs it', async () => {
    // Arrange: Begin, a Map of units, a Choice into a Fail whose cause is States.JsonToString.
    const stack = new Stack(new App(), 'Local');
    const fnc = new LambdaFunction(stack, 'Function', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({})') });
    const invoke = (id: string, payload: Record<string, unknown>, resultPath: string) =>
      new LambdaInvoke(stack, id, { lambdaFunction: fnc, payloadResponseOnly: true, payload: TaskInput.fromObject(payload), resultPath, retryOnServiceExceptions: true });
    const units = new MapState(stack, 'Reconcile', { itemsPath: '$.run.units', maxConcurrency: 2, itemSelector: { 'unit.$': '$$.Map.Item.Value' }, resultPath: '$.units' });
    units.itemProcessor(invoke('ReconcileUnit', { step: 'reconcile', 'unit.$': '$.unit' }, '$.progress'));
    const chain = invoke('Begin', { step: 'begin', 'at.$': '$.at' }, '$.run')
      .next(units)
      .next(
        new Choice(stack, 'AnyFailed?')
          .when(Condition.isPresent('$.run.failed[0]'), new Fail(stack, 'AggregatorsFailed', { error: 'AggregatorsFailed', causePath: JsonPath.jsonToString(JsonPath.objectAt('$.run.failed')) }))
          .otherwise(new Succeed(stack, 'Succeeded')),
      );
    new StateMachine(stack, 'StateMachine', { definitionBody: DefinitionBody.fromChainable(chain) });
    const template = Template.fromStack(stack).toJSON();
    const functionId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::Lambda::Function') ?? '';

    // Act
    const machine = stateMachineDefinition(template);
    const arn = localFunctionArn(functionId);
    const fn = new ToyFunction({ functionArn: arn }).on('begin', (p) => ({ ok: true, result: { units: ['u1', 'u2', 'u3'], failed: p.at === 'bad' ? ['agg-b'] : [] } }));
    server.invoke = fn.invoke;
    const stateMachineArn = server.registerStateMachine({ name: 'Synthesized', definition: machine.definition, retryIntervalMs: 0 });
    const good = await runToCompletion(stateMachineArn, { at: 'good' });
    const bad = await runToCompletion(stateMachineArn, { at: 'bad' });

    // Assert
    expect(machine.functions).toEqual({ [functionId]: arn });
    expect(JSON.stringify(machine.definition)).not.toContain('Fn::');
    expect(good.status).toBe('SUCCEEDED');
    expect(fn.steps('reconcile').map((p) => p.unit).sort()).toEqual(['u1', 'u1', 'u2', 'u2', 'u3', 'u3']);
    expect(bad).toMatchObject({ status: 'FAILED', error: 'AggregatorsFailed', cause: '["agg-b"]' });
  });
});
