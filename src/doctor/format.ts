/**
 * The doctor's run as text for a terminal. What AWS answers (S3 keys, error messages, trail and
 * rule names) is untrusted: every value goes through escapeForTerminal, so a hostile key cannot
 * drive the terminal or forge a line. `--json` output prints the run object itself.
 */
import { escapeForTerminal } from '../model/index.js';
import type { CheckStatus, DoctorRun } from './types.js';

const MARK: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

export function formatDoctorRun(run: DoctorRun): string {
  const lines = [`doctor: connector ${escapeForTerminal(run.connector)} (${run.startedAt})`];
  for (const r of run.results) {
    lines.push(`${MARK[r.status]}  ${r.id}: ${escapeForTerminal(r.found)}`);
    if (r.status === 'fail' || r.status === 'warn') {
      lines.push(`      why: ${escapeForTerminal(r.why)}`);
      if (r.fix) lines.push(`      fix: ${escapeForTerminal(r.fix)}`);
    }
  }
  const count = (s: CheckStatus) => run.results.filter((r) => r.status === s).length;
  lines.push(`${count('pass')} passed, ${count('warn')} warnings, ${count('fail')} failed, ${count('skip')} skipped`);
  return lines.join('\n') + '\n';
}
