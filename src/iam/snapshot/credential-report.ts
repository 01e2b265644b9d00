import { printable } from '../../parse/index.js';
import type { IamUser } from '../types.js';

/**
 * The IAM credential report (GenerateCredentialReport/GetCredentialReport): a CSV whose columns
 * are named in its header row. Accepted as the CSV text, as the API/CLI JSON
 * ({"Content": base64 or plain CSV, "GeneratedTime": ...}) or as the raw bytes.
 */
export class CredentialReportError extends Error {}

export interface CredentialReportAccessKey {
  /** 1 or 2 (the report's column number). */
  slot: number;
  active: boolean;
  lastRotated: string | null;
  lastUsed: string | null;
  lastUsedRegion: string | null;
  lastUsedService: string | null;
}

export interface CredentialReportRow {
  /** IAM user name, or '<root_account>'. */
  user: string;
  arn: string;
  isRoot: boolean;
  userCreationTime: string | null;
  /** null for the root row (not_supported). */
  passwordEnabled: boolean | null;
  passwordLastUsed: string | null;
  passwordLastChanged: string | null;
  mfaActive: boolean;
  /** Keys that exist (active, or rotated at least once); inactive keys are kept with active=false. */
  accessKeys: CredentialReportAccessKey[];
  certificatesActive: number;
}

export interface CredentialReport {
  accountId: string;
  generatedAt: string | null;
  rows: CredentialReportRow[];
}

const REQUIRED = ['user', 'arn', 'password_enabled', 'mfa_active', 'access_key_1_active'];
/**
 * Columns the usage judgements read. AWS's report always has them; one missing would read as
 * "never used" for every user, so a report without them is refused rather than half-read.
 */
const USAGE_COLUMNS = [
  'password_last_used',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
];
const DATE_COLUMNS = [
  'user_creation_time',
  'password_last_used',
  'password_last_changed',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
];
/** Values the report uses for "no date"; anything else in a date column must be a date. */
const NO_DATE = new Set(['', 'N/A', 'no_information', 'not_supported']);

/** Splits CSV text into rows, honouring quoted fields ("" escapes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
  }
  return rows;
}

function time(v: string | undefined): string | null {
  if (!v || v === 'N/A' || v === 'no_information' || v === 'not_supported') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

function bool(v: string | undefined): boolean | null {
  if (v === 'true' || v === 'TRUE') return true;
  if (v === 'false' || v === 'FALSE') return false;
  return null;
}

/** True when the text is a credential report CSV (judged by its header). */
export function looksLikeCredentialReportCsv(text: string): boolean {
  const header = text.slice(0, 2000).split(/\r?\n/, 1)[0] ?? '';
  const cols = header.split(',').map((c) => c.trim());
  return REQUIRED.every((c) => cols.includes(c));
}

/** Extracts the CSV from the JSON form, decoding base64 when needed. */
export function credentialReportCsvFromJson(value: unknown): { csv: string; generatedAt: string | null } | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const content = v.Content;
  if (typeof content !== 'string' && !(content instanceof Uint8Array)) return undefined;
  const generatedAt = typeof v.GeneratedTime === 'string' ? time(v.GeneratedTime) : v.GeneratedTime instanceof Date ? v.GeneratedTime.toISOString() : null;
  let csv: string;
  if (content instanceof Uint8Array) csv = Buffer.from(content).toString('utf8');
  else if (looksLikeCredentialReportCsv(content)) csv = content;
  else csv = Buffer.from(content, 'base64').toString('utf8');
  if (!looksLikeCredentialReportCsv(csv)) return undefined;
  return { csv, generatedAt };
}

/**
 * Reads the report. Rows that cannot be trusted (a number of fields other than the header's, a
 * date that is not one) are skipped with a warning through onWarning: the user's credential use
 * is then unknown, which is better than a false "never used".
 */
