import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import {
  isValidKeep,
  MIN_KEEP,
  newestFirst,
  newestNotExcluded,
  payloadProblem,
  retainVerification,
} from '../artifacts/artifact-retention';
import { checkVerification, signVerification } from '../artifacts/verification-signing';
import { RollgateError } from '../errors/rollgate-error';
import type { PortContext } from '../ports/abort';
import type {
  ArtifactStore,
  CheckedVerification,
  Signer,
  VerificationPayload,
  VerificationRecord,
} from '../ports/artifact-store';
import { fail, ok, type Result } from '../ports/result';
import type { Clock } from '../time/clock';
import { writeFileAtomic } from './atomic-write';
import { abandonedResult, runPortCall } from './port-call';
import { SerialQueue } from './serial-queue';
import { systemClock } from './system-clock';

const COMPONENT = 'file-artifact-store';

/** The `format` marker of an artifact store file. */
export const ARTIFACT_FILE_FORMAT = 'rollgate.artifacts/v1';

/** Options for {@link createFileArtifactStore}. */
export interface FileArtifactStoreOptions {
  /** The JSON file holding the records; its directory is created when missing. */
  readonly path: string;
  /** Signs new records and checks every record read back. */
  readonly signer: Signer;
  /** Verified artifacts kept per service, newest first. Default 5, at least 3. */
  readonly keep?: number;
  /** The controller's clock, against which `ctx.deadline` is compared. Default `systemClock`. */
  readonly clock?: Clock;
}

// Only what the store itself needs is checked here; everything the signature covers is left as
// found, so an edited value comes back as `signatureValid: false` rather than as a corrupt file.
const StoredRecordSchema = z.object({
  service: z.string(),
  artifact: z.looseObject({ id: z.string() }),
  verifiedAt: z.number(),
  evidence: z.looseObject({}),
  keyId: z.string(),
  algorithm: z.string(),
  signature: z.string(),
});

const StoreFileSchema = z.object({
  format: z.literal(ARTIFACT_FILE_FORMAT),
  records: z.array(StoredRecordSchema),
});

/**
 * An {@link ArtifactStore} in one JSON document (`{ "format": "rollgate.artifacts/v1",
 * "records": [...] }`, records in the order they were stored), rewritten atomically on every
 * `record`. It keeps the `keep` newest records per service and replaces an artifact's older
 * record when the artifact is verified again. Every record read back has its signature checked;
 * a corrupt file is a `STORE_FAILED` result, never an empty store.
 *
 * One process should write a given file: calls within a process are serialised, writers in
 * different processes are not (readers always see a whole file).
 *
 * @throws RollgateError `CONFIG_INVALID` for a missing path or signer, or `keep` below 3.
 */
export function createFileArtifactStore(options: FileArtifactStoreOptions): ArtifactStore {
  const { path, signer } = options;
  const keep = options.keep ?? 5;
  const clock = options.clock ?? systemClock;
  if (typeof path !== 'string' || path.length === 0) {
    throw new RollgateError(
      'CONFIG_INVALID',
      'path: give the artifact store file, e.g. ".rollgate/artifacts.json".',
      {
        component: COMPONENT,
      },
    );
  }
  if (!signer || typeof signer.sign !== 'function') {
    throw new RollgateError(
      'CONFIG_INVALID',
      'signer: give a Signer (createEd25519Signer or createHmacSigner).',
      {
        component: COMPONENT,
      },
    );
  }
  if (!isValidKeep(keep)) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `keep: must be an integer of at least ${MIN_KEEP} (got ${keep}); Rollgate keeps at least three verified artifacts to roll back to.`,
      { component: COMPONENT },
    );
  }
  const queue = new SerialQueue();
  const call = <T>(ctx: PortContext, op: () => Promise<Result<T>>) =>
    runPortCall(ctx, clock, COMPONENT, 'STORE_FAILED', (abandoned) =>
      queue.run(() => (abandoned() ? Promise.resolve(abandonedResult<T>(COMPONENT)) : op())),
    );

  const checkAll = (records: readonly VerificationRecord[]): Promise<CheckedVerification[]> =>
    Promise.all(records.map((record) => checkVerification(record, signer)));

  return {
    record: (payload, ctx) =>
      call(ctx, async () => {
        const problem = payloadProblem(payload);
        if (problem !== null) {
          return fail(
            new RollgateError('STORE_FAILED', `Refused to record a verification: ${problem}.`, {
              component: COMPONENT,
            }),
          );
        }
        const current = await readStore(path);
        if (!current.ok) return current;
        let signed: VerificationRecord;
        try {
          signed = await signVerification(copyPayload(payload), signer);
        } catch (error) {
          return fail(
            RollgateError.is(error)
              ? error
              : new RollgateError(
                  'STORE_FAILED',
                  `Could not sign the verification of ${payload.artifact.id}: ${messageOf(error)}`,
                  {
                    component: COMPONENT,
                    cause: error,
                  },
                ),
          );
        }
        const records = retainVerification(current.value, signed, keep);
        try {
          await mkdir(dirname(path), { recursive: true });
          await writeFileAtomic(
            path,
            `${JSON.stringify({ format: ARTIFACT_FILE_FORMAT, records }, null, 2)}\n`,
          );
        } catch (error) {
          return fail(ioError(`Could not write the artifact store ${path}`, error));
        }
        return ok(signed);
      }),

    lastVerified: (service, { excluding }, ctx) =>
      call(ctx, async () => {
        const current = await readStore(path);
        if (!current.ok) return current;
        const newest = newestNotExcluded(current.value, service, excluding);
        return ok(newest === null ? null : await checkVerification(newest, signer));
      }),

    list: (service, ctx) =>
      call(ctx, async () => {
        const current = await readStore(path);
        if (!current.ok) return current;
        return ok(await checkAll(newestFirst(current.value.filter((r) => r.service === service))));
      }),
  };
}

/** Reads the store file: a missing file is an empty store, anything unreadable an error. */
async function readStore(path: string): Promise<Result<VerificationRecord[]>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok([]);
    return fail(ioError(`Could not read the artifact store ${path}`, error));
  }
  const corrupt = (what: string, cause?: unknown) =>
    fail<VerificationRecord[]>(
      new RollgateError(
        'STORE_FAILED',
        `The artifact store ${path} is corrupt: ${what}. Restore it from a backup or move it aside; Rollgate never treats a damaged store as empty.`,
        { component: COMPONENT, cause, details: { path } },
      ),
    );
  if (text.trim().length === 0) return corrupt('the file is empty');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return corrupt(`not valid JSON (${messageOf(error)})`, error);
  }
  const parsed = StoreFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
    return corrupt(`${where}: ${issue?.message ?? 'unexpected shape'}`, parsed.error);
  }
  // The schema checked what the store relies on; the rest is covered by each record's signature.
  return ok(parsed.data.records as unknown as VerificationRecord[]);
}

/** A plain copy, so a caller's frozen or class-based payload signs and stores the same. */
function copyPayload(payload: VerificationPayload): VerificationPayload {
  return {
    service: payload.service,
    artifact: payload.artifact,
    verifiedAt: payload.verifiedAt,
    evidence: payload.evidence,
  };
}

function ioError(what: string, error: unknown): RollgateError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new RollgateError(
    'STORE_FAILED',
    `${what} (${code ?? messageOf(error)}); check the path and its permissions.`,
    {
      component: COMPONENT,
      cause: error,
      retryable: code === 'EAGAIN' || code === 'EBUSY' || code === 'EMFILE' || code === 'ENFILE',
    },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
