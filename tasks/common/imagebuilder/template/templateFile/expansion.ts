/**
 * YAML aliases let a small file stand for a huge document (nine lines of nine aliases each are
 * 387 million values): what reads it afterwards would spend minutes or run out of memory. A
 * customisers or template file is refused when it stands for more values than any real one has.
 */
import { InputError } from '../../../core/errors';

/** Far above any real customisers or template file (hundreds to a few thousand values). */
export const MAX_VALUES = 100_000;

/**
 * Options: the parsed document, the input that named the file, its name. Result: none; throws an
 * InputError when walking it as its readers will (aliases expanded) visits more than MAX_VALUES.
 */
export function refuseExpansionBomb(doc: unknown, input: string, fileName: string): void {
  let values = 0;
  const stack: unknown[] = [doc];
  while (stack.length) {
    const value = stack.pop();
    if (++values > MAX_VALUES)
      throw new InputError(
        input,
        `${fileName} stands for more than ${MAX_VALUES} values once its YAML aliases (*name) ` +
          'are expanded',
        'a file whose aliases repeat a few values, not nested ones that multiply',
      );
    if (value && typeof value === 'object') stack.push(...(Object.values(value) as unknown[]));
  }
}
