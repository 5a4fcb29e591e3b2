import { RollgateError } from '@rollgate/core';

/**
 * Calls an adapter factory and turns its `CONFIG_INVALID` (which names the option inside the
 * adapter, e.g. `auth.token`) into one that also names the file and the field of the
 * configuration (`rollgate.yaml: sources.prom: ...`). Other errors pass through.
 */
export function withConfigField<T>(file: string, field: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (RollgateError.is(error) && error.code === 'CONFIG_INVALID') {
      throw new RollgateError('CONFIG_INVALID', `${file}: ${field}: ${error.message}`, {
        component: error.component,
        cause: error,
        details: { field },
      });
    }
    throw error;
  }
}
