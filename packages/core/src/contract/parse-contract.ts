import { configError } from './config-error';
import { type Contract, ContractSchema } from './contract-schema';
import { internContract } from './intern-contract';

/**
 * Validates a contract and fills in its defaults. Throws `RollgateError` with code
 * `CONFIG_INVALID` naming every bad field's path and what is allowed. The input is not mutated.
 * Contracts parsed in one process share their equal parts, frozen (intern-contract.ts): the
 * returned object is the caller's, its object and array fields are read-only.
 *
 * @param origin names the input in the message, e.g. the file it came from.
 */
export function parseContract(input: unknown, origin = 'contract'): Contract {
  const result = ContractSchema.safeParse(input);
  if (!result.success) throw configError(result.error, origin);
  return internContract(result.data);
}
