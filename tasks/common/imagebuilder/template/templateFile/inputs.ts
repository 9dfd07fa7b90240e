/**
 * The file inputs, read and parsed before anything is done in Azure: `templateFile` (a `.bicep` one
 * compiled, bicep.ts) with `templateParameters` (JSON, name=value lines, or a `.bicepparam` file:
 * bicepParams.ts), and `customizersFile`. Paths are relative to System.DefaultWorkingDirectory
 * and must stay inside it (as the build artifacts folder: a pull request must not point the build
 * at agent files). Evaluating the template needs the subscription, so it happens in
 * actions/prepare.ts, still before any write.
 */
import * as fs from 'fs';
import * as path from 'path';
import { errorMessage, InputError } from '../../../core/errors';
import { InputReader } from '../../../core/inputReader';
import { PipelineInfo } from '../../../core/pipelineInfo';
import type { Customizer } from '../customizers';
import { ArmValue } from './armExpressions';
import { compileBicep, isBicep, isBicepParams } from './bicep';
import { readBicepParams } from './bicepParams';
import { isObj, parseDocument } from './loadTemplate';
import { migrateCustomizers } from './migrate';

export interface TemplateFileInput {
  /** As given (relative), for messages. */
  given: string;
  /** Absolute path. */
  file: string;
  doc: unknown;
  parameters: Record<string, ArmValue>;
}

export function readTemplateFileInputs(
  inputs: InputReader,
  pipeline: PipelineInfo,
): TemplateFileInput | undefined {
  const given = inputs.string('templateFile');
  const rawParams = inputs.string('templateParameters');
  if (!given) {
    if (rawParams)
      throw new InputError(
        'templateParameters',
        'is set without templateFile',
        'templateFile as well, or no templateParameters',
      );
    return undefined;
  }
  if (inputs.string('sourceImage'))
    throw new InputError(
      'templateFile',
      "and sourceImage are both set; the template file's properties.source is what is built",
      'one of the two',
    );
  const { file, text } = readInside('templateFile', given, pipeline);
  // A .bicepparam file's values are what the Bicep CLI computes of it (bicepParams.ts); read first,
  // as its `using` must name this templateFile.
  const paramsGiven = (rawParams ?? '').trim();
  let parameters: Record<string, ArmValue>;
  // A path, not a `name=value` line whose value ends so.
  if (isBicepParams(paramsGiven) && !/[\n=]/.test(paramsGiven)) {
    const read = readInside('templateParameters', paramsGiven, pipeline);
    parameters = readBicepParams({
      paramsFile: read.file,
      paramsGiven,
      text: read.text,
      templateFile: file,
      templateGiven: given,
    });
  } else parameters = parseParameters(rawParams ?? '');
  // A Bicep file is read as the ARM template its compiler makes of it (bicep.ts).
  const bicep = isBicep(file);
  return {
    given,
    file,
    doc: parseDocument(
      bicep ? compileBicep(file, given) : text,
      'templateFile',
      bicep ? `${path.basename(file)} (compiled)` : path.basename(file),
    ),
    parameters,
  };
}

export function readCustomizersFile(
  inputs: InputReader,
  pipeline: PipelineInfo,
): { path: string; customizers: Customizer[]; warnings: string[] } | undefined {
  const given = inputs.string('customizersFile');
  if (!given) return undefined;
  const { file, text } = readInside('customizersFile', given, pipeline);
  const doc = parseDocument(text, 'customizersFile', path.basename(file));
  const list = Array.isArray(doc)
    ? doc
    : isObj(doc) && Array.isArray(doc.customize)
      ? doc.customize
      : undefined;
  if (!list)
    throw new InputError(
      'customizersFile',
      `${given} holds neither a customize list nor an object with one`,
      'a JSON or YAML list of Image Builder customisers, or { "customize": [...] }',
    );
  if (list.length === 0)
    throw new InputError(
      'customizersFile',
      `${given} holds no customisers`,
      'at least one customiser',
    );
  const warnings: string[] = [];
  const customizers = migrateCustomizers(
    list as ArmValue[],
    'customize',
    warnings,
    (p, problem) => {
      throw new InputError('customizersFile', `${p}: ${problem}`);
    },
  ) as Customizer[];
  return { path: file, customizers, warnings };
}

/**
 * `templateParameters`: a JSON object (an ARM parameters file's `{ "x": { "value": ... } }` too) or
 * `name=value` lines.
 */
export function parseParameters(raw: string): Record<string, ArmValue> {
  const text = raw.trim();
  if (!text) return {};
  if (text.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (err) {
      throw new InputError(
        'templateParameters',
        `is not valid JSON: ${errorMessage(err)}`,
        'a JSON object or name=value lines',
      );
    }
    if (!isObj(v))
      throw new InputError(
        'templateParameters',
        'is not a JSON object',
        'a JSON object or name=value lines',
      );
    const params =
      isObj(v.parameters) && (typeof v.$schema === 'string' || v.contentVersion !== undefined)
        ? v.parameters
        : v;
    return Object.fromEntries(
      Object.entries(params).map(([k, x]) => [
        k,
        isObj(x) && 'value' in x && Object.keys(x).length === 1 ? x.value : x,
      ]),
    );
  }
  const out: Record<string, ArmValue> = {};
  for (const line of text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)) {
    const m = /^([^=\s]+)\s*=(.*)$/.exec(line);
    if (!m)
      throw new InputError(
        'templateParameters',
        `'${line}' is not name=value`,
        'a JSON object or name=value lines',
      );
    out[m[1]] = m[2].trim();
  }
  return out;
}

function readInside(
  input: string,
  given: string,
  pipeline: PipelineInfo,
): { file: string; text: string } {
  const base = path.resolve(pipeline.defaultWorkingDirectory || process.cwd());
  const file = path.resolve(base, given);
  const rel = path.relative(base, file);
  if (rel.startsWith('..') || path.isAbsolute(rel))
    throw new InputError(input, `'${given}' is outside ${base}`, `a file under ${base}`);
  try {
    // A link inside that leads outside is refused as the artifacts folder refuses one (after the
    // lexical check, so a refusal says nothing about what exists outside).
    const real = fs.realpathSync(file);
    const realRel = path.relative(fs.realpathSync(base), real);
    if (realRel.startsWith('..') || path.isAbsolute(realRel))
      throw new InputError(
        input,
        `'${given}' is a symbolic link that points outside ${base}, to '${real}'`,
        `a file under ${base}: a pull request must not point the build at agent files`,
      );
    return { file, text: fs.readFileSync(real, 'utf8') };
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(
      input,
      `'${given}' can't be read (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`,
      `a file under ${base}`,
    );
  }
}
