/**
 * Who may supervise this agent, until the signed org policy replaces it: the caller's SIP identity
 * (as authenticated by the PBX) must be on the supervisor list in the agent's settings.
 */
export interface SupervisionSettings {
  supervisors: string[];
  notifyAgent: boolean;
  allowDeclineWhisper: boolean;
}

/** `1101`, `sip:1101@pbx.example` and `1101@pbx.example` all name the same supervisor on the agent's domain. */
export function normalizeIdentity(identity: string, defaultDomain: string): string {
  const bare = identity.trim().replace(/^sips?:/i, '').replace(/[;?>].*$/, '').toLowerCase();
  return bare.includes('@') ? bare : `${bare}@${defaultDomain.toLowerCase()}`;
}

export type SupervisionDecision = { allowed: true } | { allowed: false; status: number; reason: string };

export function authorizeSupervisor(callerUri: string, settings: SupervisionSettings, agentDomain: string): SupervisionDecision {
  const caller = normalizeIdentity(callerUri, agentDomain);
  const listed = settings.supervisors.some((s) => normalizeIdentity(s, agentDomain) === caller);
  return listed ? { allowed: true } : { allowed: false, status: 403, reason: 'Not An Authorized Supervisor' };
}
