import pkg from '../package.json' with { type: 'json' };

/** The release this build is, from package.json (bundled, so the single executable knows it too). */
export const version: string = pkg.version;
