/**
 * The state machines of a synthesized CloudFormation template (cdk.out JSON), their definitions with the
 * template's tokens resolved for the local endpoint, validated with asl-validator.
 *
 * AWS::StepFunctions::StateMachine takes `DefinitionString` (a string, here usually `Fn::Join` of strings and
 * tokens), or `Definition` (an object), plus optional `DefinitionSubstitutions` for `${name}` placeholders
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-stepfunctions-statemachine.html).
 * Tokens resolved:
 * - `Fn::GetAtt [<function>, "Arn"]` of an AWS::Lambda::Function -> the local ARN
 *   `arn:aws:lambda:<region>:<account>:function:<logicalId>`;
 * - `Ref <function>` -> `<logicalId>`, the function's name (Ref of AWS::Lambda::Function returns the name,
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html);
 * - `Ref` of AWS::Partition, AWS::Region, AWS::AccountId, AWS::URLSuffix;
 * - `Fn::Join`, and `Fn::Sub` with a string or [string, variables].
 * Anything else is refused with an error naming the token and where it is.
 */
import { validateDefinition, type AslDefinition } from './asl-definition';

export interface LocalTarget {
  readonly region?: string;
  readonly accountId?: string;
}

export interface TemplateStateMachine {
  readonly logicalId: string;
  /** `StateMachineName` when the template sets one. */
  readonly name?: string;
  readonly definition: AslDefinition;
  /** The Lambda functions the definition refers to: logical id -> local ARN. */
  readonly functions: Readonly<Record<string, string>>;
}

type Resources = Record<string, { Type?: string; Properties?: Record<string, unknown> }>;

export function localFunctionArn(logicalId: string, target: LocalTarget = {}): string {
  return `arn:aws:lambda:${target.region ?? 'us-east-1'}:${target.accountId ?? '123456789012'}:function:${logicalId}`;
}

