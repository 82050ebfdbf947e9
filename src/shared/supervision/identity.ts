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
  /**
   * The request has one Via: the hop that delivered it over the account's own connection built it
   * (a B2BUA PBX). A relayed request (a proxy) has the originating client's Via too.
   */
  builtByPbx: boolean;
}

/** How many Via entries a request carries (a header line may hold several, comma-separated). */
export function viaCount(viaHeaders: string[]): number {
  return viaHeaders.reduce((n, line) => n + line.split(',').filter((v) => v.trim()).length, 0);
}

/**
 * The requester's identity for the policy check. The user part is taken as presented, and every
 * identity the request presents (From, and any asserted one) must name the same user; a display
 * name is ignored. The host: a request the PBX built itself reached this app over the account's
 * own connection to that PBX, so whatever host it names (a stock Asterisk without `from_domain`
 * puts its own host name or address in From) means the PBX's users, the agent's domain. A relayed
 * request keeps its host unless it is the agent's domain or the registrar's host, so one from another
 * domain never matches. Disagreeing identities come back as both, which matches no statement.
 */
export function callerIdentity(caller: PresentedCaller, agentDomain: string, pbxHosts: string[] = []): string {
  const onDomain = (uri: string) => {
    const id = presentedIdentity(uri, agentDomain, pbxHosts);
    return caller.builtByPbx ? `${id.split('@')[0]}@${agentDomain.toLowerCase()}` : id;
  };
  const from = onDomain(caller.from);
  const asserted = caller.asserted
    .flatMap((v) => v.split(/,\s*(?=["<]|sips?:|tel:)/i))
    .filter((v) => /sips?:/i.test(v))
    .map(onDomain);
  const other = asserted.find((a) => a !== from);
  return other ? `${from} (asserted as ${other})` : from;
}
