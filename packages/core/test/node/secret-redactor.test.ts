import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createSecretRedactor,
  looksLikeCredential,
  REDACTED,
  redactValue,
  urlSecrets,
} from '../../src/node/secret-redactor';

/**
 * Issue 18, finding 4: the one redactor every boundary uses. It must find a secret in every
 * form it travels in, and must not mangle ordinary text: `application/json` became
 * `application[redacted]` because a webhook URL's path word was registered as a secret.
 */

describe('the secret redactor', () => {
  it('does not register ordinary words of a webhook URL, so ordinary text survives', () => {
    const url = new URL('https://hooks.example.com/json/services/rollgate');
    const redact = createSecretRedactor(urlSecrets(url));
    const text = 'HTTP 415: expected content-type application/json for /json/services; see services docs';
    expect(redact(text)).toBe(text);
  });

  it('registers the credential-looking parts of a webhook URL, and the whole path with them', () => {
    const url = new URL('https://hooks.slack.com/services/T0AB12CD3/B0XY45Z67/abcDEF123ghiJKL456mnoPQR7');
    const redact = createSecretRedactor(urlSecrets(url));
    expect(redact('posted to /services/T0AB12CD3/B0XY45Z67/abcDEF123ghiJKL456mnoPQR7 ok')).toBe(
      `posted to ${REDACTED} ok`,
    );
    expect(redact('token abcDEF123ghiJKL456mnoPQR7 echoed')).toBe(`token ${REDACTED} echoed`);
    expect(redact('Content-Type: application/json')).toBe('Content-Type: application/json');
  });

  it('registers query values named like credentials or looking like one, not a format switch', () => {
    const url = new URL('https://hooks.example.com/hook?format=json&code=s3cr3t&id=ab12cd34ef');
    const redact = createSecretRedactor(urlSecrets(url));
    expect(redact('format=json; application/json')).toBe('format=json; application/json');
    expect(redact('code s3cr3t and id ab12cd34ef')).toBe(`code ${REDACTED} and id ${REDACTED}`);
  });

  it('matches a short declared secret only as a whole token', () => {
    const redact = createSecretRedactor(['team-a']);
    expect(redact('x-scope-orgid: team-a\n')).toBe(`x-scope-orgid: ${REDACTED}\n`);
    expect(redact('{"x-scope-orgid":"team-a"}')).toBe(`{"x-scope-orgid":"${REDACTED}"}`);
    expect(redact('the steam-able valve; team-ab')).toBe('the steam-able valve; team-ab');
  });

  it('finds a strong secret anywhere, even glued to other text', () => {
    const secret = 'tenant-7f3a9c1e5b2d4086';
    const redact = createSecretRedactor([secret]);
    expect(redact(`%22${secret}%22`)).toBe(`%22${REDACTED}%22`);
    expect(redact(`orgid=${secret}`)).toBe(`orgid=${REDACTED}`);
  });

  it('finds a secret in its URL-encoded, JSON-escaped and base64 forms', () => {
    const secret = 'p@ss "w0rd"/x';
    const redact = createSecretRedactor([secret]);
    for (const form of [
      secret,
      encodeURIComponent(secret),
      JSON.stringify(secret).slice(1, -1),
      Buffer.from(secret).toString('base64'),
    ]) {
      expect(redact(`before ${form} after`)).toBe(`before ${REDACTED} after`);
    }
  });

  it('ignores secrets too short to search for', () => {
    const redact = createSecretRedactor(['abc', '', 'ab']);
    expect(redact('abc ab abcd')).toBe('abc ab abcd');
  });

  it('never leaves a declared secret in any text (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 4, maxLength: 30 }).filter((s) => s.trim().length >= 4),
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 40 }),
        (secret, before, after) => {
          const redact = createSecretRedactor([secret]);
          // A separator on each side: a short secret is a token, so it must be found there.
          const out = redact(`${before} ${secret} ${after}`);
          expect(out).not.toContain(` ${secret} `);
        },
      ),
    );
  });

  it('redacts every string (and key) of a JSON value, keeping its shape', () => {
    const secret = 'tenant-7f3a9c1e5b2d4086';
    const redact = createSecretRedactor([secret]);
    const value = {
      reason: `proxy said: x-scope-orgid: ${secret}`,
      list: [1, null, true, `${secret}`],
      nested: { [secret]: 'key', n: 3 },
    };
    expect(redactValue(value, redact)).toEqual({
      reason: `proxy said: x-scope-orgid: ${REDACTED}`,
      list: [1, null, true, REDACTED],
      nested: { [REDACTED]: 'key', n: 3 },
    });
    expect(JSON.stringify(redactValue(value, redact))).not.toContain(secret);
  });

  it('tells credential-looking strings from ordinary words', () => {
    for (const word of [
      'services',
      'json',
      'rollgate-hook',
      'application',
      'hooks',
      'v1',
      'incoming-webhook',
    ])
      expect(looksLikeCredential(word), word).toBe(false);
    for (const token of ['T0AB12CD3', 'abcDEF123ghiJKL456mnoPQR7', 'k-abc123def', 'R1b2c3d4e5'])
      expect(looksLikeCredential(token), token).toBe(true);
  });
});

describe('the secret redactor for declared credentials (adapters)', () => {
  it('finds a declared credential even inside a word with everywhere, and only as a token without', () => {
    const text = 'auth failed for xhunter22x and hunter22';
    expect(createSecretRedactor(['hunter22'])(text)).toBe(`auth failed for xhunter22x and ${REDACTED}`);
    expect(createSecretRedactor(['hunter22'], { everywhere: true })(text)).toBe(
      `auth failed for x${REDACTED}x and ${REDACTED}`,
    );
  });

  it('ignores declared credentials shorter than the minimum length, even with everywhere', () => {
    expect(createSecretRedactor(['abc'], { everywhere: true })('abc abcd')).toBe('abc abcd');
  });

  it('redacts credential shapes given as patterns, keeping the first group', () => {
    const redact = createSecretRedactor([], { patterns: [/((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]+/g] });
    expect(redact('Authorization: Bearer eyJhbGciOi.x.y; then Basic dXNlcjpwYXNz')).toBe(
      `Authorization: Bearer ${REDACTED}; then Basic ${REDACTED}`,
    );
    expect(createSecretRedactor([], { patterns: [/tok-[a-z]+/g] })('a tok-abc b')).toBe(`a ${REDACTED} b`);
  });
});
