import { readFile } from 'node:fs/promises';
import { defaultSignals, parseContract, RollgateError } from '@rollgate/core';
import type { ContractOverrides } from '@rollgate/core/scenarios';
import { parse as parseYaml } from 'yaml';

/**
 * Reads contract overrides (YAML or JSON: any contract field but `service`) for `backtest` and
 * `calibrate`, and checks them once against the full contract schema so a mistake is reported
 * with the file and the field path before anything is replayed.
 */
export async function loadContractOverrides(file: string): Promise<ContractOverrides> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `${file}: cannot read the contract file (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      {
        component: 'cli',
        cause: error,
      },
    );
  }
  let value: unknown;
  try {
    value = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      {
        component: 'cli',
        cause: error,
      },
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `${file}: expected a mapping of contract fields (alpha, warmupSeconds, signals, ...).`,
      {
        component: 'cli',
      },
    );
  }
  if ('service' in value) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `${file}: service: each scenario names its own service; remove service.`,
      {
        component: 'cli',
      },
    );
  }
  // Checked against a complete contract: the scenario's own timing replaces these defaults later.
  parseContract({ service: 'overrides-check', signals: defaultSignals(), ...value }, file);
  return value as ContractOverrides;
}
