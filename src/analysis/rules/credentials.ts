/**
 * Shared judgement for credential-report rules: was a credential used in the window, or is it
 * old enough to have been? Times after asOf are treated as unknown (a credential report taken
 * later cannot say what happened before asOf), so such credentials are not judged.
 */
export type CredentialVerdict = 'used' | 'unused' | 'never-used' | 'too-young' | 'not-judged';

export function judgeCredential(
  lastUsed: string | null | undefined,
  createdAt: string | null | undefined,
  windowStart: string,
  asOf: string,
): CredentialVerdict {
  const start = Date.parse(windowStart);
  const end = Date.parse(asOf);
  const created = createdAt ? Date.parse(createdAt) : NaN;
  if (created > end) return 'not-judged';
  if (lastUsed) {
    const t = Date.parse(lastUsed);
    if (Number.isNaN(t) || t > end) return 'not-judged';
    return t >= start ? 'used' : 'unused';
  }
  if (Number.isNaN(created)) return 'not-judged';
  return created > start ? 'too-young' : 'never-used';
}
