/** Content types of the team board's SIP traffic. */
export const pidfContentType = 'application/pidf+xml';
/**
 * Where a PBX has no presence server for endpoints (Asterisk), the agent's app sends its PIDF
 * document to supervisors by out-of-dialog MESSAGE, and a board asks for it with this body.
 * Both travel as text/plain: Asterisk relays no other type out of dialog (415).
 */
export const directContentType = 'text/plain';
export const stateQueryBody = 'whisperline: agent state?';
