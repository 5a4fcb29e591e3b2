import { RollgateError } from '@rollgate/core';
import { buildWebhook } from '../wiring/build-notifier';
import { loadSourceOptionsCheck } from '../wiring/build-sources';
import type { ConfigProblem } from './config-problems';
import type { NotifyConfig, SourceConfig } from './config-schema';

/**
 * What the source's adapter refuses (a URL with credentials, a bad header name, a metric name
 * PromQL cannot hold), as a problem at the option's line. No network call, no file read and no
 * HTTP client: the adapter's `options` entry point checks the options without building a source.
 * An adapter that is not installed is a problem at `type`, with its install hint.
 */
export async function sourceOptionProblems(name: string, source: SourceConfig): Promise<ConfigProblem[]> {
  let check: (source: SourceConfig) => void;
  try {
    check = await loadSourceOptionsCheck(source, `sources.${name} (type ${source.type})`, {
      readTlsFiles: false,
    });
  } catch (error) {
    if (!RollgateError.is(error) || error.code !== 'CONFIG_INVALID') throw error;
    return [{ path: ['sources', name, 'type'], message: error.message }];
  }
  return adapterProblems(['sources', name], () => check(source));
}

/** What the webhook notifier refuses for one `notify` entry (a URL that is not an http(s) URL). */
export function notifyOptionProblems(index: number, entry: NotifyConfig): ConfigProblem[] {
  return adapterProblems(['notify', index], () => {
    buildWebhook(entry);
  });
}

function adapterProblems(base: readonly (string | number)[], build: () => void): ConfigProblem[] {
  try {
    build();
    return [];
  } catch (error) {
    if (!RollgateError.is(error) || error.code !== 'CONFIG_INVALID') throw error;
    const { option, message } = optionOf(error);
    return [{ path: [...base, ...option], message }];
  }
}

/**
 * The option an adapter's `CONFIG_INVALID` names, and its message without the adapter's own
 * prefix. Adapters name it in `details.option` (`auth.token`) or start the message with it
 * (`url: not a valid absolute URL`).
 */
function optionOf(error: RollgateError): { option: (string | number)[]; message: string } {
  const detail = error.details.option;
  let text = error.message
    .replace(/^prometheus-source option [^:]+: /, '')
    .replace(/^newrelic-source: option `[^`]+` /, '');
  let option = typeof detail === 'string' && !detail.startsWith('(') ? detail : undefined;
  if (option === undefined) {
    const lead = /^([A-Za-z][A-Za-z0-9]*(?:\.[^\s:]+)?): /.exec(text);
    if (lead?.[1]) {
      option = lead[1];
      text = text.slice(lead[0].length);
    }
  }
  return { option: option === undefined ? [] : splitOption(option), message: text.replace(/\.$/, '') };
}

/** `auth.token` → [auth, token]; a header or env name keeps its dots (`headers.X-Org.Id`). */
function splitOption(option: string): string[] {
  const [head, ...rest] = option.split('.');
  if (head === undefined) return [];
  if (head === 'headers' || head === 'env') return rest.length > 0 ? [head, rest.join('.')] : [head];
  return [head, ...rest];
}
