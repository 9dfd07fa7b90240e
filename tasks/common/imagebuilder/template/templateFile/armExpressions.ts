/**
 * The few ARM template functions the task can evaluate itself, without a deployment:
 * `parameters()`, `variables()`, `concat()`, `format()`, `createArray()`, `createObject()`,
 * `resourceId()`, `resourceGroup()`, `subscription()`, `uniqueString()` and `guid()`
 * (deterministic: computed as ARM does, in armHashes.ts), `reference()` to a Bicep module's outputs
 * (modules.ts), string, number and boolean literals, nested calls and property/index access. A
 * small tokenizer and recursive parser (no eval); any other function is refused by name, since
 * guessing what `reference()` to a deployed resource or `newGuid()` would give in Azure would
 * build something else than the author meant.
 */

import { guid, uniqueString } from './armHashes';

export type ArmValue = string | number | boolean | null | ArmValue[] | { [key: string]: ArmValue };

/**
 * An expression that is malformed or uses what the task can't evaluate; `path` is added by the
 * caller.
 */
export class ArmExpressionError extends Error {}

type Token = { kind: 'ident' | 'string' | 'number' | 'punct'; text: string; at: number };

type Node =
  | { kind: 'literal'; value: ArmValue }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'member'; target: Node; name: string }
  | { kind: 'index'; target: Node; index: Node };

export interface ArmScope {
  parameter(name: string): ArmValue;
  variable(name: string): ArmValue;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** reference(), where the template has Bicep modules whose outputs can be evaluated. */
  reference?(args: ArmValue[]): ArmValue;
}

const EVALUATED_FUNCTIONS = [
  'parameters',
  'variables',
  'concat',
  'format',
  'createArray',
  'createObject',
  'resourceId',
  'resourceGroup',
  'subscription',
  'uniqueString',
  'guid',
];

/** A JSON string value that is an ARM expression (`[...]`, not the `[[` escape). */
function isExpression(s: string): boolean {
  return s.length >= 2 && s.startsWith('[') && !s.startsWith('[[') && s.endsWith(']');
}

/**
 * A string value as ARM reads it: evaluated when it is an expression, one `[` dropped from `[[`.
 */
export function evaluateString(s: string, scope: ArmScope): ArmValue {
  if (s.startsWith('[[')) return s.slice(1);
  if (!isExpression(s)) return s;
  return evaluate(parse(s.slice(1, -1)), scope);
}

export function parse(text: string): Node {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const expect = (t: string) => {
    const tok = tokens[i++];
    if (!tok || tok.text !== t)
      throw new ArmExpressionError(
        `expected '${t}' at character ${tok ? tok.at + 1 : text.length + 1} of '${text}'`,
      );
  };
  const primary = (): Node => {
    const tok = tokens[i++];
    if (!tok) throw new ArmExpressionError(`'${text}' ends too early`);
    let node: Node;
    if (tok.kind === 'string') node = { kind: 'literal', value: tok.text };
    else if (tok.kind === 'number') node = { kind: 'literal', value: Number(tok.text) };
    else if (tok.kind === 'ident') {
      if (peek()?.text !== '(') {
        if (tok.text === 'true' || tok.text === 'false')
          return { kind: 'literal', value: tok.text === 'true' };
        if (tok.text === 'null') return { kind: 'literal', value: null };
        throw new ArmExpressionError(`'${tok.text}' is not a function call in '${text}'`);
      }
      i++;
      const args: Node[] = [];
      if (peek()?.text !== ')') {
        for (;;) {
          args.push(primary());
          if (peek()?.text === ',') {
            i++;
            continue;
          }
          break;
        }
      }
      expect(')');
      node = { kind: 'call', name: tok.text, args };
    } else
      throw new ArmExpressionError(
        `unexpected '${tok.text}' at character ${tok.at + 1} of '${text}'`,
      );
    for (;;) {
      if (peek()?.text === '.') {
        i++;
        const name = tokens[i++];
        if (name?.kind !== 'ident')
          throw new ArmExpressionError(`a property name is expected after '.' in '${text}'`);
        node = { kind: 'member', target: node, name: name.text };
      } else if (peek()?.text === '[') {
        i++;
        const index = primary();
        expect(']');
        node = { kind: 'index', target: node, index };
      } else return node;
    }
  };
  const root = primary();
  if (i < tokens.length)
    throw new ArmExpressionError(
      `unexpected '${tokens[i].text}' at character ${tokens[i].at + 1} of '${text}'`,
    );
  return root;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length)
          throw new ArmExpressionError(`unterminated string at character ${i + 1} of '${text}'`);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += text[j++];
      }
      tokens.push({ kind: 'string', text: value, at: i });
      i = j + 1;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i));
      if (!m) throw new ArmExpressionError(`unexpected '${c}' at character ${i + 1} of '${text}'`);
      tokens.push({ kind: 'number', text: m[0], at: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0], at: i });
      i += m[0].length;
    } else if ('(),.[]'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, at: i });
      i++;
    } else throw new ArmExpressionError(`unexpected '${c}' at character ${i + 1} of '${text}'`);
  }
  return tokens;
}

