/**
 * A toy deployable for the lab's own tests: the engine's state machine in shape (the brief's, core/workflow.ts
 * names: Begin, a ReadRound loop, a Reconcile Map of units, a Notify Map, Finalize), invoking toy/worker; toy/dispatcher
 * starting it. It lets test/faults/lab.test.ts check the harness (attribution, kill points, Lambda.Unknown and the
 * definition's Retry, cold and warm environments, the roles' calls) independently of the monitor's code.
 */
import { fileURLToPath } from 'node:url';
import { WORKFLOW } from '../../../../core/workflow';
import { localFunctionArn } from '../../../../tools/local/state-machine-definition';
import type { AslDefinition } from '../../../../tools/local/asl-definition';
import type { WorkflowArtifact } from '../../../support/workflow-artifact';

const S = WORKFLOW.states;
const dir = (name: string) => fileURLToPath(new URL(`./${name}/`, import.meta.url));

export function toyArtifact(target: { region: string; accountId: string }, reconcileConcurrency = 2): WorkflowArtifact {
  const worker = localFunctionArn('ToyWorker', target);
  const retry = [{ ErrorEquals: ['Lambda.Unknown', 'States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }];
  const task = (parameters: Record<string, unknown>, rest: Record<string, unknown>) => ({ Type: 'Task', Resource: worker, Parameters: parameters, Retry: retry, ...rest });
  const definition = {
    StartAt: S.begin,
    States: {
      [S.begin]: task({ step: 'begin', 'at.$': '$.at', 'carried.$': '$.carried' }, { ResultPath: '$.run', Next: S.readMore }),
      [S.readMore]: { Type: 'Choice', Choices: [{ Variable: '$.run.read.done', BooleanEquals: true, Next: S.reconcile }], Default: S.read },
      [S.read]: task({ step: 'read', 'runAt.$': '$.run.runAt', 'rate.$': '$.run.read.rate' }, { ResultPath: '$.run.read', Next: S.readMore }),
      [S.reconcile]: {
        Type: 'Map',
        ItemsPath: '$.run.read.units',
        MaxConcurrency: reconcileConcurrency,
        ItemSelector: { 'runAt.$': '$.run.runAt', 'unit.$': '$$.Map.Item.Value', progress: null },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: S.reconcileUnit,
          States: {
            [S.reconcileUnit]: task({ step: 'reconcile', 'runAt.$': '$.runAt', 'unit.$': '$.unit', 'progress.$': '$.progress' }, { ResultPath: '$.progress', Next: S.unitMore }),
            [S.unitMore]: { Type: 'Choice', Choices: [{ Variable: '$.progress.done', BooleanEquals: true, Next: 'UnitDone' }], Default: S.reconcileUnit },
            UnitDone: { Type: 'Succeed' },
          },
        },
        ResultPath: null,
        Next: S.notify,
      },
      [S.notify]: {
        Type: 'Map',
        ItemsPath: '$.run.aggregators',
        MaxConcurrency: reconcileConcurrency,
        ItemSelector: { 'runAt.$': '$.run.runAt', 'aggregator.$': '$$.Map.Item.Value' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: S.notifyAggregator,
          States: { [S.notifyAggregator]: task({ step: 'notify', 'runAt.$': '$.runAt', 'aggregator.$': '$.aggregator' }, { End: true }) },
        },
        ResultPath: '$.notified',
        Next: S.finalize,
      },
      [S.finalize]: task({ step: 'finalize', 'runAt.$': '$.run.runAt', 'notified.$': '$.notified' }, { ResultPath: '$.final', Next: S.succeeded }),
      [S.succeeded]: { Type: 'Succeed' },
    },
  };
  const role = { Type: 'AWS::IAM::Role' };
  return {
    outdir: dir('.'),
    stackName: 'Toy',
    template: {
      Resources: {
        Table: { Type: 'AWS::DynamoDB::Table' },
        ToyStateMachine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { RoleArn: { 'Fn::GetAtt': ['ToyStateMachineRole', 'Arn'] } } },
        ToyStateMachineRole: role,
        ToyWorker: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['ToyWorkerRole', 'Arn'] } } },
        ToyWorkerRole: role,
        ToyDispatcher: {
          Type: 'AWS::Lambda::Function',
          Properties: { Role: { 'Fn::GetAtt': ['ToyDispatcherRole', 'Arn'] }, Environment: { Variables: { STATE_MACHINE_ARN: { Ref: 'ToyStateMachine' }, TABLE_NAME: { Ref: 'Table' } } } },
        },
        ToyDispatcherRole: role,
      },
    },
    stateMachineId: 'ToyStateMachine',
    stateMachineRoleId: 'ToyStateMachineRole',
    definition: definition as unknown as AslDefinition,
    worker: { logicalId: 'ToyWorker', roleId: 'ToyWorkerRole', assetDir: dir('worker'), handler: 'index.handler', runtime: 'nodejs22.x', functionArn: worker },
    dispatcher: {
      logicalId: 'ToyDispatcher',
      roleId: 'ToyDispatcherRole',
      assetDir: dir('dispatcher'),
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      functionArn: localFunctionArn('ToyDispatcher', target),
    },
  };
}
