import type { NormalizedEvent } from '../../model/index.js';
import type { DetectionMemory } from '../../store/index.js';
import type { StateProvider } from '../types.js';
import { timeToMs } from '../../store/index.js';
import { isIP } from 'node:net';

/**
 * Per identity: when it was first seen acting, and when it last acted from each network (an
 * IPv4 /24 or IPv6 /48). Only identities that are people or long-term credentials are tracked:
 * IAM users, root, and Identity Center (AWSReservedSSO_) role sessions per person; other role
 * sessions run on AWS compute whose addresses change all the time.
 */
export interface SourceNetworks {
  /** The key of the acting identity, or null when it is not tracked. */
  identityKey(e: NormalizedEvent): string | null;
  firstSeenMs(identity: string): number | undefined;
  networkLastSeenMs(identity: string, network: string): number | undefined;
}

const IDENTITY = 'identity-first-seen';
const NETWORK = 'identity-network';

const networks = new Map<string, string | null>();

/** The network an address belongs to, or null for service names ("ec2.amazonaws.com", "AWS Internal"). */
export function networkOf(ip: string | null): string | null {
  if (!ip) return null;
  let net = networks.get(ip);
  if (net === undefined) {
    net = computeNetwork(ip);
    if (networks.size > 100_000) networks.clear();
    networks.set(ip, net);
  }
  return net;
}

function computeNetwork(ip: string): string | null {
  const kind = isIP(ip);
  if (kind === 4) return `${ip.split('.').slice(0, 3).join('.')}.0/24`;
  if (kind === 6) {
    const [head = '', tail = ''] = ip.toLowerCase().split('::');
    const left = head ? head.split(':') : [];
    const right = tail ? tail.split(':') : [];
    const full = ip.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
    return `${full.slice(0, 3).map((h) => h.replace(/^0+(?=.)/, '')).join(':')}::/48`;
  }
  return null;
}

const SSO_ROLE = /:role\/(?:.*\/)?AWSReservedSSO_/;

/** The principals tracked: users and root by type, and Identity Center roles (the rest of AssumedRole is not). */
export function trackedPrincipal(principalArn: string | null): boolean {
  return principalArn !== null && (!principalArn.includes(':role/') || SSO_ROLE.test(principalArn));
}

function identityKey(e: NormalizedEvent): string | null {
  if (!e.principalArn) return null;
  if (e.identityType === 'IAMUser' || e.identityType === 'Root') return e.principalArn;
  if (e.identityType === 'AssumedRole' && SSO_ROLE.test(e.principalArn) && e.sessionName) {
    return `${e.principalArn}#${e.sessionName}`;
  }
  return null;
}

export const sourceNetworks: StateProvider<SourceNetworks & { memory: DetectionMemory }> = {
  id: 'source-networks',
  prefilter: { identityType: ['IAMUser', 'Root', 'AssumedRole'], principal: trackedPrincipal },
  input: 'light',
  create(memory) {
    return {
      memory,
      identityKey,
      firstSeenMs: (id) => memory.get(IDENTITY, id)?.firstMs,
      networkLastSeenMs: (id, net) => memory.get(NETWORK, `${id}\n${net}`)?.lastMs,
    };
  },
  observe(state, e) {
    const id = identityKey(e);
    const net = networkOf(e.sourceIPAddress);
    if (!id || !net) return;
    const t = timeToMs(e.eventTime);
    state.memory.note(IDENTITY, id, t);
    state.memory.note(NETWORK, `${id}\n${net}`, t);
  },
};
