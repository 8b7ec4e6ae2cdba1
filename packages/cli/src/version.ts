import pkg from '../package.json' with { type: 'json' };

/** `latchkey --version`: the package's own version (inlined into the bundle at build time). */
export const VERSION: string = pkg.version;
