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

/** The host of a SIP server address such as `wss://pbx.example:8089/ws`. */
export function serverHost(server: string): string {
  const m = /^[a-z]+:\/\/(\[[^\]]+\]|[^/:]+)/i.exec(server.trim());
  return m ? m[1].toLowerCase() : '';
}

/**
 * `pbxHosts`: a B2BUA PBX presents a caller as `<user>@<the PBX's own host>`; such an identity is the
 * same user on the agent's domain (the PBX authenticated it).
 */
export function authorizeSupervisor(callerUri: string, settings: SupervisionSettings, agentDomain: string, pbxHosts: string[] = []): SupervisionDecision {
  let caller = normalizeIdentity(callerUri, agentDomain);
  const [user, host] = caller.split('@');
  if (pbxHosts.includes(host)) caller = `${user}@${agentDomain.toLowerCase()}`;
  const listed = settings.supervisors.some((s) => normalizeIdentity(s, agentDomain) === caller);
  return listed ? { allowed: true } : { allowed: false, status: 403, reason: 'Not An Authorized Supervisor' };
}
