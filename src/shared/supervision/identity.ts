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

/** Who a request says it is from, as it arrived: what the PBX put in it, nothing the app assumes. */
export interface PresentedCaller {
  /** The From header's URI (or name-addr). */
  from: string;
  /** P-Asserted-Identity / Remote-Party-ID values, where the PBX added them (RFC 3325). */
  asserted: string[];
  /** The host of the top Via: the hop that handed the request to this app (a B2BUA: the PBX itself). */
  deliveredBy: string | null;
}

/**
 * The requester's identity for the policy check. The user part is taken as presented, and every
 * identity the request presents (From, and any asserted one) must name the same user: a display
 * name is ignored, and a host that is the agent's domain, the registrar's host, or the host that
 * delivered the request (a B2BUA without `from_domain` puts its own name or address in From) means
 * the agent's domain. Any other host is kept, so a request from another domain never matches.
 * Disagreeing identities come back as both, which matches no statement.
 */
export function callerIdentity(caller: PresentedCaller, agentDomain: string, pbxHosts: string[] = []): string {
  const hosts = [...pbxHosts, ...(caller.deliveredBy ? [caller.deliveredBy.toLowerCase()] : [])].filter(Boolean);
  const from = presentedIdentity(caller.from, agentDomain, hosts);
  const asserted = caller.asserted
    .flatMap((v) => v.split(/,\s*(?=["<]|sips?:|tel:)/i))
    .filter((v) => /sips?:/i.test(v))
    .map((v) => presentedIdentity(v, agentDomain, hosts));
  const other = asserted.find((a) => a !== from);
  return other ? `${from} (asserted as ${other})` : from;
}
