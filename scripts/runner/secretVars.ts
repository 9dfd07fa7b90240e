/**
 * Secret pipeline variables as the agent handles them: their values reach the task only as
 * `SECRET_<NAME>` (task-lib moves them into its vault) and through `$(name)` macros in inputs,
 * never as plain variables; and the agent masks each value as `***` in the log it writes.
 */

/** The agent's variable name in the environment: upper case, dots and spaces as underscores. */
const envName = (name: string) => name.replace(/[ .]/g, '_').toUpperCase();

/** `SECRET_<NAME>` for each secret variable, as the agent passes them to a task. */
export function secretEnv(secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(secrets).map(([name, value]) => [`SECRET_${envName(name)}`, value]),
  );
}

/**
 * Expands `$(name)` macros in input values as the agent does before starting a task: a known
 * variable (names compared ignoring case) is replaced by its value; an unknown one stays as
 * written.
 */
export function expandMacros(
  inputs: Record<string, string>,
  variables: Record<string, string>,
): Record<string, string> {
  const byName = new Map(Object.entries(variables).map(([k, v]) => [k.toLowerCase(), v]));
  const expand = (value: string) =>
    value.replace(
      /\$\(([^()\s]+)\)/g,
      (macro, name: string) => byName.get(name.toLowerCase()) ?? macro,
    );
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, expand(v)]));
}

/**
 * Masks secret values in text that comes in chunks: whole lines are masked and passed on (a value
 * split across two chunks is still found), the last partial line when the output ends.
 */
export class SecretMasker {
  private readonly secrets: string[];
  private pending = '';

  constructor(values: string[]) {
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = [...new Set(values.filter((v) => v !== ''))].sort((a, b) => b.length - a.length);
  }

  /** The complete lines of `chunk` (with what came before it), masked. */
  push(chunk: string): string {
    const text = this.pending + chunk;
    const end = text.lastIndexOf('\n') + 1;
    this.pending = text.slice(end);
    return this.mask(text.slice(0, end));
  }

  /** What is left of the last line, masked. */
  end(): string {
    const rest = this.pending;
    this.pending = '';
    return this.mask(rest);
  }

  mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }
}
