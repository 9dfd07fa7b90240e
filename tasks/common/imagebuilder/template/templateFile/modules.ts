/**
 * Bicep modules in a templateFile. A module compiles to a nested Microsoft.Resources/deployments
 * resource (`expressionEvaluationOptions.scope: inner`, its own `parameters` and `template` with
 * `outputs`), and what uses an output reads
 * `reference(resourceId('Microsoft.Resources/deployments', '<name>'), '<api>').outputs.<x>.value`,
 * or `reference('<symbolic name>').outputs.<x>.value` with `languageVersion: 2.0` (the compiler's
 * own baselines Loops_LF/main.json and Modules_CRLF/main.json under
 * src/Bicep.Core.Samples/Files/baselines in github.com/Azure/bicep).
 *
 * The task does not deploy the module: it evaluates the outputs as Resource Manager would for a
 * module that deploys nothing (seed 004's `customizations.bicep` computes the customisers list):
 * the module's parameters in the outer template, then its template's parameters, variables and
 * outputs. Refused naming it, since its outputs would then depend on the deployment: a module that
 * deploys resources, loops (copy), has a condition that is not true, targets another scope, is
 * linked (templateLink) or evaluated in the outer scope, and reference() to anything but a module.
 */
import { ArmExpressionError, ArmValue } from './armExpressions';

type Obj = { [key: string]: ArmValue };
export type Evaluate = (v: ArmValue, path: string) => ArmValue;

const DEPLOYMENTS = 'microsoft.resources/deployments';
const DEPLOYMENT_ID = new RegExp(
  '^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Resources/deployments/' +
    '([^/]+)$',
  'i',
);

export interface ModuleOptions {
  /** The outer template's resources, their JSON paths (and languageVersion 2.0 symbolic names). */
  resources: { r: ArmValue; path: string; symbol?: string }[];
  subscriptionId: string;
  resourceGroup: string;
  /** Evaluates in the outer template (a module's parameters and name). */
  outer: Evaluate;
  /** An evaluator of a module's template: its parameter values, declarations and variables. */
  inner: (values: Record<string, ArmValue>, declared: Obj, variables: Obj) => Evaluate;
}

/** reference() to a module's outputs, each module evaluated once, on demand. */
export class ModuleOutputs {
  /** The modules read, by name, with the outputs read (for the log). */
  readonly evaluated = new Map<string, string[]>();
  private readonly cache = new Map<string, ArmValue>();
  private readonly busy = new Set<string>();

  constructor(private readonly o: ModuleOptions) {}

  /** Options: reference()'s arguments. Result: `{ outputs: { <x>: { type, value } } }`. */
  reference(args: ArmValue[]): ArmValue {
    const [target, , full] = args;
    if (typeof target !== 'string')
      throw new ArmExpressionError('reference(): the resource name or id is not a string');
    if (full !== undefined)
      throw new ArmExpressionError(
        `reference('${target}', ..., ${JSON.stringify(full)}): the full resource can't be ` +
          "evaluated by the task (only a module's outputs can)",
      );
    const module = this.find(target);
    if (!this.cache.has(module.path)) {
      if (this.busy.has(module.path))
        throw new ArmExpressionError(`module ${module.path}: its parameters refer to itself`);
      this.busy.add(module.path);
      try {
        this.cache.set(module.path, this.evaluate(module.r, module.path, module.name));
      } finally {
        this.busy.delete(module.path);
      }
    }
    return this.cache.get(module.path)!;
  }

  private find(target: string): { r: Obj; path: string; name: string } {
    const notModule = (why = ''): never => {
      throw new ArmExpressionError(
        `reference('${target}'): the task evaluates reference() only to a Bicep module's ` +
          `outputs (a Microsoft.Resources/deployments resource of this template)${why}; what ` +
          'Resource Manager would return for anything else is known only once it is deployed',
      );
    };
    let name = target;
    if (target.startsWith('/')) {
      const m = DEPLOYMENT_ID.exec(target);
      if (!m) return notModule(', which this is not');
      if (
        m[1].toLowerCase() !== this.o.subscriptionId.toLowerCase() ||
        m[2].toLowerCase() !== this.o.resourceGroup.toLowerCase()
      )
        return notModule(', in this resource group: this one is in another scope');
      name = m[3];
    }
    const modules = this.o.resources.filter(
      ({ r }) => isObj(r) && typeof r.type === 'string' && r.type.toLowerCase() === DEPLOYMENTS,
    ) as { r: Obj; path: string; symbol?: string }[];
    // languageVersion 2.0 refers to a module by its symbolic name.
    const bySymbol = target.startsWith('/') ? undefined : modules.find((m) => m.symbol === target);
    if (bySymbol) return { ...bySymbol, name: this.nameOf(bySymbol) ?? target };
    for (const m of modules) {
      const n = this.nameOf(m);
      if (n !== undefined && n.toLowerCase() === name.toLowerCase()) return { ...m, name: n };
    }
    return notModule(`, and this template has no module named '${name}'`);
  }

