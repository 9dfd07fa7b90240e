// Turns a schema violation into the error body the real service would answer, in its own words.
//
// Three dialects:
// - Image Builder (a Go service; 2024-02-01 and later reject unknown and wrong-case fields). The
//   unknown field message copies the one in the AIB release notes ("Unmarshalling entity
// encountered error:
//   unmarshalling type *v2024_02_01.ImageTemplate: struct field Properties: ... unknown field
// \"vmboot\".
//   There is an issue with the syntax ..."), with the JSON path added so the user can find the
// member.
//   Missing fields and bad values use AIB's documented `ValidationFailed` messages. The code AIB
// puts on the
//   unmarshalling error is not documented; `InvalidRequestContent` (ARM's code for an
// undeserialisable body)
//   is used.
// - Compute (CRP): `InvalidParameter` with "Required parameter 'x' is missing (null)." and "The
//   value of parameter x is invalid.", as CRP answers.
// - Other .NET providers: Newtonsoft's deserialisation messages under `InvalidRequestContent`
//   ("Could not find member 'foo' on object of type 'Bar'. Path 'properties.foo'"), without the
//   line/position part (the body reaches us already parsed).
import { PathPart, TypeDesc, Violation } from './schemaWalker';

export interface ArmError {
  code: string;
  message: string;
  target: string;
}

export type Dialect = 'imagebuilder' | 'compute' | 'dotnet';

export function dialectFor(namespace: string): Dialect {
  const ns = namespace.toLowerCase();
  if (ns === 'microsoft.virtualmachineimages') return 'imagebuilder';
  if (ns === 'microsoft.compute') return 'compute';
  return 'dotnet';
}

/**
 * `properties.customize[0].runElevated`; keys that aren't identifiers in brackets, as Newtonsoft
 * writes them.
 */
export function formatPath(path: PathPart[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(p)) out += (out ? '.' : '') + p;
    else out += `['${p}']`;
  }
  return out;
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'number' : `number ${v}`;
  return typeof v; // string, object
}

