import { RollgateError } from '@rollgate/core';
import { buildWebhook } from '../wiring/build-notifier';
import type { ConfigProblem } from './config-problems';
import type { NotifyConfig } from './config-schema';

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
 * The option a `CONFIG_INVALID` names, and its message: in `details.option` (`auth.token`) or at
 * the start of the message (`url: not a valid absolute URL`).
 */
function optionOf(error: RollgateError): { option: (string | number)[]; message: string } {
  const detail = error.details.option;
  let text = error.message;
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
