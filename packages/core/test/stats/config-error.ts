import { expect } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';

/** Asserts that `fn` throws a CONFIG_INVALID RollgateError naming the option at `path`. */
export function configError(fn: () => unknown, path: string): void {
  try {
    fn();
  } catch (error) {
    expect(RollgateError.is(error)).toBe(true);
    expect((error as RollgateError).code).toBe('CONFIG_INVALID');
    expect((error as RollgateError).details.path).toBe(path);
    return;
  }
  throw new Error(`expected CONFIG_INVALID for ${path}`);
}