function shown(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

// ---- Image Builder (Go) ----

const AIB_SYNTAX =
  'There is an issue with the syntax with the JSON template you are submitting. Please ' +
  'check the JSON template for syntax and grammar. ' +
  ('For more information on the syntax and grammar of the JSON template, visit ' +
    'http://aka.ms/azvmimagebuildertmplref.');

function goPackage(apiVersion: string): string {
  return 'v' + apiVersion.replace(/-/g, '_');
}

function goType(t: TypeDesc | undefined, pkg: string): string {
  if (!t) return 'interface {}';
  switch (t.kind) {
    case 'string':
      return 'string';
    case 'integer':
      return t.format === 'int64' ? 'int64' : 'int32';
    case 'number':
      return t.format === 'float' ? 'float32' : 'float64';
    case 'boolean':
      return 'bool';
    case 'array':
      return (
        '[]' +
        (t.item && (t.item.kind === 'object' || t.item.kind === 'map') ? '*' : '') +
        goType(t.item, pkg)
      );
    case 'map':
      return 'map[string]*' + goType(t.item, pkg);
    case 'object':
      return `${pkg}.${t.name}`;
    default:
      return 'interface {}';
  }
}

function goChain(chain: Violation['chain'], pkg: string): string {
  return chain
    .map(
      (c) =>
        `unmarshalling type *${pkg}.${c.typeName}` +
        (c.field ? `: struct field ${c.field.charAt(0).toUpperCase()}${c.field.slice(1)}` : ''),
    )
    .join(': ');
}

function imageBuilderError(v: Violation, apiVersion: string, rootName: string): ArmError {
  const pkg = goPackage(apiVersion);
  const target = formatPath(v.path);
  const parent = v.path.slice(0, -1);
  const last = v.path[v.path.length - 1];
  const context = [rootName, formatPath(parent)].filter((s) => s).join('.');
  switch (v.kind) {
    case 'unknownMember': {
      const innermost = v.chain[v.chain.length - 1]?.typeName ?? rootName;
      return {
        code: 'InvalidRequestContent',
        message:
          `Unmarshalling entity encountered error: ${goChain(v.chain, pkg)}: unmarshalling ` +
          `type *${pkg}.${innermost}, unknown field "${String(last)}" (at '${target}'). ` +
          `${AIB_SYNTAX}`,
        target,
      };
    }
    case 'wrongType': {
      const holder =
        [...v.chain].reverse().find((c) => c.field !== undefined)?.typeName ?? rootName;
      return {
        code: 'InvalidRequestContent',
        message:
          `Unmarshalling entity encountered error: unmarshalling type *${pkg}.${rootName}: ` +
          `json: cannot unmarshal ${jsonKind(v.value)} ` +
          (`into Go struct field ${holder}.${target} of type ${goType(v.expected, pkg)}. ` +
            `${AIB_SYNTAX}`),
        target,
      };
    }
    case 'missingRequired':
      return {
        code: 'ValidationFailed',
        message:
          `Validation failed: '${context}': Missing field '${String(last)}'. Please review ` +
          `http://aka.ms/azvmimagebuildertmplref for details on fields required in the Image ` +
          `Builder Template.`,
        target,
      };
    case 'badValue':
      return {
        code: 'ValidationFailed',
        message:
          `Validation failed: '${context}': Field '${String(last)}' has a bad value: ` +
          `'${shown(v.value)}' (${v.reason}). ` +
          ('Please review http://aka.ms/azvmimagebuildertmplref for details on fields ' +
            'requirements in the Image Builder Template.'),
        target,
      };
  }
}

// ---- .NET providers (Newtonsoft deserialisation) ----

function dotnetType(t: TypeDesc | undefined): string {
  if (!t) return 'System.Object';
  switch (t.kind) {
    case 'string':
      if (t.format === 'uuid') return 'System.Guid';
      if (t.format === 'date-time') return 'System.DateTime';
      return t.name ?? 'System.String';
    case 'integer':
      return t.format === 'int64' ? 'System.Int64' : 'System.Int32';
    case 'number':
      return 'System.Double';
    case 'boolean':
      return 'System.Boolean';
    case 'array':
      return `System.Collections.Generic.IList\`1[${dotnetType(t.item)}]`;
    case 'map':
      return `System.Collections.Generic.IDictionary\`2[System.String,${dotnetType(t.item)}]`;
    case 'object':
      return t.name ?? 'System.Object';
    default:
      return 'System.Object';
  }
}

const DESERIALISE = 'The request content was invalid and could not be deserialized: ';

function conversionMessage(v: Violation, target: string): string {
  const kind = jsonKind(v.value);
  if (kind === 'object' || kind === 'array') {
    return (
      `${DESERIALISE}'Cannot deserialize the current JSON ${kind} into type ` +
      `'${dotnetType(v.expected)}'. Path '${target}'.'`
    );
  }
  return (
    `${DESERIALISE}'Error converting value ${JSON.stringify(v.value)} to type ` +
    `'${dotnetType(v.expected)}'. Path '${target}'.'`
  );
}

function dotnetError(v: Violation, dialect: Dialect): ArmError {
  const target = formatPath(v.path);
  const last = String(v.path[v.path.length - 1]);
  switch (v.kind) {
    case 'unknownMember': {
      const holder = v.chain[v.chain.length - 1]?.typeName ?? 'Object';
      return {
        code: 'InvalidRequestContent',
        message:
          `${DESERIALISE}'Could not find member '${last}' on object of type '${holder}'. ` +
          `Path '${target}'.'`,
        target,
      };
    }
    case 'wrongType':
      return { code: 'InvalidRequestContent', message: conversionMessage(v, target), target };
    case 'missingRequired':
      if (dialect === 'compute')
        return {
          code: 'InvalidParameter',
          message: `Required parameter '${last}' is missing (null).`,
          target,
        };
      return {
        code: 'InvalidRequestContent',
        message:
          `${DESERIALISE}'Required property '${last}' not found in JSON. Path ` +
          `'${formatPath(v.path.slice(0, -1))}'.'`,
        target,
      };
    case 'badValue':
      // A closed enum is a .NET enum type: an unknown value fails deserialisation.
      if (v.expected?.name && v.reason?.startsWith('expected one of')) {
        return { code: 'InvalidRequestContent', message: conversionMessage(v, target), target };
      }
      if (dialect === 'compute')
        return {
          code: 'InvalidParameter',
          message: `The value of parameter ${target} is invalid.`,
          target,
        };
      return {
        code: 'BadRequest',
        message: `The value '${shown(v.value)}' of property '${target}' is invalid: ${v.reason}.`,
        target,
      };
  }
}

export function renderViolation(
  v: Violation,
  dialect: Dialect,
  apiVersion: string,
  rootName: string,
): ArmError {
  return dialect === 'imagebuilder'
    ? imageBuilderError(v, apiVersion, rootName)
    : dotnetError(v, dialect);
}

export function missingBodyError(): ArmError {
  return {
    code: 'InvalidRequestContent',
    message: 'The request content was either null or empty.',
    target: '',
  };
}
