import { parseSampleValue, parseTimestamp } from './sample-value';

/** One sample as parsed from the reply; `v` may still be NaN (dropped later). */
export interface RawSample {
  readonly t: number;
  readonly v: number;
}

/** One series as parsed from the reply, with all its labels. */
export interface RawSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly samples: readonly RawSample[];
}

/** A successful query reply, validated. */
export interface PrometheusReply {
  readonly resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  readonly series: readonly RawSeries[];
  /**
   * The envelope's `warnings`: the answer may be incomplete or wrong (`partial response: ...`
   * from Thanos or Mimir, a PromQL warning). Core treats a read with any of them as partial.
   */
  readonly warnings: readonly string[];
  /**
   * The envelope's `infos`, and `PromQL info:` annotations that older servers sent among the
   * warnings: informational only (`metric might not be a counter`), not partial data.
   */
  readonly infos: readonly string[];
}

/** What a parsed body turned out to be. */
export type EnvelopeParse =
  | { readonly kind: 'success'; readonly reply: PrometheusReply }
  | { readonly kind: 'error'; readonly errorType: string; readonly error: string }
  | { readonly kind: 'native-histogram' }
  | { readonly kind: 'invalid'; readonly problem: string };

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class InvalidEnvelope extends Error {}
class NativeHistogram extends Error {}

function labelsOf(value: Json, where: string): Record<string, string> {
  if (!isRecord(value)) throw new InvalidEnvelope(`${where}.metric is not an object`);
  const labels: Record<string, string> = {};
  for (const [name, labelValue] of Object.entries(value)) {
    if (typeof labelValue !== 'string') throw new InvalidEnvelope(`${where}.metric.${name} is not a string`);
    labels[name] = labelValue;
  }
  return labels;
}

function sampleOf(value: Json, where: string): RawSample {
  if (!Array.isArray(value) || value.length !== 2)
    throw new InvalidEnvelope(`${where} is not a [time, "value"] pair`);
  const t = parseTimestamp(value[0]);
  if (t === undefined) throw new InvalidEnvelope(`${where}[0] is not a timestamp`);
  const v = parseSampleValue(value[1]);
  if (v === undefined) throw new InvalidEnvelope(`${where}[1] is not a number in text form`);
  return { t, v };
}

function vectorOf(result: Json): RawSeries[] {
  if (!Array.isArray(result)) throw new InvalidEnvelope('data.result is not an array');
  return result.map((element, i) => {
    const where = `data.result[${i}]`;
    if (!isRecord(element)) throw new InvalidEnvelope(`${where} is not an object`);
    if ('histogram' in element) throw new NativeHistogram();
    return { metric: labelsOf(element.metric, where), samples: [sampleOf(element.value, `${where}.value`)] };
  });
}

function matrixOf(result: Json): RawSeries[] {
  if (!Array.isArray(result)) throw new InvalidEnvelope('data.result is not an array');
  return result.map((element, i) => {
    const where = `data.result[${i}]`;
    if (!isRecord(element)) throw new InvalidEnvelope(`${where} is not an object`);
    if ('histograms' in element) throw new NativeHistogram();
    const values = element.values;
    if (!Array.isArray(values)) throw new InvalidEnvelope(`${where}.values is not an array`);
    return {
      metric: labelsOf(element.metric, where),
      samples: values.map((pair, j) => sampleOf(pair, `${where}.values[${j}]`)),
    };
  });
}

function messagesOf(value: Json): string[] {
  return Array.isArray(value) ? value.filter((w): w is string => typeof w === 'string') : [];
}

/**
 * Validates a parsed JSON body against the Prometheus HTTP API envelope
 * (`{status, data: {resultType, result}, errorType, error, warnings, infos}`). Anything else,
 * including numbers where the API sends strings, is `invalid`: a body that is not the envelope
 * must never read as data. Native-histogram samples are reported separately.
 */
export function parseEnvelope(json: Json): EnvelopeParse {
  if (!isRecord(json)) return { kind: 'invalid', problem: 'the body is not a JSON object' };
  if (json.status === 'error') {
    return {
      kind: 'error',
      errorType: typeof json.errorType === 'string' ? json.errorType : 'unknown',
      error: typeof json.error === 'string' ? json.error : '',
    };
  }
  if (json.status !== 'success')
    return { kind: 'invalid', problem: 'status is neither "success" nor "error"' };
  const data = json.data;
  if (!isRecord(data)) return { kind: 'invalid', problem: 'data is not an object' };
  const annotated = messagesOf(json.warnings);
  const isInfo = (m: string) => /^PromQL info:/i.test(m);
  const warnings = annotated.filter((m) => !isInfo(m));
  const infos = [...annotated.filter(isInfo), ...messagesOf(json.infos)];
  try {
    switch (data.resultType) {
      case 'vector':
        return {
          kind: 'success',
          reply: { resultType: 'vector', series: vectorOf(data.result), warnings, infos },
        };
      case 'matrix':
        return {
          kind: 'success',
          reply: { resultType: 'matrix', series: matrixOf(data.result), warnings, infos },
        };
      case 'scalar':
        return {
          kind: 'success',
          reply: {
            resultType: 'scalar',
            series: [{ metric: {}, samples: [sampleOf(data.result, 'data.result')] }],
            warnings,
            infos,
          },
        };
      case 'string': {
        const result = data.result;
        if (!Array.isArray(result) || result.length !== 2 || typeof result[1] !== 'string') {
          throw new InvalidEnvelope('data.result is not a [time, "string"] pair');
        }
        return { kind: 'success', reply: { resultType: 'string', series: [], warnings, infos } };
      }
      default:
        return { kind: 'invalid', problem: 'data.resultType is not vector, matrix, scalar or string' };
    }
  } catch (error) {
    if (error instanceof NativeHistogram) return { kind: 'native-histogram' };
    if (error instanceof InvalidEnvelope) return { kind: 'invalid', problem: error.message };
    throw error;
  }
}
