import type { DetectionMemory } from '../../store/index.js';
import type { StateProvider } from '../types.js';
import { accountOf, params, str, succeeded } from '../rules/helpers.js';
import { timeToMs } from '../../store/index.js';

/** Remembers when each IAM user was created and given a console password, with the event ids. */
export interface IamUserLifecycle {
  created(accountId: string, userName: string): { ms: number; eventId: string | null } | undefined;
  loginProfile(accountId: string, userName: string): { ms: number; eventId: string | null } | undefined;
}

const CREATED = 'iam-user-created';
const LOGIN = 'iam-login-profile';

function lookup(memory: DetectionMemory, ns: string, accountId: string, userName: string) {
  const m = memory.get(ns, `${accountId}/${userName}`);
  return m ? { ms: m.firstMs, eventId: m.value } : undefined;
}

export const iamUserLifecycle: StateProvider<IamUserLifecycle & { memory: DetectionMemory }> = {
  id: 'iam-user-lifecycle',
  prefilter: { eventSource: ['iam.amazonaws.com'], eventName: ['CreateUser', 'CreateLoginProfile'] },
  input: 'full',
  create(memory) {
    return {
      memory,
      created: (a, u) => lookup(memory, CREATED, a, u),
      loginProfile: (a, u) => lookup(memory, LOGIN, a, u),
    };
  },
  observe(state, e) {
    if (!succeeded(e)) return;
    const user = str(params(e).userName);
    if (!user) return;
    state.memory.note(e.eventName === 'CreateUser' ? CREATED : LOGIN, `${accountOf(e)}/${user}`, timeToMs(e.eventTime), e.eventID);
  },
};
