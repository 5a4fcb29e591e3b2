/**
 * The configuration files looked for, in order, when `--config` is not given. Apart from the
 * loader (zod, YAML), so a command's help can name them without loading it.
 */
export const DEFAULT_CONFIG_FILES = ['rollgate.yaml', 'rollgate.yml', 'rollgate.json'] as const;
