import { InputError } from './errors';
import { DurationUnit, formatDuration, parseDuration } from './duration';

/** Where raw input values come from: task-lib in a task, a plain object in tests. */
export interface InputSource {
  /** The raw value, or undefined when the input is unset or empty. */
  get(name: string): string | undefined;
  /** Marks a value read from an input as secret. */
  secret(value: string): void;
}

interface Common {
  required?: boolean;
}

/**
 * Typed, validated task inputs. Every error names the input, says what was wrong and what would be
 * right, so the task fails before anything is created in Azure.
 */
export class InputReader {
  constructor(private readonly source: InputSource) {}

  /**
   * A reader that sees `values` in place of the inputs they name ('' reads as unset), the others as
   * they are.
   */
  with(values: ReadonlyMap<string, string>): InputReader {
    return new InputReader({
      get: (name) => (values.has(name) ? values.get(name) || undefined : this.source.get(name)),
      secret: (value) => this.source.secret(value),
    });
  }

  string(
    name: string,
    opts: Common & { required: true; pattern?: RegExp; expected?: string },
  ): string;
  string(name: string, opts?: Common & { pattern?: RegExp; expected?: string }): string | undefined;
  string(
    name: string,
    opts: Common & { pattern?: RegExp; expected?: string } = {},
  ): string | undefined {
    const raw = this.source.get(name)?.trim();
    if (!raw) {
      if (opts.required) throw new InputError(name, 'a value is required', opts.expected);
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(raw)) {
      throw new InputError(
        name,
        `'${raw}' is not valid`,
        opts.expected ?? `a value matching ${opts.pattern}`,
      );
    }
    return raw;
  }

  /** A secret input: marked secret before anything can print it. */
  secret(name: string, opts: Common = {}): string | undefined {
    const raw = this.source.get(name);
    if (raw) this.source.secret(raw);
    if (!raw && opts.required) throw new InputError(name, 'a value is required');
    return raw || undefined;
  }

  bool(name: string, defaultValue = false): boolean {
    const raw = this.string(name);
    if (raw === undefined) return defaultValue;
    if (/^(true|yes|1)$/i.test(raw)) return true;
    if (/^(false|no|0)$/i.test(raw)) return false;
    throw new InputError(name, `'${raw}' is not a boolean`, "'true' or 'false'");
  }

  int(
    name: string,
    opts: Common & { min?: number; max?: number; defaultValue?: number } = {},
  ): number | undefined {
    const raw = this.string(name, { required: opts.required });
    if (raw === undefined) return opts.defaultValue;
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = opts;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      throw new InputError(
        name,
        `'${raw}' is not a whole number in range`,
        `a whole number from ${min} to ${max}`,
      );
    }
    return value;
  }

  /** One of `values`, matched case-insensitively and returned in its canonical spelling. */
  choice<T extends string>(name: string, values: readonly T[], defaultValue?: T): T {
    const raw = this.string(name, { required: defaultValue === undefined });
    if (raw === undefined) return defaultValue as T;
    const match = values.find((v) => v.toLowerCase() === raw.toLowerCase());
    if (!match)
      throw new InputError(
        name,
        `'${raw}' is not one of the allowed values`,
        `one of ${values.join(', ')}`,
      );
    return match;
  }

  /** A duration in milliseconds: `90s`, `30m`, `2h`, `1h30m`, or a bare number of `bareUnit`. */
  duration(
    name: string,
    opts: Common & {
      bareUnit?: DurationUnit;
      min?: number;
      max?: number;
      defaultValue?: number;
    } = {},
  ): number | undefined {
    const raw = this.string(name, { required: opts.required });
    if (raw === undefined) return opts.defaultValue;
    const unit = opts.bareUnit ?? 'm';
    const ms = parseDuration(raw, unit);
    const expected =
      `a duration such as 90s, 30m, 2h or 1h30m (a bare number means ` +
      `${{ s: 'seconds', m: 'minutes', h: 'hours' }[unit]})`;
    if (ms === undefined) throw new InputError(name, `'${raw}' is not a duration`, expected);
    if ((opts.min !== undefined && ms < opts.min) || (opts.max !== undefined && ms > opts.max)) {
      const range =
        opts.max === undefined
          ? `of at least ${formatDuration(opts.min ?? 0)}`
          : `between ${formatDuration(opts.min ?? 0)} and ${formatDuration(opts.max)}`;
      throw new InputError(name, `${formatDuration(ms)} is out of range`, `a duration ${range}`);
    }
    return ms;
  }

  /**
   * Marks a value the task made for an input (a generated password) secret, as `secret` does for
   * one read from an input.
   */
  markSecret(value: string): void {
    this.source.secret(value);
  }

  /** Tags as `name=value`, one per line, checked against what Azure accepts; {} when unset. */
  tags(name: string): Record<string, string> {
    const tags: Record<string, string> = {};
    for (const entry of (this.string(name) ?? '').split(/[\r\n]+/).map((s) => s.trim())) {
      if (!entry) continue;
      const m = /^([^=]+?)\s*=\s*(.*)$/.exec(entry);
      if (!m)
        throw new InputError(
          name,
          `'${entry}' is not name=value`,
          'one tag per line, e.g. owner=ops',
        );
      const [, tag, value] = m;
      if (/[<>%&\\?/]/.test(tag) || tag.length > 512 || /^(microsoft|azure|windows)/i.test(tag))
        throw new InputError(
          name,
          `'${tag}' is not a tag name Azure accepts`,
          'a name without < > % & \\ ? / of up to 512 characters, not starting with ' +
            'microsoft, azure or windows',
        );
      if (value.length > 256)
        throw new InputError(name, `the value of '${tag}' is longer than 256 characters`);
      tags[tag] = value;
    }
    return tags;
  }

  /** A list split on newlines and commas, blanks dropped. */
  list(name: string, opts: Common = {}): string[] {
    const raw = this.string(name, { required: opts.required });
    return raw
      ? raw
          .split(/[\r\n,]+/)
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
  }
}
