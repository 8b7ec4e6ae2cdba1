import { InvalidArgumentError, type Option } from 'commander';

/**
 * An option with a fixed set of values, matched case-insensitively: `--role reader` and
 * `--role READER` (the API's spelling, as in --json output) are the same. The help still lists
 * the choices; anything else is the usual usage error naming them.
 */
export function choice<T extends string>(option: Option, values: readonly T[]): Option {
  return option.choices(values).argParser((text: string): T => {
    const found = values.find((v) => v === text.toLowerCase());
    if (found === undefined) throw new InvalidArgumentError(`Allowed choices are ${values.join(', ')}.`);
    return found;
  });
}
