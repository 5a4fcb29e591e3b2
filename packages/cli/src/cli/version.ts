import packageJson from '../../package.json' with { type: 'json' };

/** The version of @rollgate/cli, as `rollgate --version` prints it. */
export const CLI_VERSION: string = packageJson.version;