/** Every AWS::StepFunctions::StateMachine of `template`, in template order; throws if a definition is invalid. */
export function stateMachineDefinitions(template: unknown, target: LocalTarget = {}): TemplateStateMachine[] {
  const resources = (template as { Resources?: Resources } | null)?.Resources;
  if (typeof resources !== 'object' || resources === null) throw new Error('Not a CloudFormation template: no Resources object');
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
    .map(([logicalId, r]) => {
      const props = r.Properties ?? {};
      const functions: Record<string, string> = {};
      const resolver = new Resolver(resources, target, functions, logicalId);
      const substitutions = (props.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
      const vars = Object.fromEntries(Object.entries(substitutions).map(([k, v]) => [k, resolver.string(v, `DefinitionSubstitutions.${k}`)]));
      let definition: unknown;
      if (props.DefinitionString !== undefined) {
        const text = substitute(resolver.string(props.DefinitionString, 'DefinitionString'), vars, logicalId);
        try {
          definition = JSON.parse(text);
        } catch (e) {
          throw new Error(`State machine ${logicalId}: DefinitionString is not JSON once resolved (${(e as Error).message}):\n${text.slice(0, 2_000)}`, { cause: e });
        }
      } else if (props.Definition !== undefined) {
        definition = JSON.parse(substitute(JSON.stringify(resolver.value(props.Definition, 'Definition')), vars, logicalId));
      } else {
        throw new Error(`State machine ${logicalId} has neither DefinitionString nor Definition (DefinitionS3Location is not supported locally)`);
      }
      const validated = validateDefinition(definition, `definition of state machine ${logicalId}`);
      return { logicalId, ...(typeof props.StateMachineName === 'string' ? { name: props.StateMachineName } : {}), definition: validated, functions };
    });
}

/** The one state machine of a template (an error if there are none or several and `logicalId` is not given). */
export function stateMachineDefinition(template: unknown, target: LocalTarget = {}, logicalId?: string): TemplateStateMachine {
  const all = stateMachineDefinitions(template, target);
  const found = logicalId === undefined ? all : all.filter((m) => m.logicalId === logicalId);
  if (found.length !== 1 || !found[0]) {
    throw new Error(`Expected one state machine${logicalId ? ` ${logicalId}` : ''} in the template, found ${all.length ? all.map((m) => m.logicalId).join(', ') : 'none'}`);
  }
  return found[0];
}

class Resolver {
  constructor(
    private readonly resources: Resources,
    private readonly target: LocalTarget,
    private readonly functions: Record<string, string>,
    private readonly owner: string,
  ) {}

  string(value: unknown, where: string): string {
    const resolved = this.value(value, where);
    if (typeof resolved !== 'string') throw this.error(`${where} resolves to ${JSON.stringify(resolved)}, not a string`);
    return resolved;
  }

  value(value: unknown, where: string): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map((v, i) => this.value(v, `${where}[${i}]`));
    const keys = Object.keys(value);
    const obj = value as Record<string, unknown>;
    if (keys.length === 1 && keys[0] === 'Fn::Join') return this.join(obj['Fn::Join'], where);
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') return this.getAtt(obj['Fn::GetAtt'], where);
    if (keys.length === 1 && keys[0] === 'Ref') return this.ref(obj.Ref, where);
    if (keys.length === 1 && keys[0] === 'Fn::Sub') return this.sub(obj['Fn::Sub'], where);
    if (keys.length === 1 && keys[0]?.startsWith('Fn::')) throw this.error(`${where}: ${keys[0]} is not supported locally (${JSON.stringify(value).slice(0, 200)})`);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, this.value(v, `${where}.${k}`)]));
  }

  private join(args: unknown, where: string): string {
    if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string' || !Array.isArray(args[1])) {
      throw this.error(`${where}: Fn::Join must be [delimiter, [values]], got ${JSON.stringify(args).slice(0, 200)}`);
    }
    const [delimiter, parts] = args as [string, unknown[]];
    return parts.map((p, i) => this.string(p, `${where}.Fn::Join[${i}]`)).join(delimiter);
  }

  private getAtt(args: unknown, where: string): string {
    const [logicalId, attribute] = Array.isArray(args) ? args : typeof args === 'string' ? args.split('.') : [];
    const resource = typeof logicalId === 'string' ? this.resources[logicalId] : undefined;
    if (resource?.Type === 'AWS::Lambda::Function' && attribute === 'Arn') {
      const arn = localFunctionArn(logicalId as string, this.target);
      this.functions[logicalId as string] = arn;
      return arn;
    }
    throw this.error(
      `${where}: Fn::GetAtt ${JSON.stringify(args)} is not an AWS::Lambda::Function's Arn ` +
        `(${resource ? `${String(logicalId)} is ${resource.Type}` : `no resource ${String(logicalId)} in the template`})`,
    );
  }

  private ref(name: unknown, where: string): string {
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': this.target.region ?? 'us-east-1',
      'AWS::AccountId': this.target.accountId ?? '123456789012',
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (typeof name === 'string' && pseudo[name] !== undefined) return pseudo[name];
    const resource = typeof name === 'string' ? this.resources[name] : undefined;
    if (resource?.Type === 'AWS::Lambda::Function') {
      this.functions[name as string] = localFunctionArn(name as string, this.target);
      return name as string;
    }
    throw this.error(`${where}: Ref ${JSON.stringify(name)} is not a Lambda function or a supported pseudo parameter (${resource ? resource.Type : 'not in the template'})`);
  }

  private sub(args: unknown, where: string): string {
    const [text, variables] = typeof args === 'string' ? [args, {}] : Array.isArray(args) ? args : [undefined, undefined];
    if (typeof text !== 'string') throw this.error(`${where}: Fn::Sub must be a string or [string, {variables}]`);
    const vars = Object.fromEntries(Object.entries((variables ?? {}) as Record<string, unknown>).map(([k, v]) => [k, this.string(v, `${where}.Fn::Sub.${k}`)]));
    return text.replace(/\$\{([^!}][^}]*)\}/g, (_m, key: string) => {
      if (vars[key] !== undefined) return vars[key];
      const [id, attr] = key.split('.');
      return attr ? this.getAtt([id, attr], where) : this.ref(key, where);
    });
  }

  private error(message: string): Error {
    return new Error(`State machine ${this.owner}: ${message}`);
  }
}

/** DefinitionSubstitutions: `${key}` placeholders of the definition replaced by their values. */
function substitute(text: string, vars: Record<string, string>, owner: string): string {
  return text.replace(/\$\{([^}]+)\}/g, (match, key: string) => {
    if (vars[key] !== undefined) return vars[key];
    if (Object.keys(vars).length === 0) return match;
    throw new Error(`State machine ${owner}: the definition uses \${${key}} but DefinitionSubstitutions has ${Object.keys(vars).join(', ')}`);
  });
}
