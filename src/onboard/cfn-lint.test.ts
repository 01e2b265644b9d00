/**
 * AWS's own template linter, when it is installed (`pip install cfn-lint`): the generated
 * templates must draw no error, warning or informational finding. Skipped without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudFormationTemplate, ONBOARDING_MODES } from './index.js';
import { connectorMatrix } from './connectors.test-helpers.js';

const installed = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;

test('cfn-lint finds nothing in the templates of every mode', { skip: installed ? false : 'cfn-lint is not installed' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'trailscope-cfn-'));
  try {
    const files: string[] = [];
    // The two extremes of the matrix: nothing optional, and everything (prefix, KMS, organization).
    const shapes = [connectorMatrix()[0]!, connectorMatrix().at(-1)!];
    for (const [i, { connector }] of shapes.entries()) {
      for (const mode of ONBOARDING_MODES) {
        for (const doc of cloudFormationTemplate(connector, mode).documents) {
          const file = join(dir, `${i}-${doc.file}`);
          await writeFile(file, doc.yaml);
          files.push(file);
        }
      }
    }
    const run = spawnSync('cfn-lint', ['--include-checks', 'I', '--regions', 'eu-west-1', '--', ...files], { encoding: 'utf8' });
    assert.equal(run.stdout + run.stderr, '');
    assert.equal(run.status, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
