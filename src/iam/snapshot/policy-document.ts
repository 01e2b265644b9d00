import { z } from 'zod';
import type { PolicyDocument, PolicyStatement } from '../types.js';

/**
 * Policy documents arrive in two forms: JSON objects (AWS CLI, boto3) and URL-encoded JSON
 * strings (the IAM API itself, as passed through by the AWS SDK for JavaScript). Both are
 * normalised here into PolicyDocument; nothing downstream sees a string.
 */
export class PolicyDocumentError extends Error {}

const stringOrList = z.union([z.string(), z.array(z.string())]);

const statementSchema = z.object({
  Sid: z.string().optional(),
  Effect: z.string().transform((e, ctx) => {
    const v = e.toLowerCase();
    if (v === 'allow') return 'Allow' as const;
    if (v === 'deny') return 'Deny' as const;
    ctx.addIssue({ code: 'custom', message: `Effect must be Allow or Deny, got "${e}"` });
    return z.NEVER;
  }),
  Action: stringOrList.optional(),
  NotAction: stringOrList.optional(),
  Resource: stringOrList.optional(),
  NotResource: stringOrList.optional(),
  Principal: z.unknown().optional(),
  NotPrincipal: z.unknown().optional(),
  Condition: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

const documentSchema = z.object({
  Version: z.string().optional(),
  Id: z.string().optional(),
  // a single statement object is allowed by IAM; normalised to a list so errors name the statement
  Statement: z.preprocess((v) => (Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : v), z.array(statementSchema)),
});

/** Decodes a document given as an object, a JSON string or a URL-encoded JSON string. */
export function decodePolicyDocument(raw: unknown, where = 'policy document'): PolicyDocument {
  let value: unknown = raw;
  if (typeof raw === 'string') value = parseDocumentString(raw, where);
  const parsed = documentSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new PolicyDocumentError(`${where}: not a valid IAM policy document${path}: ${issue?.message ?? 'invalid'}`);
  }
  const doc: PolicyDocument = { Statement: parsed.data.Statement.map(cleanStatement) };
  if (parsed.data.Version !== undefined) doc.Version = parsed.data.Version;
  return doc;
}

function parseDocumentString(raw: string, where: string): unknown {
  const text = raw.trim();
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      // fall through: may still be URL-encoded JSON that happens to start with '{'
    }
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    throw new PolicyDocumentError(`${where}: a string that is neither JSON nor URL-encoded JSON`);
  }
  try {
    return JSON.parse(decoded);
  } catch {
    throw new PolicyDocumentError(`${where}: URL-decoded text is not JSON`);
  }
}

function cleanStatement(s: z.infer<typeof statementSchema>): PolicyStatement {
  const out: PolicyStatement = { Effect: s.Effect };
  if (s.Sid !== undefined) out.Sid = s.Sid;
  if (s.Action !== undefined) out.Action = s.Action;
  if (s.NotAction !== undefined) out.NotAction = s.NotAction;
  if (s.Resource !== undefined) out.Resource = s.Resource;
  if (s.NotResource !== undefined) out.NotResource = s.NotResource;
  if (s.Principal !== undefined) out.Principal = s.Principal;
  if (s.NotPrincipal !== undefined) out.NotPrincipal = s.NotPrincipal;
  if (s.Condition !== undefined && Object.keys(s.Condition).length > 0) out.Condition = s.Condition;
  return out;
}

export function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}
