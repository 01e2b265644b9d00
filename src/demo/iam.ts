/**
 * The IAM configuration of the demo organization, imported as `trailscope iam import` does with
 * `--taken-at` the window's end: IAM sync reads IAM and Organizations, which the emulator lacks.
 */
import { detectIamInput, importIamInputs, IamRepository } from '../iam/index.js';
import type { ImportSummary } from '../iam/index.js';
import type { Store } from '../store/index.js';

export async function importDemoIam(store: Store, files: ReadonlyMap<string, string>, takenAt: string): Promise<ImportSummary> {
  const inputs = [...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, text]) => detectIamInput(text, path));
  return (await importIamInputs(inputs, new IamRepository(store.iam), { takenAt })).summary;
}