export function parseCredentialReport(
  csv: string,
  opts: { generatedAt?: string | null; accountId?: string; onWarning?: (warning: string) => void } = {},
): CredentialReport {
  const rows = parseCsv(csv);
  const header = rows.shift()?.map((h) => h.trim());
  if (!header || !REQUIRED.every((c) => header.includes(c))) {
    throw new CredentialReportError(`not an IAM credential report: the header must name ${REQUIRED.join(', ')}`);
  }
  const missing = USAGE_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new CredentialReportError(
      `the credential report lacks the column(s) ${missing.join(', ')}: without them every user would look as if it never used its credentials; import the report as AWS produces it (aws iam get-credential-report)`,
    );
  }
  const col = new Map(header.map((h, i) => [h, i]));
  const get = (r: string[], name: string): string | undefined => {
    const i = col.get(name);
    return i === undefined ? undefined : r[i];
  };
  const accounts = new Set<string>();
  const out: CredentialReportRow[] = [];
  const warn = opts.onWarning ?? (() => {});
  rows.forEach((r, k) => {
    // line numbers as in the file: the header is line 1 (rows spanning lines are rare enough)
    const where = `row ${k + 2} (user "${printableCell(get(r, 'user'))}")`;
    if (r.length !== header.length) {
      warn(`${where} has ${r.length} field(s) where the header has ${header.length}: skipped, so this user's credential use is unknown`);
      return;
    }
    const badDates = DATE_COLUMNS.filter((c) => {
      const v = get(r, c);
      return v !== undefined && !NO_DATE.has(v) && Number.isNaN(Date.parse(v));
    });
    if (badDates.length > 0) {
      const shown = badDates.map((c) => `${c} "${printableCell(get(r, c))}"`).join(', ');
      warn(`${where}: ${shown} is not a date: skipped, so this user's credential use is unknown`);
      return;
    }
    const arn = get(r, 'arn') ?? '';
    const acct = /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(arn)?.[1];
    if (!acct) throw new CredentialReportError(`credential report row for "${get(r, 'user')}" has no IAM ARN`);
    accounts.add(acct);
    const keys: CredentialReportAccessKey[] = [];
    for (const slot of [1, 2]) {
      const active = bool(get(r, `access_key_${slot}_active`)) ?? false;
      const lastRotated = time(get(r, `access_key_${slot}_last_rotated`));
      if (!active && !lastRotated) continue;
      keys.push({
        slot,
        active,
        lastRotated,
        lastUsed: time(get(r, `access_key_${slot}_last_used_date`)),
        lastUsedRegion: nullable(get(r, `access_key_${slot}_last_used_region`)),
        lastUsedService: nullable(get(r, `access_key_${slot}_last_used_service`)),
      });
    }
    const user = get(r, 'user') ?? '';
    out.push({
      user,
      arn,
      isRoot: user === '<root_account>' || /:root$/.test(arn),
      userCreationTime: time(get(r, 'user_creation_time')),
      passwordEnabled: bool(get(r, 'password_enabled')),
      passwordLastUsed: time(get(r, 'password_last_used')),
      passwordLastChanged: time(get(r, 'password_last_changed')),
      mfaActive: bool(get(r, 'mfa_active')) ?? false,
      accessKeys: keys,
      certificatesActive: [1, 2].filter((n) => bool(get(r, `cert_${n}_active`)) === true).length,
    });
  });
  if (accounts.size > 1) throw new CredentialReportError(`credential report mixes accounts ${[...accounts].sort().join(', ')}`);
  const accountId = [...accounts][0] ?? opts.accountId;
  if (!accountId) throw new CredentialReportError('credential report has no rows, so its account is unknown');
  return { accountId, generatedAt: opts.generatedAt ?? null, rows: out };
}

function printableCell(v: string | undefined): string {
  return printable(v ?? '', 64);
}

function nullable(v: string | undefined): string | null {
  return !v || v === 'N/A' || v === 'no_information' ? null : v;
}

/**
 * Copies of the users with the report's credential fields merged in, matched by ARN, else by
 * user name (IAM user names are unique in an account regardless of case).
 */
export function mergeCredentialReport<U extends IamUser>(users: U[], report: CredentialReport | undefined): U[] {
  if (!report) return users;
  const byArn = new Map(report.rows.map((r) => [r.arn, r]));
  const byName = new Map(report.rows.filter((r) => !r.isRoot).map((r) => [r.user.toLowerCase(), r]));
  return users.map((u) => {
    const row = byArn.get(u.arn) ?? byName.get(u.name.toLowerCase());
    if (!row) return u;
    return {
      ...u,
      hasConsolePassword: row.passwordEnabled === true,
      passwordLastUsed: row.passwordLastUsed,
      accessKeys: row.accessKeys.map((k) => ({ active: k.active, lastUsed: k.lastUsed, createdAt: k.lastRotated })),
      mfaActive: row.mfaActive,
      createdAt: u.createdAt ?? row.userCreationTime,
    };
  });
}