  /** A module's name, or undefined when it can't be evaluated (then it is not the one sought). */
  private nameOf(m: { r: Obj; path: string }): string | undefined {
    try {
      const n = this.o.outer(m.r.name ?? null, `${m.path}.name`);
      return typeof n === 'string' ? n : undefined;
    } catch {
      return undefined;
    }
  }

  private evaluate(r: Obj, path: string, name: string): ArmValue {
    const refuse = (at: string, problem: string): never => {
      throw new ArmExpressionError(`module '${name}' (${path}): ${at}: ${problem}`);
    };
    if (r.copy !== undefined) refuse('copy', "a module loop can't be evaluated by the task");
    if (r.condition !== undefined && this.o.outer(r.condition, `${path}.condition`) !== true)
      refuse('condition', 'is not true: the module would not be deployed, so it has no outputs');
    for (const k of ['scope', 'subscriptionId', 'resourceGroup', 'managementGroupId'])
      if (r[k] !== undefined) refuse(k, "a module in another scope can't be evaluated by the task");
    const props = isObj(r.properties) ? r.properties : refuse('properties', 'is not an object');
    for (const k of ['templateLink', 'parametersLink'])
      if (props[k] !== undefined)
        refuse(`properties.${k}`, "a linked template can't be evaluated by the task");
    const scope = isObj(props.expressionEvaluationOptions)
      ? props.expressionEvaluationOptions.scope
      : undefined;
    if (typeof scope !== 'string' || scope.toLowerCase() !== 'inner')
      refuse(
        'properties.expressionEvaluationOptions.scope',
        "is not 'inner' (as Bicep compiles a module): a nested template evaluated in the outer " +
          "scope can't be evaluated by the task",
      );
    const template = isObj(props.template)
      ? props.template
      : refuse('properties.template', 'is not an object');
    const deployed = entries(template.resources).filter((x) => !(isObj(x) && x.existing === true));
    if (deployed.length)
      refuse(
        'properties.template.resources',
        `it deploys ${deployed.length} resource${deployed.length === 1 ? '' : 's'} ` +
          `(${deployed.map(typeOf).join(', ')}): the task builds only the image template and ` +
          'does not deploy modules, so it evaluates the outputs only of a module that deploys ' +
          'nothing (deploy those resources in a step before this one and give their names or ids ' +
          'as parameters)',
      );
    const values: Record<string, ArmValue> = {};
    for (const [k, v] of Object.entries(isObj(props.parameters) ? props.parameters : {})) {
      if (!isObj(v) || !('value' in v))
        refuse(`properties.parameters.${k}`, "has no value (a Key Vault reference can't be read)");
      values[k] = this.o.outer((v as Obj).value, `${path}.properties.parameters.${k}.value`);
    }
    const ev = this.o.inner(
      values,
      isObj(template.parameters) ? template.parameters : {},
      isObj(template.variables) ? template.variables : {},
    );
    // Each output is evaluated when it is read: one the template does not use (with a function
    // the task does not evaluate, say) is no reason to refuse.
    const outputs: Obj = {};
    const read: string[] = [];
    this.evaluated.set(name, read);
    for (const [k, o] of Object.entries(isObj(template.outputs) ? template.outputs : {})) {
      const at = `properties.template.outputs.${k}`;
      let value: ArmValue | undefined;
      Object.defineProperty(outputs, k, {
        enumerable: true,
        get: (): ArmValue => {
          if (value === undefined) {
            if (!isObj(o) || o.copy !== undefined)
              refuse(at, "an output loop can't be evaluated by the task");
            value = {
              type: (o as Obj).type ?? null,
              value: ev((o as Obj).value ?? null, `${path}.${at}.value`),
            };
            read.push(k);
          }
          return value;
        },
      });
    }
    return { outputs };
  }
}

function typeOf(x: ArmValue): string {
  return isObj(x) && typeof x.type === 'string' ? x.type : '?';
}

function entries(v: ArmValue | undefined): ArmValue[] {
  return Array.isArray(v) ? v : isObj(v) ? Object.values(v) : [];
}

function isObj(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
