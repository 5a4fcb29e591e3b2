import { accessSync, constants, statSync } from 'node:fs';

/** Whether `file` is a regular file this process may execute: how a server binary is found. */
export function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