export function evaluate(node: Node, scope: ArmScope): ArmValue {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'member': {
      const target = evaluate(node.target, scope);
      if (!target || typeof target !== 'object' || Array.isArray(target))
        throw new ArmExpressionError(`'.${node.name}' is read from a value that is not an object`);
      const key = Object.keys(target).find((k) => k.toLowerCase() === node.name.toLowerCase());
      if (key === undefined)
        throw new ArmExpressionError(`the object has no property '${node.name}'`);
      return target[key];
    }
    case 'index': {
      const target = evaluate(node.target, scope);
      const index = evaluate(node.index, scope);
      if (Array.isArray(target) && typeof index === 'number' && index >= 0 && index < target.length)
        return target[index];
      if (
        target &&
        typeof target === 'object' &&
        !Array.isArray(target) &&
        typeof index === 'string'
      ) {
        const key = Object.keys(target).find((k) => k.toLowerCase() === index.toLowerCase());
        if (key !== undefined) return target[key];
      }
      throw new ArmExpressionError(`[${JSON.stringify(index)}] is not in the value it indexes`);
    }
    case 'call':
      return call(
        node.name,
        node.args.map((a) => evaluate(a, scope)),
        scope,
      );
  }
}

function call(name: string, args: ArmValue[], scope: ArmScope): ArmValue {
  const str = (v: ArmValue, what: string): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new ArmExpressionError(`${name}(): ${what} is not a string`);
  };
  switch (name.toLowerCase()) {
    case 'parameters':
      return scope.parameter(str(args[0], 'the parameter name'));
    case 'variables':
      return scope.variable(str(args[0], 'the variable name'));
    case 'concat':
      if (args.length && args.every(Array.isArray)) return (args as ArmValue[][]).flat();
      return args.map((a, i) => str(a, `argument ${i + 1}`)).join('');
    case 'format': {
      const fmt = str(args[0], 'the format string');
      return fmt.replace(/\{(\d+)(:[^}]*)?\}/g, (m, n: string) => {
        const v = args[Number(n) + 1];
        if (v === undefined) throw new ArmExpressionError(`format(): '${m}' has no argument`);
        return str(v, `argument ${Number(n) + 2}`);
      });
    }
    // Bicep writes an array or object literal inside an expression with these.
    case 'createarray':
      return args;
    case 'createobject': {
      if (args.length % 2)
        throw new ArmExpressionError('createObject(): its arguments are not name, value pairs');
      const out: { [key: string]: ArmValue } = {};
      for (let i = 0; i < args.length; i += 2) out[str(args[i], `name ${i / 2 + 1}`)] = args[i + 1];
      return out;
    }
    case 'resourcegroup':
      return {
        name: scope.resourceGroup,
        location: scope.location,
        id: `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}`,
      };
    case 'subscription':
      return { subscriptionId: scope.subscriptionId, id: `/subscriptions/${scope.subscriptionId}` };
    case 'resourceid':
      return resourceId(
        args.map((a, i) => str(a, `argument ${i + 1}`)),
        scope,
      );
    case 'uniquestring':
    case 'guid': {
      if (!args.length) throw new ArmExpressionError(`${name}() needs at least one argument`);
      // ARM takes strings only here (a number is refused too), so the hash is of what was written.
      const strings = args.map((a, i) => {
        if (typeof a !== 'string')
          throw new ArmExpressionError(`${name}(): argument ${i + 1} is not a string`);
        return a;
      });
      return name.toLowerCase() === 'guid' ? guid(strings) : uniqueString(strings);
    }
    case 'reference':
      // Without modules, reference() is refused as any other function.
      if (scope.reference) return scope.reference(args);
      return notEvaluated(name);
    default:
      return notEvaluated(name);
  }
}

function notEvaluated(name: string): never {
  throw new ArmExpressionError(
    `the ARM function '${name}()' can't be evaluated by the task (it evaluates ` +
      `${EVALUATED_FUNCTIONS.map((f) => `${f}()`).join(', ')})`,
  );
}

/**
 * resourceId([subscriptionId,] [resourceGroupName,] type, name1, name2, ...): the type is the first
 * argument with a '/'.
 */
function resourceId(args: string[], scope: ArmScope): string {
  const t = args.findIndex((a) => /^[A-Za-z0-9.]+\/[A-Za-z0-9/]+$/.test(a));
  if (t < 0 || t > 2)
    throw new ArmExpressionError(
      `resourceId(): no resource type such as 'Microsoft.Compute/images' among its arguments`,
    );
  const [ns, ...types] = args[t].split('/');
  const names = args.slice(t + 1);
  if (names.length !== types.length)
    throw new ArmExpressionError(
      `resourceId(): '${args[t]}' needs ${types.length} ` +
        `name${types.length === 1 ? '' : 's'}, got ${names.length}`,
    );
  const sub = t === 2 ? args[0] : scope.subscriptionId;
  const rg = t === 2 ? args[1] : t === 1 ? args[0] : scope.resourceGroup;
  return (
    `/subscriptions/${sub}/resourceGroups/${rg}/providers/${ns}/` +
    `${types.map((ty, i) => `${ty}/${names[i]}`).join('/')}`
  );
}
