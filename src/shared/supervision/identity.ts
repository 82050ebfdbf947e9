/**
 * Who a supervision request comes from, as the org policy names people (`user@domain`). The SIP
 * identity is only as good as the PBX's checks; the signed statement (policy/statement.ts) is what
 * proves it, and the two must agree.
 */

/** `1101`, `sip:1101@pbx.example`, `"Name" <sip:1101@pbx.example>` and `1101@pbx.example` all name the same person on the agent's domain. */
export function normalizeIdentity(identity: string, defaultDomain: string): string {
  const bare = identity.trim().replace(/^[^<]*</, '').replace(/^sips?:/i, '').replace(/[;?>].*$/, '').toLowerCase();
  return bare.includes('@') ? bare : `${bare}@${defaultDomain.toLowerCase()}`;
}

/** The host of a SIP server address such as `wss://pbx.example:8089/ws`. */
export function serverHost(server: string): string {
  const m = /^[a-z]+:\/\/(\[[^\]]+\]|[^/:]+)/i.exec(server.trim());
  return m ? m[1].toLowerCase() : '';
}

/**
 * A caller as the agent's PBX presented it. `pbxHosts`: a B2BUA PBX presents a caller as
 * `<user>@<the PBX's own host>`; that is the same user on the agent's domain (the PBX authenticated it).
 */
export function presentedIdentity(callerUri: string, agentDomain: string, pbxHosts: string[] = []): string {
  const caller = normalizeIdentity(callerUri, agentDomain);
  const [user, host] = caller.split('@');
  return pbxHosts.includes(host) ? `${user}@${agentDomain.toLowerCase()}` : caller;
}
