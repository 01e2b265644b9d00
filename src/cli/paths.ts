import type { Command } from 'commander';
import { terminalLine } from '../model/text.js';
import { addDbOption, CliError, printJson, withStore } from './common.js';
import { addWindowOptions, printNotices, READ_ONLY, resolveWindow, type WindowOptions } from './analysis-options.js';
import { loadAnalysis } from '../analysis/load.js';
import { graphFor } from '../graph/context.js';
import { ADMIN, type GraphNode } from '../graph/build.js';
import { findPaths } from '../graph/paths.js';
import { contextLine, withPathContext, type PathWithContext } from '../graph/path-context.js';

interface PathsOptions extends WindowOptions {
  from?: string;
  to?: string;
  json?: boolean;
}

/**
 * `trailscope paths --json` prints one object (the web console draws it):
 *
 * {
 *   "asOf": ISO, "windowStart": ISO, "windowDays": number,
 *   "from": "<node id>" | null,               // --from, or null: every entry point
 *   "target": "admin" | "<node id>",          // --to
 *   "nodes": {                                // every node on a returned path, by id
 *     "<id>": { "kind": "user"|"role"|"group"|"root"|"account"|"federated"|"service"|"public"|"admin",
 *               "accountId": string|null, "name": string, "imported": boolean,
 *               "isAdmin": boolean, "adminBasis"?: "all-actions"|"account-maximum",
 *               "entry": string[],             // access-key, console-password, external-account-trust,
 *                                             // organization-account-trust, public-trust, unscoped-oidc
 *               "derived"?: { "from": id, "addedGroups": string[], "addedPolicies": string[] } }  // once it joined / attached those
 *   },
 *   "paths": [{                               // AttackPath (src/graph/paths.ts), most serious first
 *     "from": id, "to": id,                   // to: an admin-equivalent principal, "admin", or --to
 *     "status": "possible"|"attempted"|"exercised", "conditional": boolean,
 *     "confidence": "confirmed"|"potential", "accounts": string[], "crossAccount": boolean,
 *     "steps": [{ "from": id, "to": id, "technique": "iam-001"|"sts-001"|"lambda-001"|"trust-external"|...,
 *                 "techniqueName": string, "actions": string[], "via"?: id, "service"?: string,
 *                 "conditional": boolean, "conditions"?: string[],   // undecided conditions of a conditional step
 *                 "confidence": "confirmed"|"potential",
 *                 "status": "possible"|"attempted"|"exercised",
 *                 "succeededEventIds": string[], "failedEventIds": string[],
 *                 "firstSeen": ISO|null, "lastSeen": ISO|null, "followOn"?: string }],
 *     "context"?: {                           // the entry principal showed risk in the window (these paths come first)
 *       "risk": [{ "rule": "console-login-without-mfa"|"unusual-source-ip"|"access-key-created-for-other-user",
 *                  "eventId": string, "time": ISO }],
 *       "exercisedAfterRisk": boolean,        // a step's call succeeded within 24 h after one of them
 *       "exercisedAfter": [{ "technique": string, "eventId": string|null, "time": ISO, "afterRiskEventId": string }] }
 *   }],
 *   "stats": { "nodes": number, "edges": number, "evaluatorCalls": number, "graphMs": number, "paths": number }
 * }
 */
export interface PathsDocument {
  asOf: string;
  windowStart: string;
  windowDays: number;
  from: string | null;
  target: string;
  nodes: Record<string, Omit<GraphNode, 'id'>>;
  paths: PathWithContext[];
  stats: { nodes: number; edges: number; evaluatorCalls: number; graphMs: number; paths: number };
}

