/**
 * The decimal spelling of a positive finite number without an exponent (`1e-7` -> `0.0000001`).
 */
export function plainDecimal(value: number): string {
  const text = String(value);
  const match = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (match === null) return text;
  const digits = `${match[1] ?? ''}${match[2] ?? ''}`;
  const exponent = Number(match[3]);
  if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`;
  return digits.padEnd(exponent + 1, '0');
}

/**
 * The ways exporters write the `le` label of the bucket boundary `value`. Client libraries
 * disagree (client_golang writes `0.25` and `1`, the Java client and Prometheus 3's label
 * normalisation `1.0`, some write extra zeros, tiny or huge bounds get exponents such as
 * `1e-05`), and a PromQL equality matcher on the wrong spelling matches nothing. So the
 * exceedance query matches all of these with one anchored regex.
 */
export function bucketBoundarySpellings(value: number): string[] {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError('bucket boundary must be a positive finite number');
  const decimal = plainDecimal(value);
  const spellings = new Set<string>();
  if (decimal.includes('.')) {
    for (const zeros of ['', '0', '00']) spellings.add(`${decimal}${zeros}`);
  } else {
    for (const suffix of ['', '.0', '.00']) spellings.add(`${decimal}${suffix}`);
  }
  if (value < 1e-3 || value >= 1e6) {
    const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
    const exponent = Number(exponentText);
    const sign = exponent < 0 ? '-' : '+';
    const abs = Math.abs(exponent);
    for (const digits of [String(abs), String(abs).padStart(2, '0')]) {
      spellings.add(`${mantissa}e${sign}${digits}`);
      if (exponent >= 0) spellings.add(`${mantissa}e${digits}`);
    }
    spellings.add(String(value));
  }
  return [...spellings];
}

/**
 * An RE2 pattern (Prometheus anchors it) matching every spelling of `value`. Dots and plus
 * signs go in brackets so the pattern needs no backslashes inside the PromQL string literal.
 */
export function bucketBoundaryPattern(value: number): string {
  return bucketBoundarySpellings(value)
    .map((s) => s.replace(/\./g, '[.]').replace(/\+/g, '[+]'))
    .join('|');
}
