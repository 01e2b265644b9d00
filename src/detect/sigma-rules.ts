/**
 * Loading Sigma rules as event rules, for `--sigma-dir`. The loader lives in ./sigma (delivered
 * on its own branch, contract: loadSigmaRules(paths) → { rules, problems }); it is imported by
 * name at run time so this file builds before that branch is merged.
 */
import { sigmaEventRule, type CompiledSigmaRuleShape } from './sigma-adapter.js';
import type { EventRule } from './types.js';

interface SigmaLoader {
  loadSigmaRules(paths: string[]): { rules: CompiledSigmaRuleShape[]; problems: { file: string; message: string }[] };
}

const LOADER = './sigma/index.js';

export async function loadSigmaEventRules(dirs: readonly string[]): Promise<{ rules: EventRule[]; problems: { file: string; message: string }[] }> {
  if (dirs.length === 0) return { rules: [], problems: [] };
  let loader: SigmaLoader;
  try {
    loader = (await import(LOADER)) as SigmaLoader;
  } catch (err) {
    throw new Error(`--sigma-dir: this build of trailscope has no Sigma loader (${(err as Error).message})`, { cause: err });
  }
  const { rules, problems } = loader.loadSigmaRules([...dirs]);
  return { rules: rules.map(sigmaEventRule), problems };
}
