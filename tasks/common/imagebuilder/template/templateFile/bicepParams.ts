/**
 * A `.bicepparam` file as templateParameters: its values are what `bicep build-params <file>
 * --stdout` (else `az bicep build-params --file <file> --stdout`) computes, used as JSON or
 * name=value templateParameters are.
 *
 * The CLI's output is one JSON object `{ "parametersJson": string, "templateJson": string | null,
 * "templateSpecId": string | null }`: record BuildParamsStdout (src/Bicep.Cli/Models/
 * ParametersStdout.cs in github.com/Azure/bicep, "Both AzCLI and AzPwsh take a dependency on this
 * exact output format"), written by OutputWriter.ParametersToStdout. parametersJson is an ARM
 * deploymentParameters file whose entries are `{ "value": ... }`, `{ "reference": { "keyVault",
 * "secretName" } }` (getSecret()) or `{ "expression": "[externalInputs(...)]" }` (the baselines
 * src/Bicep.Core.Samples/Files/baselines_bicepparam/{Parameters,Expressions,External_Inputs}/
 * parameters.json there). templateJson is not read: the templateFile is compiled as without a
 * .bicepparam.
 *
 * Its `using` must name the templateFile (or be `using none`): the compiler checks the values
 * against the template `using` names, so values meant for another template would reach this one
 * unchecked, and which of the two the user meant to build is a guess. It is refused naming both.
 */
import * as path from 'path';
import { errorMessage, InputError } from '../../../core/errors';
import { ArmValue } from './armExpressions';
import { runBicep } from './bicep';
import { isObj } from './loadTemplate';

const INPUT = 'templateParameters';

export type UsingTarget =
  { kind: 'none' } | { kind: 'file'; ref: string } | { kind: 'other'; ref: string };

/**
 * Options: the paths (absolute) and the inputs as given, and the .bicepparam's text (read from
 * inside the sources folder by the caller). Result: the parameter values by name. Throws an
 * InputError (templateParameters) before anything is done in Azure.
 */
export function readBicepParams(o: {
  paramsFile: string;
  paramsGiven: string;
  text: string;
  templateFile: string;
  templateGiven: string;
}): Record<string, ArmValue> {
  checkUsing(o);
  const out = runBicep('build-params', o.paramsFile, o.paramsGiven, INPUT);
  return parametersOf(out, o.paramsGiven);
}

/** The template a .bicepparam names with `using`, or undefined when it has no `using`. */
export function usingTarget(text: string): UsingTarget | undefined {
  const m = /(?:^|\n)[ \t]*using\s+(?:(none)\b|'((?:[^'\\\n]|\\.)*)')/.exec(withoutComments(text));
  if (!m) return undefined;
  if (m[1]) return { kind: 'none' };
  const ref = m[2].replace(/\\(.)/g, '$1');
  // Registry modules (br:, br/alias:) and template specs (ts:, ts/alias:) are not files.
  return /^(br|ts)[:/]/i.test(ref) ? { kind: 'other', ref } : { kind: 'file', ref };
}

export function checkUsing(o: {
  paramsFile: string;
  paramsGiven: string;
  text: string;
  templateFile: string;
  templateGiven: string;
}): void {
  const target = usingTarget(o.text);
  const fix =
    `\`using '${path.relative(path.dirname(o.paramsFile), o.templateFile).replace(/\\/g, '/')}'\`` +
    ' (the templateFile) or `using none`';
  if (!target) throw new InputError(INPUT, `'${o.paramsGiven}' has no \`using\` declaration`, fix);
  if (target.kind === 'none') return;
  const named = target.kind === 'file' ? path.resolve(path.dirname(o.paramsFile), target.ref) : '';
  const same =
    process.platform === 'win32'
      ? named.toLowerCase() === path.resolve(o.templateFile).toLowerCase()
      : named === path.resolve(o.templateFile);
  if (!same)
    throw new InputError(
      INPUT,
      `'${o.paramsGiven}' declares \`using '${target.ref}'\`, which is not the templateFile ` +
        `'${o.templateGiven}': its values were checked against that template, not this one`,
      `${fix}, or templateFile naming the template the .bicepparam is for`,
    );
}

/** The values in what `build-params --stdout` printed. */
export function parametersOf(stdout: string, given: string): Record<string, ArmValue> {
  const bad = (why: string): never => {
    throw new InputError(
      INPUT,
      `what the Bicep CLI printed for '${given}' is not what \`build-params --stdout\` prints ` +
        `(a JSON object with parametersJson): ${why}`,
      'a Bicep CLI that has build-params (Bicep 0.18 or later; `az bicep upgrade`)',
    );
  };
  let doc: unknown;
  let params: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch (err) {
    return bad(errorMessage(err));
  }
  const json = isObj(doc) ? doc.parametersJson : undefined;
  if (typeof json !== 'string') return bad('it has no parametersJson string');
  try {
    params = (JSON.parse(json) as { parameters?: unknown }).parameters ?? {};
  } catch (err) {
    return bad(`parametersJson is not JSON: ${errorMessage(err)}`);
  }
  if (!isObj(params)) return bad('parametersJson.parameters is not an object');
  const values: Record<string, ArmValue> = {};
  for (const [name, entry] of Object.entries(params)) {
    if (isObj(entry) && 'value' in entry) {
      values[name] = entry.value;
      continue;
    }
    const what =
      isObj(entry) && 'reference' in entry
        ? 'a Key Vault reference (getSecret()), which Resource Manager resolves at deployment'
        : isObj(entry) && 'expression' in entry
          ? 'an expression Resource Manager evaluates at deployment ' +
            `(${JSON.stringify(entry.expression)})`
          : 'not a value';
    throw new InputError(
      INPUT,
      `'${given}': parameter '${name}' is ${what}; the task does not deploy the template, so it ` +
        `can't use it`,
      'a literal value (or one the compiler computes) for that parameter',
    );
  }
  return values;
}

/** Text without `//` and block comments, strings kept (a `using` inside a comment is not one). */
function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("'''", i)) {
      const end = text.indexOf("'''", i + 3);
      const stop = end < 0 ? text.length : end + 3;
      out += text.slice(i, stop);
      i = stop;
    } else if (text[i] === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== "'" && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      out += ' ';
      i = end < 0 ? text.length : end + 2;
    } else out += text[i++];
  }
  return out;
}
