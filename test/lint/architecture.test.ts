/** The architecture rules (eslint/architecture.js): each fires on a bad import and stays silent on a good one. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import architecture, { LAYERS, areaGraph } from '../../eslint/architecture.js';
import { PROJECT_ROOT } from '../support/paths.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'trailscope-architecture-'));
  // A small tree with one cycle: store → ingest → store, and a clean chain model ← parse.
  const files: Record<string, string> = {
    'model/index.ts': 'export const x = 1;\n',
    'parse/index.ts': "import { x } from '../model/index.js';\nexport const y = x;\n",
    'store/index.ts': "export { run } from '../ingest/index.js';\n",
    'ingest/index.ts': "import type { Store } from '../store/index.js';\nexport const run = (s: Store) => s;\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
});
after(() => rmSync(root, { recursive: true, force: true }));

function lint(rule: 'area-boundaries' | 'no-cycles', file: string, code: string, options: Record<string, string> = { root }): string[] {
  const linter = new Linter({ configType: 'flat', cwd: root });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser as Linter.Parser },
        plugins: { architecture },
        rules: { [`architecture/${rule}`]: ['error', options] },
      },
    ],
    { filename: join(root, file) },
  );
  return messages.map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

describe('architecture/area-boundaries', () => {
  it('another area through its index, from a higher layer: silent', () => {
    assert.deepEqual(lint('area-boundaries', 'cli/x.ts', "import { findFindings } from '../app/index.js';\nimport type { Store } from '../store/index.js';\nimport { y } from './y.js';\n"), []);
  });

  it("another area's internals: fires, for type-only imports, re-exports and import() too", () => {
    for (const code of [
      "import { loadAnalysis } from '../analysis/load.js';",
      "import type { RuleContext } from '../analysis/types.js';",
      "export { loadAnalysis } from '../analysis/load.js';",
      "const m = await import('../analysis/load.js');",
      "let t: import('../analysis/types.js').RuleContext;",
    ]) {
      const out = lint('area-boundaries', 'cli/x.ts', code);
      assert.equal(out.length, 1, `${code}: ${out.join('; ')}`);
      assert.match(out[0]!, /import analysis through its index \('\.\.\/analysis\/index\.js'\), not its internals \(analysis\/(load|types)\.js\)/);
    }
  });

  it('a lower layer importing a higher one: fires, even through the index', () => {
    const out = lint('area-boundaries', 'graph/context.ts', "import type { RuleContext } from '../analysis/index.js';");
    assert.deepEqual(out, ['architecture/area-boundaries: graph (layer 6) may not import analysis (layer 7): an area imports only lower layers (eslint/architecture.js LAYERS)']);
    assert.equal(lint('area-boundaries', 'sources/sqs/n.ts', "import { classifyKey } from '../../parse/index.js';").length, 1);
  });

  it('an area missing from the layer table: fires', () => {
    assert.match(lint('area-boundaries', 'cli/x.ts', "import { z } from '../brand-new/index.js';").join(), /area brand-new is in no layer/);
  });

  it('every area of src is in exactly one layer', async () => {
    const { readdirSync, statSync } = await import('node:fs');
    const areas = readdirSync(join(PROJECT_ROOT, 'src')).filter((n) => statSync(join(PROJECT_ROOT, 'src', n)).isDirectory());
    const listed = LAYERS.flat();
    assert.equal(new Set(listed).size, listed.length, 'no area twice');
    assert.deepEqual(areas.filter((a) => !listed.includes(a)), []);
  });
});

describe('architecture/no-cycles', () => {
  it('an import that closes a cycle between areas: fires, naming the chain', () => {
    assert.deepEqual(lint('no-cycles', 'ingest/index.ts', "import type { Store } from '../store/index.js';"), [
      'architecture/no-cycles: import cycle between areas: ingest → store → ingest (through store/index.ts)',
    ]);
    assert.deepEqual(areaGraph(root).get('store')?.get('ingest'), 'store/index.ts');
  });

  it('an import with no way back: silent', () => {
    assert.deepEqual(lint('no-cycles', 'parse/index.ts', "import { x } from '../model/index.js';"), []);
  });

  it('the areas of src form no cycle', () => {
    const graph = areaGraph(join(PROJECT_ROOT, 'src'));
    for (const [from, tos] of graph) for (const to of tos.keys()) assert.ok(!reaches(graph, to, from), `${from} → ${to} → … → ${from}`);
  });
});

function reaches(graph: Map<string, Map<string, string>>, start: string, goal: string, seen = new Set<string>()): boolean {
  if (start === goal) return true;
  seen.add(start);
  return [...(graph.get(start)?.keys() ?? [])].some((n) => !seen.has(n) && reaches(graph, n, goal, seen));
}
