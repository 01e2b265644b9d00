/**
 * The Sigma loader: SigmaHQ rules for AWS CloudTrail (`logsource: product aws, service
 * cloudtrail`) from YAML files or directories. A rule this loader cannot run as written is
 * returned as a problem naming its file and the reason, never dropped quietly; rules for other
 * log sources are counted in one problem per path given.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compileSigmaDocument, SigmaOtherLogsource, type CompiledSigmaRule } from './compile.js';
import { SigmaUnsupported } from './values.js';

export type { CompiledSigmaRule } from './compile.js';
export { SigmaUnsupported } from './values.js';

export interface SigmaProblem {
  file: string;
  message: string;
}

export interface SigmaLoadResult {
  rules: CompiledSigmaRule[];
  problems: SigmaProblem[];
}

/** Compiles one rule file's text; throws SigmaUnsupported (its message is the reason) or SigmaOtherLogsource. */
export function compileSigmaYaml(text: string, file: string): CompiledSigmaRule {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new SigmaUnsupported('empty file');
  if (docs.length !== 1) throw new SigmaUnsupported(`${docs.length} YAML documents: multi-document rules (action: global, correlations) are not supported`);
  const doc = docs[0]!;
  if (doc.errors.length) throw new SigmaUnsupported(`not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  return compileSigmaDocument(doc.toJS({ maxAliasCount: 50 }), file);
}

function ruleFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...ruleFiles(path));
    else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) out.push(path);
  }
  return out;
}

/**
 * Loads every rule under the given files and directories. A path that does not exist is an
 * error (a mistyped --sigma-dir must not look like "no detections").
 */
export function loadSigmaRules(paths: readonly string[]): SigmaLoadResult {
  const rules: CompiledSigmaRule[] = [];
  const problems: SigmaProblem[] = [];
  const seen = new Map<string, string>();
  for (const root of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(root).isDirectory();
    } catch (err) {
      throw new Error(`Sigma rules: cannot read ${root}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
    const files = isDir ? ruleFiles(root) : [root];
    let otherLogsources = 0;
    for (const path of files) {
      const file = isDir ? relative(root, path) : path;
      try {
        const rule = compileSigmaYaml(readFileSync(path, 'utf8'), file);
        const earlier = seen.get(rule.id);
        if (earlier !== undefined) {
          problems.push({ file: path, message: `rule id ${rule.id} is already loaded from ${earlier}` });
          continue;
        }
        seen.set(rule.id, path);
        rules.push(rule);
      } catch (err) {
        if (err instanceof SigmaOtherLogsource) otherLogsources++;
        else if (err instanceof SigmaUnsupported) problems.push({ file: path, message: err.message });
        else problems.push({ file: path, message: `cannot load: ${(err as Error).message}` });
      }
    }
    if (otherLogsources > 0) {
      problems.push({ file: root, message: `${otherLogsources} rule${otherLogsources === 1 ? ' is' : 's are'} for other log sources than product aws / service cloudtrail (not loaded)` });
    }
  }
  return { rules, problems };
}
