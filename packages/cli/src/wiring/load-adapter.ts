import { RollgateError } from '@rollgate/core';

/**
 * Imports an adapter package a configuration names. The CLI lists its adapters as optional peer
 * dependencies (a Deployer user does not install the Kubernetes client), so one that is not
 * installed is a one-line install hint as `CONFIG_INVALID` (exit 2), not a stack trace. A module
 * missing inside an installed adapter is a different problem and passes through as it is.
 *
 * `where` names the configuration field that asked for the adapter (`rollgate.yaml: sources.prom`).
 */
export async function loadAdapter<T>(packageName: string, where: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isMissingPackage(error, packageName)) throw error;
    throw new RollgateError(
      'CONFIG_INVALID',
      `${where} needs ${packageName}, which is not installed; install it beside @rollgate/cli: npm install ${packageName}`,
      { component: 'cli-config', details: { package: packageName } },
    );
  }
}

function isMissingPackage(error: unknown, packageName: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // Node: "Cannot find package '@rollgate/x' imported from ...". A missing dependency of the
  // adapter names that dependency instead, and is not this adapter being absent.
  return (
    typeof message === 'string' && new RegExp(`['"]${escapeRegExp(packageName)}(/[^'"]*)?['"]`).test(message)
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
