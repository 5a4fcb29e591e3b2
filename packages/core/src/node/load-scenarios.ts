import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { formatIssues } from '../scenarios/format-issues';
import { type GeneratorMeta, GeneratorMetaFileSchema } from '../scenarios/generator-meta';
import { parseScenario } from '../scenarios/parse-scenario';
import type { Scenario } from '../scenarios/scenario-schema';

/** The name of the metadata file a directory may hold beside its scenarios. */
export const META_FILE_NAME = '_meta.json';

/** One scenario file that loaded, with its generator parameters when a `_meta.json` has them. */
export interface LoadedScenario {
  readonly ok: true;
  readonly file: string;
  readonly scenario: Scenario;
  readonly meta: GeneratorMeta | null;
}

/** One file (scenario, `_meta.json` or a path given) that could not be used, and why. */
export interface ScenarioLoadFailure {
  readonly ok: false;
  readonly file: string;
  readonly errors: readonly string[];
}

/** The outcome for one file. */
export type ScenarioFileResult = LoadedScenario | ScenarioLoadFailure;

async function collect(path: string, out: string[], failures: ScenarioLoadFailure[]): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(error);
    failures.push({ ok: false, file: path, errors: [`${path}: ${reason}`] });
    return;
  }
  if (info.isDirectory()) {
    const entries = (await readdir(path)).sort();
    for (const entry of entries) {
      const child = join(path, entry);
      const childInfo = await stat(child).catch(() => null);
      if (childInfo?.isDirectory()) await collect(child, out, failures);
      else if (entry.endsWith('.json')) out.push(child);
    }
    return;
  }
  out.push(path);
}

async function readMeta(
  file: string,
): Promise<{ meta: Record<string, GeneratorMeta>; failure: ScenarioLoadFailure | null }> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { meta: {}, failure: { ok: false, file, errors: [`${file}: (root): not valid JSON: ${reason}`] } };
  }
  const parsed = GeneratorMetaFileSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    return { meta: {}, failure: { ok: false, file, errors: formatIssues(file, parsed.error) } };
  }
  return { meta: parsed.data, failure: null };
}

/**
 * Loads scenario files and directories (recursively, in name order). `_meta.json` files are read
 * as generator metadata for the scenarios of their directory, not as scenarios. A malformed file
 * is reported by name and the path of each bad field and does not stop the others: the result has
 * one entry per file (paths that do not exist and bad `_meta.json` files first, then the
 * scenarios in name order), so a caller can print the failures and go on with the rest.
 * A scenario whose `name` repeats one loaded earlier is reported as a failure.
 */
export async function loadScenarios(paths: readonly string[]): Promise<ScenarioFileResult[]> {
  const files: string[] = [];
  const failures: ScenarioLoadFailure[] = [];
  for (const p of paths) await collect(p, files, failures);

  const results: ScenarioFileResult[] = [...failures];
  const metaByDir = new Map<string, Record<string, GeneratorMeta>>();
  const seenFiles = new Set<string>();
  const scenarioFiles: string[] = [];
  for (const file of files) {
    const key = resolve(file);
    if (seenFiles.has(key)) continue;
    seenFiles.add(key);
    if (basename(file) === META_FILE_NAME) {
      const { meta, failure } = await readMeta(file);
      if (failure) results.push(failure);
      metaByDir.set(resolve(dirname(file)), meta);
    } else {
      scenarioFiles.push(file);
    }
  }

  const seenNames = new Map<string, string>();
  for (const file of scenarioFiles) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      results.push({ ok: false, file, errors: [`${file}: cannot be read: ${String(error)}`] });
      continue;
    }
    const parsed = parseScenario(text, file);
    if (!parsed.ok) {
      results.push(parsed);
      continue;
    }
    const name = parsed.scenario.name;
    const earlier = seenNames.get(name);
    if (earlier !== undefined) {
      results.push({ ok: false, file, errors: [`${file}: name: "${name}" is already used by ${earlier}`] });
      continue;
    }
    seenNames.set(name, file);
    let dirMeta = metaByDir.get(resolve(dirname(file)));
    if (dirMeta === undefined) {
      // The directory's _meta.json was not among the paths given (a single file was named).
      const metaFile = join(dirname(file), META_FILE_NAME);
      const exists = await stat(metaFile).then(
        (s) => s.isFile(),
        () => false,
      );
      dirMeta = exists ? (await readMeta(metaFile)).meta : {};
      metaByDir.set(resolve(dirname(file)), dirMeta);
    }
    results.push({ ok: true, file, scenario: parsed.scenario, meta: dirMeta[name] ?? null });
  }
  return results;
}
