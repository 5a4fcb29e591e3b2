/**
 * The package names in a log of resolved module URLs, one URL a line, as the module recorder
 * (`import-recorder.mjs`) writes it: `.../node_modules/.pnpm/<id>/node_modules/<name>/...`, the
 * last `node_modules` segment naming the package (two segments for a scoped name).
 */
export function packagesInImportLog(text: string): Set<string> {
  const names = new Set<string>();
  for (const url of text.split('\n')) {
    const at = url.lastIndexOf('/node_modules/');
    if (at < 0) continue;
    const parts = url.slice(at + '/node_modules/'.length).split('/');
    const name = parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    if (name) names.add(name);
  }
  return names;
}

/**
 * The configuration the start-up test and the cli-startup bench check: a Prometheus source and a
 * Deployer executor, so `config check` validates two adapters' options without opening either.
 */
export const STARTUP_CONFIG_YAML = [
  'service: checkout',
  'sources:',
  '  default: { type: prometheus, url: "http://127.0.0.1:9" }',
  'executor: { type: deployer, deployPath: /nonexistent/app }',
  'state: { dir: state }',
  '',
].join('\n');
