import { existsSync } from 'node:fs';
import type { ArtifactRef, CheckedVerification } from '@rollgate/core';
import { flag, type ParsedArgs, stringOption } from '../cli/arg-parser';
import { EXIT_CODES } from '../cli/exit-codes';
import { UsageError } from '../cli/usage-error';
import { findConfigFile, type LoadedConfig, loadConfig } from '../config/load-config';
import type { Io } from '../io/io';
import { createRedactor, redactingIo } from '../io/secret-redactor';
import { buildExecutor } from '../wiring/build-adapters';
import { missingSigningKey, openArtifactStore, statePaths } from '../wiring/state-layout';

const ACTIONS = ['list', 'verify', 'record'] as const;

/** The run of `rollgate artifacts` (its definition and help: commands/artifacts.ts). */
export async function runArtifacts(args: ParsedArgs, baseIo: Io): Promise<number> {
  const action = args.positionals[0] as string;
  if (!(ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(`unknown action "${action}"; use list, verify or record.`, 'artifacts');
  }
  const loaded = await loadConfig(
    await findConfigFile(stringOption(args, 'config'), baseIo.cwd, baseIo.env),
    baseIo.env,
  );
  const io = redactingIo(baseIo, createRedactor(loaded.secrets));
  if (action === 'record') return record(args, io, loaded);
  return listOrVerify(args, io, loaded, action === 'verify');
}

async function listOrVerify(
  args: ParsedArgs,
  io: Io,
  loaded: LoadedConfig,
  verifying: boolean,
): Promise<number> {
  const checked: CheckedVerification[] = [];
  // A state directory no watch has used yet has no store file: an empty list, and nothing is
  // created (a read-only command never generates the signing key).
  const state = loaded.config.state;
  const fresh = state.type !== 'postgres' && !existsSync(statePaths(state).artifacts);
  const opened = fresh ? null : await openArtifactStore(state, 'verify');
  const where = opened?.where ?? statePaths(state).artifacts;
  // Records still verify with the public key, but nothing new can be signed: say so.
  const lostKey = missingSigningKey(state, statePaths(state));
  if (lostKey) io.stderr.write(`rollgate artifacts: ${lostKey.code}: ${lostKey.message}\n`);
  const all = flag(args, 'all');
  let services: string[] = all ? [] : [stringOption(args, 'service') ?? loaded.config.service];
  try {
    if (opened) {
      if (all) services = await opened.services();
      const ctx = { signal: new AbortController().signal, deadline: Date.now() + 30_000 };
      for (const service of services) {
        const listed = await opened.store.list(service, ctx);
        if (!listed.ok) throw listed.error;
        checked.push(...listed.value);
      }
    }
  } finally {
    await opened?.close();
  }
  const invalid = checked.filter((c) => !c.signatureValid);
  const json = flag(args, 'json');
  if (json) {
    for (const c of checked) {
      io.stdout.write(
        `${JSON.stringify({
          type: 'artifact',
          service: c.record.service,
          artifact: c.record.artifact.id,
          revision: c.record.artifact.revision ?? null,
          verifiedAt: new Date(c.record.verifiedAt).toISOString(),
          keyId: c.record.keyId,
          algorithm: c.record.algorithm,
          signatureValid: c.signatureValid,
          problem: c.problem ?? null,
          evidence: c.record.evidence.summary,
        })}\n`,
      );
    }
  } else if (checked.length === 0) {
    io.stdout.write(`no verified artifacts for ${services.join(', ') || 'any service'} in ${where}\n`);
  } else {
    io.stdout.write(table(checked, services.length > 1));
  }
  const exitCode = verifying && (invalid.length > 0 || lostKey !== null) ? EXIT_CODES.failure : EXIT_CODES.ok;
  if (json) {
    const signingKey = lostKey ? { signingKey: { code: lostKey.code, keyId: lostKey.details.keyId } } : {};
    io.stdout.write(
      `${JSON.stringify({ type: 'summary', records: checked.length, valid: checked.length - invalid.length, invalid: invalid.length, store: where, exitCode, ...signingKey })}\n`,
    );
  } else if (verifying) {
    if (checked.length === 0) io.stdout.write('nothing to verify\n');
    else if (invalid.length === 0) io.stdout.write(`all ${checked.length} signature(s) valid (${where})\n`);
    for (const c of invalid) {
      io.stderr.write(
        `INVALID: ${c.record.service} ${c.record.artifact.id} verified ${new Date(c.record.verifiedAt).toISOString()}: ${c.problem ?? 'signature does not verify'}\n`,
      );
    }
    if (invalid.length > 0) {
      io.stderr.write(
        `${invalid.length} of ${checked.length} record(s) have an invalid signature: a rollback to them halts. Investigate who edited ${where}.\n`,
      );
    }
  }
  return exitCode;
}

async function record(args: ParsedArgs, io: Io, loaded: LoadedConfig): Promise<number> {
  const artifactId = stringOption(args, 'artifact');
  if (!artifactId)
    throw new UsageError('record needs --artifact ID: the artifact to record as verified.', 'artifacts');
  const warnings: string[] = [];
  const executor = await buildExecutor(loaded, (m) => warnings.push(m));
  const ctx = { signal: new AbortController().signal, deadline: Date.now() + 60_000 };
  let ref: ArtifactRef;
  try {
    const candidates = await executor.candidates(ctx);
    if (!candidates.ok) throw candidates.error;
    const found = candidates.value.find((c) => c.id === artifactId);
    if (!found) {
      throw new UsageError(
        `${artifactId} is not among the artifacts ${executor.name} can cut over to (${candidates.value.map((c) => c.id).join(', ') || 'none'}); a rollback to it would halt.`,
        'artifacts',
      );
    }
    ref = found;
  } finally {
    await executor.dispose().catch(() => undefined);
  }
  const opened = await openArtifactStore(loaded.config.state, 'sign');
  const where = opened.where;
  const note = stringOption(args, 'note');
  const stored = await opened.store.record(
    {
      service: loaded.config.service,
      artifact: ref,
      verifiedAt: Date.now(),
      evidence: {
        summary: `recorded by hand with rollgate artifacts record${note ? `: ${note}` : ''}`,
        bakeSeconds: 0,
        signals: [],
      },
    },
    ctx,
  );
  await opened.close();
  if (!stored.ok) throw stored.error;
  for (const w of warnings) io.stderr.write(`rollgate artifacts: warning: ${w}\n`);
  io.stdout.write(
    `recorded ${ref.id} as verified for ${loaded.config.service} (key ${stored.value.keyId}) in ${where}\n`,
  );
  return EXIT_CODES.ok;
}

function table(checked: readonly CheckedVerification[], withService: boolean): string {
  const rows = checked.map((c) => [
    ...(withService ? [c.record.service] : []),
    c.record.artifact.id,
    new Date(c.record.verifiedAt).toISOString(),
    c.signatureValid ? 'valid' : `INVALID (${c.problem ?? 'does not verify'})`,
    c.record.keyId,
    c.record.evidence.summary,
  ]);
  const head = [
    ...(withService ? ['SERVICE'] : []),
    'ARTIFACT',
    'VERIFIED AT',
    'SIGNATURE',
    'KEY',
    'EVIDENCE',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}
