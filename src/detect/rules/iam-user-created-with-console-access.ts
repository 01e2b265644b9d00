import { defineEventRule } from '../types.js';
import { iamUserLifecycle } from '../state/iam-user-lifecycle.js';
import { accountOf, params, str, succeeded, userArn, who } from './helpers.js';
import { timeToMs } from '../../store/index.js';

/** CreateUser and CreateLoginProfile this close together read as "a new console user". */
const PAIR_MS = 24 * 3_600_000;

/**
 * A console password given to an IAM user: high when the user was created within a day of it
 * (a new console user: Stratus iam-create-user-login-profile, a persistence step), medium for an
 * existing user. The two events arrive in any order (files are shuffled); the detection is keyed
 * by the CreateLoginProfile event either way, and the pair replaces the lone one.
 */
export const iamUserCreatedWithConsoleAccess = defineEventRule({
  id: 'iam-user-created-with-console-access',
  title: 'IAM user given console access',
  severity: 'medium',
  description:
    'A console password (login profile) was created for an IAM user, right after the user itself was created or for an existing user. New IAM users with passwords are a persistence technique and bypass a central identity provider; most organisations give people console access through IAM Identity Center.',
  remediation:
    'Confirm the request. Prefer IAM Identity Center for people; if an IAM user is needed, require MFA and a password reset, and restrict iam:CreateLoginProfile to administrators.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html',
    'https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.iam-create-user-login-profile/',
  ],
  attack: ['T1136.003', 'T1098'],
  prefilter: { eventSource: ['iam.amazonaws.com'], eventName: ['CreateUser', 'CreateLoginProfile'] },
  input: 'full',
  state: iamUserLifecycle,
  match(e, state) {
    if (!succeeded(e)) return null;
    const user = str(params(e).userName);
    if (!user) return null;
    const account = accountOf(e);
    const t = timeToMs(e.eventTime);
    const resource = userArn(e, user);
    if (e.eventName === 'CreateLoginProfile') {
      const created = state.created(account, user);
      const paired = created !== undefined && Math.abs(t - created.ms) <= PAIR_MS;
      return {
        resource,
        severity: paired ? 'high' : 'medium',
        title: paired ? `IAM user ${user} created with console access` : `Console access given to existing IAM user ${user}`,
        details: { ...who(e), targetUser: user, createdAt: paired ? new Date(created.ms).toISOString() : null, passwordResetRequired: params(e).passwordResetRequired ?? null },
        evidence: paired && created.eventId ? [created.eventId] : [],
      };
    }
    // CreateUser after its CreateLoginProfile was already seen: upgrade that detection.
    const login = state.loginProfile(account, user);
    if (!login?.eventId || Math.abs(t - login.ms) > PAIR_MS) return null;
    return {
      resource,
      severity: 'high',
      title: `IAM user ${user} created with console access`,
      details: { ...who(e), targetUser: user, createdAt: e.eventTime },
      evidence: [login.eventId],
      anchorEventId: login.eventId,
    };
  },
});
