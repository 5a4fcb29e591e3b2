import type { ArtifactStore, Signer, VerificationRecord } from '@rollgate/core';
import { SimulatedClock } from '@rollgate/core/testing';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { abortedContext, errorOf, liveContext, okValue, payloadFixture } from './store-fixtures';

/** What an artifact store test needs from an implementation. */
export interface ArtifactStoreContractHarness {
  readonly store: ArtifactStore;
  /** Edits a stored record behind the store's back (by hand in the file, for the file store). */
  tamper(
    service: string,
    artifactId: string,
    patch: (record: VerificationRecord) => VerificationRecord,
  ): Promise<void>;
  teardown(): Promise<void>;
}

/** Options the artifact table passes to the implementation's factory. */
export interface ArtifactStoreContractSetup {
  readonly clock: SimulatedClock;
  readonly keep?: number;
  /** A signer that cannot sign (to check that failure is a result). */
  readonly brokenSigner?: Signer;
}

/** The suite every `ArtifactStore` runs: signed records, newest-first order, retention of `keep`
 * per service (never below three), a tampered record reported invalid and never skipped, signing
 * failures and malformed payloads as results, abort and deadline honoured. */
export function describeArtifactStoreContract(
  name: string,
  setup: (options: ArtifactStoreContractSetup) => Promise<ArtifactStoreContractHarness>,
  makeConfigError: (keep: number) => unknown,
  propertyRuns = 25,
): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    const harnesses: ArtifactStoreContractHarness[] = [];
    let clock: SimulatedClock;
    const ctx = () => liveContext(clock.now());
    const open = async (options: Omit<ArtifactStoreContractSetup, 'clock'> = {}) => {
      const h = await setup({ clock, ...options });
      harnesses.push(h);
      return h;
    };
    beforeEach(() => {
      clock = new SimulatedClock(1_700_000_000_000);
    });
    afterEach(async () => {
      await Promise.all(harnesses.splice(0).map((h) => h.teardown()));
    });

    it('records a signed verification and returns it from lastVerified with a valid signature', async () => {
      const { store } = await open();
      const payload = Object.freeze(payloadFixture('checkout', '41@9f3c', 1_000));
      const record = okValue(await store.record(payload, ctx()));
      expect(record).toMatchObject({ service: 'checkout', artifact: payload.artifact, verifiedAt: 1_000 });
      expect(record.signature.length).toBeGreaterThan(0);
      expect(record.keyId.length).toBeGreaterThan(0);
      const last = okValue(await store.lastVerified('checkout', { excluding: [] }, ctx()));
      expect(last).toEqual({ record, signatureValid: true });
    });

    it('answers null when nothing is recorded for the service', async () => {
      const { store } = await open();
      okValue(await store.record(payloadFixture('search', '1@a', 1), ctx()));
      expect(okValue(await store.lastVerified('checkout', { excluding: [] }, ctx()))).toBeNull();
      expect(okValue(await store.list('checkout', ctx()))).toEqual([]);
    });

    it('returns the newest by verifiedAt that is not excluded, and lists newest first', async () => {
      const { store } = await open();
      for (const [id, at] of [
        ['40@a', 1_000],
        ['42@c', 3_000],
        ['41@b', 2_000],
      ] as const) {
        okValue(await store.record(payloadFixture('checkout', id, at), ctx()));
      }
      const newest = okValue(await store.lastVerified('checkout', { excluding: [] }, ctx()));
      expect(newest?.record.artifact.id).toBe('42@c');
      const notFailing = okValue(await store.lastVerified('checkout', { excluding: ['42@c'] }, ctx()));
      expect(notFailing?.record.artifact.id).toBe('41@b');
      expect(
        okValue(await store.lastVerified('checkout', { excluding: ['42@c', '41@b', '40@a'] }, ctx())),
      ).toBeNull();
      const list = okValue(await store.list('checkout', ctx()));
      expect(list.map((c) => c.record.artifact.id)).toEqual(['42@c', '41@b', '40@a']);
      expect(list.every((c) => c.signatureValid)).toBe(true);
    });

    it('keeps the `keep` newest per service (default 5), never fewer than three', async () => {
      const { store } = await open();
      for (let i = 1; i <= 9; i++)
        okValue(await store.record(payloadFixture('checkout', `${i}@x`, i * 1000), ctx()));
      okValue(await store.record(payloadFixture('search', 'only@y', 1), ctx()));
      expect(okValue(await store.list('checkout', ctx())).map((c) => c.record.artifact.id)).toEqual([
        '9@x',
        '8@x',
        '7@x',
        '6@x',
        '5@x',
      ]);
      expect(okValue(await store.list('search', ctx()))).toHaveLength(1);

      const three = (await open({ keep: 3 })).store;
      for (let i = 1; i <= 6; i++)
        okValue(await three.record(payloadFixture('checkout', `${i}@x`, i * 1000), ctx()));
      expect(okValue(await three.list('checkout', ctx())).map((c) => c.record.artifact.id)).toEqual([
        '6@x',
        '5@x',
        '4@x',
      ]);

      for (const keep of [2, 0, -1, 3.5, Number.NaN]) expect(() => makeConfigError(keep)).toThrow(/keep/);
    });

    it('replaces the older record when an artifact is verified again', async () => {
      const { store } = await open();
      okValue(await store.record(payloadFixture('checkout', '41@b', 1_000), ctx()));
      okValue(await store.record(payloadFixture('checkout', '42@c', 2_000), ctx()));
      okValue(await store.record(payloadFixture('checkout', '41@b', 3_000), ctx()));
      const list = okValue(await store.list('checkout', ctx()));
      expect(list.map((c) => [c.record.artifact.id, c.record.verifiedAt])).toEqual([
        ['41@b', 3_000],
        ['42@c', 2_000],
      ]);
    });

    const tampers: readonly [string, (r: VerificationRecord) => VerificationRecord][] = [
      ['the artifact id', (r) => ({ ...r, artifact: { ...r.artifact, id: '666@evil' } })],
      [
        'the artifact schema version',
        (r) => ({ ...r, artifact: { ...r.artifact, schema: { version: 99 } } }),
      ],
      ['the evidence summary', (r) => ({ ...r, evidence: { ...r.evidence, summary: 'all good, trust me' } })],
      [
        'an evidence verdict',
        (r) => ({
          ...r,
          evidence: {
            ...r.evidence,
            signals: [{ signal: 'errors', verdict: 'pass', value: 0.5, samples: 600 }],
          },
        }),
      ],
      ['verifiedAt', (r) => ({ ...r, verifiedAt: r.verifiedAt + 1 })],
      ['the service', (r) => ({ ...r, service: 'payments' })],
      ['the keyId', (r) => ({ ...r, keyId: `${r.keyId.slice(0, -1)}${r.keyId.endsWith('0') ? '1' : '0'}` })],
      ['the signature', (r) => ({ ...r, signature: flipBase64(r.signature) })],
      ['the signature (unused bits only)', (r) => ({ ...r, signature: flipUnusedBits(r.signature) })],
      ['the algorithm', (r) => ({ ...r, algorithm: r.algorithm === 'ed25519' ? 'hmac-sha256' : 'ed25519' })],
    ];
    for (const [what, change] of tampers) {
      it(`reports a record whose ${what} was edited as signatureValid: false, never skipping it`, async () => {
        const h = await open();
        okValue(await h.store.record(payloadFixture('checkout', '40@a', 1_000), ctx()));
        okValue(await h.store.record(payloadFixture('checkout', '41@b', 2_000), ctx()));
        await h.tamper('checkout', '41@b', change);
        const service = what === 'the service' ? 'payments' : 'checkout';
        const newest = okValue(await h.store.lastVerified(service, { excluding: [] }, ctx()));
        expect(newest).not.toBeNull();
        expect(newest?.signatureValid).toBe(false);
        expect(newest?.problem).toMatch(/\w/);
        if (what !== 'the service') {
          const list = okValue(await h.store.list('checkout', ctx()));
          expect(list.map((c) => c.signatureValid)).toEqual([false, true]);
        }
      });
    }

    it('resolves a signing failure and a malformed payload as results, storing nothing', async () => {
      const brokenSigner: Signer = {
        keyId: 'broken',
        algorithm: 'test-only',
        sign: () => Promise.reject(new Error('HSM unavailable')),
        verify: () => Promise.resolve(false),
      };
      const { store } = await open({ brokenSigner });
      const signing = errorOf(await store.record(payloadFixture('checkout', '41@b', 1_000), ctx()));
      expect(signing.code).toBe('STORE_FAILED');
      const { store: good } = await open();
      const malformed = errorOf(await good.record({ ...payloadFixture('checkout', '', 1_000) }, ctx()));
      expect(malformed.code).toBe('STORE_FAILED');
      expect(malformed.message).toContain('artifact.id');
      const infinite = errorOf(
        await good.record(payloadFixture('checkout', '1@a', Number.POSITIVE_INFINITY), ctx()),
      );
      expect(infinite.message).toContain('verifiedAt');
      expect(okValue(await good.list('checkout', ctx()))).toEqual([]);
    });

    it('honours an aborted signal and a passed deadline', async () => {
      const { store } = await open();
      const aborted = abortedContext(clock.now());
      expect(errorOf(await store.record(payloadFixture('checkout', '1@a', 1), aborted)).code).toBe('ABORTED');
      expect(errorOf(await store.lastVerified('checkout', { excluding: [] }, aborted)).code).toBe('ABORTED');
      expect(errorOf(await store.list('checkout', aborted)).code).toBe('ABORTED');
      const late = { signal: new AbortController().signal, deadline: clock.now() };
      expect(errorOf(await store.record(payloadFixture('checkout', '1@a', 1), late)).code).toBe('TIMEOUT');
      expect(okValue(await store.list('checkout', ctx()))).toEqual([]);
    });

    it('keeps retention and ordering for any sequence of recordings (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.tuple(
              fc.constantFrom('a', 'b'),
              fc.integer({ min: 0, max: 6 }),
              fc.integer({ min: 0, max: 50 }),
            ),
            {
              minLength: 1,
              maxLength: 14,
            },
          ),
          async (steps) => {
            const h = await setup({ clock, keep: 3 });
            try {
              const model = new Map<string, Map<string, { at: number; seq: number }>>();
              for (const [seq, [service, n, at]] of steps.entries()) {
                okValue(await h.store.record(payloadFixture(service, `${n}@r`, at), ctx()));
                const perService = model.get(service) ?? new Map();
                perService.set(`${n}@r`, { at, seq });
                const kept = [...perService.entries()]
                  .sort((x, y) => y[1].at - x[1].at || y[1].seq - x[1].seq)
                  .slice(0, 3);
                model.set(service, new Map(kept));
              }
              for (const [service, perService] of model) {
                const expected = [...perService.entries()]
                  .sort((x, y) => y[1].at - x[1].at || y[1].seq - x[1].seq)
                  .map(([id]) => id);
                const list = okValue(await h.store.list(service, ctx()));
                expect(list.map((c) => c.record.artifact.id)).toEqual(expected);
                expect(list.every((c) => c.signatureValid)).toBe(true);
              }
            } finally {
              await h.teardown();
            }
          },
        ),
        { numRuns: propertyRuns },
      );
    });
  });
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Changes the first base64 symbol of a signature. */
function flipBase64(signature: string): string {
  const first = signature[0] ?? 'A';
  return `${first === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
}

/**
 * Changes only the bits of the last symbol that padding leaves unused, so a lenient decoder
 * would still produce the same bytes. Falls back to a normal flip when there is no padding.
 */
function flipUnusedBits(signature: string): string {
  const padding = signature.endsWith('==') ? 2 : signature.endsWith('=') ? 1 : 0;
  if (padding === 0) return flipBase64(signature);
  const index = signature.length - padding - 1;
  const symbol = B64.indexOf(signature[index] ?? 'A');
  const unusedMask = padding === 2 ? 0b1111 : 0b11;
  const changed = B64[(symbol & ~unusedMask) | ((symbol + 1) & unusedMask)] ?? 'A';
  return `${signature.slice(0, index)}${changed}${signature.slice(index + 1)}`;
}