export function registerPaths(program: Command): void {
  addDbOption(
    addWindowOptions(
      program
        .command('paths')
        .description('Shortest attack paths to admin-equivalent principals (or --to), across accounts, each step possible / attempted / exercised from CloudTrail.')
        .option('--from <arn>', 'only from this principal or node (default: every entry point: users with access keys or passwords, external and public trusts, unscoped OIDC providers)')
        .option('--to <arn|admin>', 'target principal, or "admin" (default): every admin-equivalent principal')
        .option('--json', 'one JSON document (shape in src/cli/paths.ts)'),
    ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  trailscope paths\n  trailscope paths --from arn:aws:iam::111122223333:user/ci --json\n  trailscope paths --to arn:aws:iam::444455556666:role/prod-admin --as-of 2026-06-30T00:00:00Z',
    )
    .action(async (opts: PathsOptions) => {
      const w = resolveWindow(opts);
      await withStore(opts, async (store) => {
        const { ctx, notices } = await loadAnalysis(store, { ...w, resourceDetail: false });
        printNotices(notices, opts.db);
        const graph = graphFor(ctx);
        const to = opts.to ?? ADMIN;
        if (!graph) {
          // nothing to walk (the notices say why): still a valid, empty result
          const empty: PathsDocument = {
            asOf: ctx.asOf,
            windowStart: ctx.windowStart,
            windowDays: ctx.windowDays,
            from: opts.from ?? null,
            target: to,
            nodes: {},
            paths: [],
            stats: { nodes: 0, edges: 0, evaluatorCalls: 0, graphMs: 0, paths: 0 },
          };
          if (opts.json) printJson(empty);
          else process.stderr.write(terminalLine(`0 path(s) to ${to}; window ${ctx.windowStart} .. ${ctx.asOf}`));
          return;
        }
        if (to !== ADMIN && !graph.node(to)) throw new CliError(`--to ${to}: not a principal of any imported snapshot`);
        if (opts.from && !graph.node(opts.from)) throw new CliError(`--from ${opts.from}: not a node of the graph (a user, role, root, trusted account or provider)`);
        // --account narrows the report to paths that touch the account; the graph spans the organization
        const found = findPaths(graph, { from: opts.from, to }).filter((p) => !w.accountId || p.accounts.includes(w.accountId));
        // Paths whose entry point showed risk (and was exercised right after) come first, with the events.
        const paths = withPathContext(found, ctx.riskDetections ?? [], ctx.escalationEvents);
        const nodes: PathsDocument['nodes'] = {};
        for (const p of paths) {
          for (const id of [p.from, ...p.steps.flatMap((s) => [s.to, ...(s.via && graph.node(s.via) ? [s.via] : [])])]) {
            const n = graph.node(id);
            if (n && !nodes[id]) {
              const { id: _id, ...rest } = n;
              nodes[id] = rest;
            }
          }
        }
        const doc: PathsDocument = {
          asOf: ctx.asOf,
          windowStart: ctx.windowStart,
          windowDays: ctx.windowDays,
          from: opts.from ?? null,
          target: to,
          nodes,
          paths,
          stats: { nodes: graph.stats.nodes, edges: graph.stats.edges, evaluatorCalls: graph.stats.evaluatorCalls, graphMs: graph.stats.ms, paths: paths.length },
        };
        if (opts.json) {
          printJson(doc);
          return;
        }
        for (const p of paths) {
          const flags = [p.status, p.crossAccount ? 'cross-account' : '', p.conditional ? 'conditional' : '', p.confidence === 'potential' ? 'potential' : ''].filter(Boolean);
          process.stdout.write(terminalLine(`${p.from} → ${p.to}  [${flags.join(', ')}]`));
          if (p.context) process.stdout.write(terminalLine(`  ! ${contextLine(p.context)}`));
          for (const s of p.steps) {
            const ev = s.succeededEventIds.length + s.failedEventIds.length;
            process.stdout.write(
              terminalLine(
                `    ${s.technique.padEnd(34)} ${s.status.padEnd(9)} ${s.to}${s.via && s.via !== s.to ? ` (via ${s.via})` : ''}${ev ? `  events: ${s.succeededEventIds.length} ok, ${s.failedEventIds.length} denied` : ''}`,
              ),
            );
            for (const c of s.conditions ?? []) process.stdout.write(terminalLine(`${' '.repeat(6)}only if ${c}`));
          }
        }
        process.stderr.write(
          `${paths.length} path(s) to ${to}; graph ${graph.stats.nodes} nodes, ${graph.stats.edges} edges in ${graph.stats.ms} ms; window ${ctx.windowStart} .. ${ctx.asOf}\n`,
        );
      }, READ_ONLY);
    });
}
