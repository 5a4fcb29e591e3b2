import { formatIssues } from './format-issues';
import { type Scenario, ScenarioSchema } from './scenario-schema';

/** A scenario that passed the schema, or the reasons it did not. */
export type ParseScenarioResult =
  | { readonly ok: true; readonly file: string; readonly scenario: Scenario }
  | { readonly ok: false; readonly file: string; readonly errors: readonly string[] };

/**
 * Validates one scenario. `json` is the file's text (a string is parsed as JSON) or an already
 * parsed value. Never throws: a bad file yields `ok: false` with one line per problem, each
 * `fileName: path: reason` (e.g. `bad.json: series.errors[12]: expected a non-negative integer`).
 */
export function parseScenario(json: unknown, fileName: string): ParseScenarioResult {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, file: fileName, errors: [`${fileName}: (root): not valid JSON: ${reason}`] };
    }
  }
  const result = ScenarioSchema.safeParse(value, { reportInput: true });
  if (!result.success) return { ok: false, file: fileName, errors: formatIssues(fileName, result.error) };
  return { ok: true, file: fileName, scenario: result.data };
}
