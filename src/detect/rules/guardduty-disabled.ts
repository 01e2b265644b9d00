import { defineEventRule } from '../types.js';
import { actorOf, params, str, succeeded, who } from './helpers.js';

/** GuardDuty switched off or detached from its administrator (Stratus: guardduty-delete-detector). */
export const guarddutyDisabled = defineEventRule({
  id: 'guardduty-disabled',
  title: 'GuardDuty disabled',
  severity: 'high',
  description:
    'A GuardDuty detector was deleted or suspended, member accounts stopped being monitored, or the account left its GuardDuty administrator. Threat detection for the account or region stops.',
  remediation:
    'Re-enable the detector (or re-associate the account), find out who did it, and protect GuardDuty with an SCP denying guardduty:DeleteDetector, UpdateDetector, Disassociate* and StopMonitoringMembers.',
  references: [
    'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_suspend-disable.html',
    'https://stratus-red-team.cloud/attack-techniques/AWS/aws.defense-evasion.guardduty-delete-detector/',
  ],
  attack: ['T1562.001'],
  prefilter: {
    eventSource: ['guardduty.amazonaws.com'],
    eventName: ['DeleteDetector', 'UpdateDetector', 'StopMonitoringMembers', 'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount', 'DeleteMembers', 'DisassociateMembers'],
  },
  input: 'full',
  match(e) {
    if (!succeeded(e)) return null;
    const p = params(e);
    if (e.eventName === 'UpdateDetector' && p.enable !== false && p.enable !== 'false') return null;
    return {
      resource: actorOf(e),
      title: `GuardDuty disabled: ${e.eventName}`,
      details: { ...who(e), detectorId: str(p.detectorId) ?? null },
    };
  },
});
