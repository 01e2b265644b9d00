/**
 * The architecture as lint rules (README "Architecture"): an area is a top-level folder of src/;
 * another area reaches it only through its index.ts, only from a higher layer, and no chain of
 * imports leads from an area back to itself. Type-only imports obey the same rules: a type still
 * couples the importer to the area's internals.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The layers, lowest first: an area imports only areas of lower layers. Data flows up the
 * table (sources → parse → store → iam → graph → analysis → surfaces); the graph is built from
 * what analysis hands it and knows nothing of analysis. The one place the order is written.
 */
export const LAYERS = [
  ['model'], // the typed event and finding, text and JSON helpers
  ['aws', 'generate'], // the only place AWS clients are built; synthetic organizations
  ['sources'], // files, S3, SQS: bytes and notifications
  ['parse'], // bytes → NormalizedEvent, event → IAM actions
  ['store'], // the store contract and its backends
  ['connectors', 'ingest', 'iam', 'doctor'], // connectors as rows; orchestration of ingestion; IAM snapshots and permissions; checks
  ['onboard', 'graph'], // CloudFormation for a connector; the privilege graph
  ['analysis'], // usage, identities, finding rules
  ['detect'], // event rules and drift, stored as events commit
  ['app'], // use cases: the documents both surfaces serve
  ['server'], // the HTTP API
  ['service'], // serve: ingestion, IAM sync, analysis and the API in one process
  ['demo'], // trailscope demo: the emulator, a generated organization, and serve over them
  ['cli'],
];

const RANK = new Map(LAYERS.flatMap((areas, rank) => areas.map((a) => [a, rank])));
const DEFAULT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** The area of a file under root (its first folder), or null outside root or directly in it. */
export function areaOf(file, root = DEFAULT_ROOT) {
  const rel = relative(root, resolve(file));
  if (rel.startsWith('..') || rel === '' || !rel.includes(sep)) return null;
  return rel.split(sep)[0];
}

function targetOf(fromFile, spec) {
  return spec.startsWith('.') ? resolve(dirname(resolve(fromFile)), spec) : null;
}

function isIndex(target, root, area) {
  return /^index\.(js|ts|tsx|mjs)$/.test(relative(join(root, area), target));
}

/** Every module specifier a file names: imports, re-exports, import() and import('...') types. */
function eachSource(context, fn) {
  const check = (node) => node.source && node.source.type === 'Literal' && typeof node.source.value === 'string' && fn(node, node.source.value);
  return {
    ImportDeclaration: check,
    ExportNamedDeclaration: check,
    ExportAllDeclaration: check,
    ImportExpression: check,
    TSImportType(node) {
      const arg = node.argument;
      const lit = arg && arg.type === 'TSLiteralType' ? arg.literal : arg;
      if (lit && lit.type === 'Literal' && typeof lit.value === 'string') fn(node, lit.value);
    },
  };
}

const areaBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'another area is imported only through its index.ts, and only from a higher layer (eslint/architecture.js LAYERS)' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: {
      index: "import {{area}} through its index ('{{index}}'), not its internals ({{path}})",
      layer: '{{from}} (layer {{fromRank}}) may not import {{to}} (layer {{toRank}}): an area imports only lower layers (eslint/architecture.js LAYERS)',
      unknown: 'area {{area}} is in no layer: add it to LAYERS in eslint/architecture.js',
    },
  },
  create(context) {
    const root = resolve(context.options[0]?.root ?? DEFAULT_ROOT);
    const file = context.filename;
    const from = areaOf(file, root);
    if (from === null) return {};
    return eachSource(context, (node, spec) => {
      const target = targetOf(file, spec);
      if (!target) return;
      const to = areaOf(target, root);
      if (to === null || to === from) return;
      for (const area of [from, to]) if (!RANK.has(area)) context.report({ node, messageId: 'unknown', data: { area } });
      if (!isIndex(target, root, to)) {
        const index = relative(dirname(resolve(file)), join(root, to, 'index.js')).split(sep).join('/');
        context.report({ node, messageId: 'index', data: { area: to, index, path: relative(root, target).split(sep).join('/') } });
      }
      if (RANK.has(from) && RANK.has(to) && RANK.get(to) >= RANK.get(from)) {
        context.report({ node, messageId: 'layer', data: { from, to, fromRank: String(RANK.get(from)), toRank: String(RANK.get(to)) } });
      }
    });
  },
};

const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.[^'"]+)['"]/g;
const IGNORED = /\.test\.tsx?$|\.test-helpers\.ts$|\.d\.ts$/;

/** The area graph of root's non-test modules: area → areas it imports → one file that does. */
export function areaGraph(root = DEFAULT_ROOT) {
  const graph = new Map();
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|tsx|js|mjs)$/.test(name) && !IGNORED.test(name)) {
        const from = areaOf(path, root);
        if (from === null) continue;
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(SPEC)) {
          // An import exempted from no-cycles where it is written is no edge of the graph either.
          const before = text.slice(0, m.index).split('\n').at(-2) ?? '';
          if (/eslint-disable-next-line[^\n]*architecture\/no-cycles/.test(before)) continue;
          const to = areaOf(resolve(dirname(path), m[1]), root);
          if (to === null || to === from) continue;
          if (!graph.has(from)) graph.set(from, new Map());
          if (!graph.get(from).has(to)) graph.get(from).set(to, relative(root, path).split(sep).join('/'));
        }
      }
    }
  };
  walk(root);
  return graph;
}

/** A shortest chain of areas from `start` to `goal`, or null. */
export function chain(graph, start, goal) {
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const a = queue.shift();
    for (const b of graph.get(a)?.keys() ?? []) {
      if (prev.has(b)) continue;
      prev.set(b, a);
      if (b === goal) {
        const out = [b];
        for (let x = a; x !== null; x = prev.get(x)) out.unshift(x);
        return out;
      }
      queue.push(b);
    }
  }
  return null;
}

// One scan per lint run and root: the rule runs once per file.
const graphs = new Map();

const noCycles = {
  meta: {
    type: 'problem',
    docs: { description: 'no chain of imports between areas leads from an area back to itself' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: { cycle: 'import cycle between areas: {{cycle}} (through {{via}})' },
  },
  create(context) {
    const root = resolve(context.options[0]?.root ?? DEFAULT_ROOT);
    const file = context.filename;
    const from = areaOf(file, root);
    if (from === null) return {};
    if (!graphs.has(root)) graphs.set(root, areaGraph(root));
    const graph = graphs.get(root);
    const reported = new Set();
    return eachSource(context, (node, spec) => {
      const target = targetOf(file, spec);
      const to = target && areaOf(target, root);
      if (!to || to === from || reported.has(to)) return;
      const back = chain(graph, to, from);
      if (!back) return;
      reported.add(to);
      const via = back.slice(0, -1).map((a, i) => graph.get(a).get(back[i + 1])).join(', ');
      context.report({ node, messageId: 'cycle', data: { cycle: [from, ...back].join(' → '), via } });
    });
  },
};

export default { meta: { name: 'trailscope-architecture' }, rules: { 'area-boundaries': areaBoundaries, 'no-cycles': noCycles } };
