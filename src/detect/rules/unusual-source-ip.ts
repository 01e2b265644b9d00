import { defineEventRule } from '../types.js';
import { networkOf, sourceNetworks, trackedPrincipal } from '../state/source-networks.js';
import { who } from './helpers.js';
import { timeToMs } from '../../store/index.js';

/** An identity needs this much history before a new network means anything. */
const BASELINE_MS = 24 * 3_600_000;
/** A network not used for this long counts as new again. */
const WINDOW_MS = 90 * 86_400_000;

/**
 * An identity acting from a network (IPv4 /24, IPv6 /48) it has not used in the last 90 days,
 * once it has at least a day of history: stolen keys or a hijacked session used from elsewhere.
 * Fires once per identity and network (the network is then known).
 */
export const unusualSourceIp = defineEventRule({
  id: 'unusual-source-ip',
  title: 'Identity acting from a new network',
  severity: 'low',
  description:
    'An IAM user, the root user or an Identity Center user made a call from an IP network never seen for it in the last 90 days. Alone it is often travel or a new office; next to a console login without MFA, a new access key or escalation steps it is how stolen credentials show.',
  remediation:
    'Check with the person whether the address is theirs (VPN, travel, new ISP). If not, rotate the identity\'s credentials and review what it did from that address (trailscope events --principal ARN).',
  references: [
    'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html#unauthorizedaccess-iam-instancecredentialexfiltrationoutsideaws',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip',
  ],
  attack: ['T1078.004'],
  prefilter: { identityType: ['IAMUser', 'Root', 'AssumedRole'], principal: trackedPrincipal },
  input: 'light',
  state: sourceNetworks,
  match(e, state) {
    const id = state.identityKey(e);
    const net = networkOf(e.sourceIPAddress);
    if (!id || !net) return null;
    const t = timeToMs(e.eventTime);
    const first = state.firstSeenMs(id);
    if (first === undefined || t - first < BASELINE_MS) return null;
    const last = state.networkLastSeenMs(id, net);
    if (last !== undefined && t - last <= WINDOW_MS) return null;
    return {
      resource: e.principalArn!,
      details: { ...who(e), network: net, identityFirstSeen: new Date(first).toISOString(), networkLastSeen: last === undefined ? null : new Date(last).toISOString() },
    };
  },
});
