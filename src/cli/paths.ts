import type { Command } from 'commander';
import { terminalLine } from '../model/index.js';
import { addDbOption, CliError, printJson, withStore } from './common.js';
import { addWindowOptions, printNotices, READ_ONLY, resolveWindow, type WindowOptions } from './analysis-options.js';
import { findAttackPaths, UseCaseError, type PathsDocument } from '../app/index.js';

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
 *                 "firstSeen": ISO|null, "lastSeen": ISO|null, "followOn"?: string }]
 *   }],
 *   "stats": { "nodes": number, "edges": number, "evaluatorCalls": number, "graphMs": number, "paths": number }
 * }
 */
export type { PathsDocument } from '../app/index.js';

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
        let doc: PathsDocument;
        let walked: boolean;
        try {
          ({ document: doc, walked } = await findAttackPaths(store, { ...w, from: opts.from, to: opts.to, onNotices: (n) => printNotices(n, opts.db) }));
        } catch (err) {
          if (err instanceof UseCaseError) throw new CliError(err.message);
          throw err;
        }
        const { paths } = doc;
        const to = doc.target;
        if (!walked && !opts.json) {
          process.stderr.write(terminalLine(`0 path(s) to ${to}; window ${doc.windowStart} .. ${doc.asOf}`));
          return;
        }
        if (opts.json) {
          printJson(doc);
          return;
        }
        for (const p of paths) {
          const flags = [p.status, p.crossAccount ? 'cross-account' : '', p.conditional ? 'conditional' : '', p.confidence === 'potential' ? 'potential' : ''].filter(Boolean);
          process.stdout.write(terminalLine(`${p.from} → ${p.to}  [${flags.join(', ')}]`));
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
          `${paths.length} path(s) to ${to}; graph ${doc.stats.nodes} nodes, ${doc.stats.edges} edges in ${doc.stats.graphMs} ms; window ${doc.windowStart} .. ${doc.asOf}\n`,
        );
      }, READ_ONLY);
    });
}
