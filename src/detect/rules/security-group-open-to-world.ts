import { defineEventRule } from '../types.js';
import { actorOf, items, obj, params, str, succeeded, who } from './helpers.js';

interface OpenRule {
  cidr: string;
  protocol: string | null;
  fromPort: number | null;
  toPort: number | null;
}

/** Any address: 0.0.0.0/0, ::/0, or any prefix of length 0 ("1.2.3.4/0" opens to everyone as well). */
function isWorld(cidr: string | undefined): cidr is string {
  return cidr !== undefined && /\/0+$/.test(cidr.trim());
}

function num(v: unknown): number | null {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : null;
}

function openRules(p: Record<string, unknown>): OpenRule[] {
  const out: OpenRule[] = [];
  // Old single-rule form: cidrIp beside the ports.
  const single = str(p.cidrIp);
  if (isWorld(single)) out.push({ cidr: single, protocol: str(p.ipProtocol) ?? null, fromPort: num(p.fromPort), toPort: num(p.toPort) });
  for (const perm of items(p.ipPermissions)) {
    const pm = obj(perm);
    if (!pm) continue;
    const ranges = [
      ...items(pm.ipRanges).map((r) => str(obj(r)?.cidrIp)),
      ...items(pm.ipv6Ranges).map((r) => str(obj(r)?.cidrIpv6)),
    ];
    for (const cidr of ranges) {
      if (isWorld(cidr)) out.push({ cidr, protocol: str(pm.ipProtocol) ?? null, fromPort: num(pm.fromPort), toPort: num(pm.toPort) });
    }
  }
  // ModifySecurityGroupRules: {ModifySecurityGroupRulesRequest: {SecurityGroupRule: {SecurityGroupRule: {CidrIpv4, ...}}}}
  const modify = obj(p.ModifySecurityGroupRulesRequest);
  for (const wrapper of items(modify?.SecurityGroupRule)) {
    const rule = obj(obj(wrapper)?.SecurityGroupRule);
    if (!rule) continue;
    const cidr = str(rule.CidrIpv4) ?? str(rule.CidrIpv6);
    if (isWorld(cidr)) out.push({ cidr, protocol: str(rule.IpProtocol) ?? null, fromPort: num(rule.FromPort), toPort: num(rule.ToPort) });
  }
  return out;
}

const SENSITIVE_PORTS = [22, 3389, 3306, 5432, 1433, 6379, 9200, 27017];

function exposesSensitive(r: OpenRule): boolean {
  if (r.protocol === '-1' || r.protocol === 'all' || r.fromPort === null || r.fromPort === -1) return true;
  const to = r.toPort ?? r.fromPort;
  return SENSITIVE_PORTS.some((port) => port >= r.fromPort! && port <= to);
}

/** Ingress opened to the whole internet (0.0.0.0/0 or ::/0) on a security group. */
export const securityGroupOpenToWorld = defineEventRule({
  id: 'security-group-open-to-world',
  title: 'Security group opened to the internet',
  severity: 'medium',
  description:
    'An ingress rule admitting any address (0.0.0.0/0 or ::/0) was added to a security group. Anything listening behind it is reachable from the whole internet; on SSH, RDP or database ports this is a common way in.',
  remediation:
    'Narrow the rule to the addresses that need it (a VPN, a load balancer\'s security group) or remove it; use Systems Manager Session Manager instead of open SSH/RDP.',
  references: [
    'https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html',
    'https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19',
    'https://stratus-red-team.cloud/attack-techniques/AWS/aws.exfiltration.ec2-security-group-open-port-22-ingress/',
  ],
  attack: ['T1562.007'],
  prefilter: {
    eventSource: ['ec2.amazonaws.com'],
    eventName: ['AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules'],
  },
  input: 'full',
  match(e) {
    if (!succeeded(e)) return null;
    const p = params(e);
    const open = openRules(p);
    if (open.length === 0) return null;
    const groupId = str(p.groupId) ?? str(obj(p.ModifySecurityGroupRulesRequest)?.GroupId) ?? str(p.groupName) ?? null;
    return {
      resource: actorOf(e),
      severity: open.some(exposesSensitive) ? 'high' : 'medium',
      details: { ...who(e), securityGroup: groupId, openRules: open },
    };
  },
});
