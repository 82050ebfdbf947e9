/**
 * Which in-dialog request carries a supervision leg's messages (mode changes, confirmations,
 * challenges, prompts) between the supervisor's and the agent's apps.
 *
 * A proxy forwards either. A B2BUA builds its own requests on the other call: Asterisk relays an
 * in-dialog MESSAGE with its content type but drops INFO bodies; FreeSWITCH turns an in-dialog
 * MESSAGE into an out-of-dialog text/html chat and relays INFO in-dialog, content type and body
 * intact, for the content types its profile lists in `proxy-info-content-types`. So MESSAGE unless
 * the leg came through FreeSWITCH: its INVITEs say so with `X-FS-Support: update_display,send_info`.
 * The agent's app picks (it speaks first, with the join challenge); each side then answers with
 * the method the other last used, so the two never disagree.
 */
export type LegMethod = 'MESSAGE' | 'INFO';

/** The method for a leg whose initial INVITE (agent side) or final response (supervisor side) had these headers. */
export function legMethodFor(header: (name: string) => string | undefined): LegMethod {
  return /\bsend_info\b/i.test(header('X-FS-Support') ?? '') ? 'INFO' : 'MESSAGE';
}
