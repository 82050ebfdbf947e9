/** Content types of the team board's SIP traffic. */
export const pidfContentType = 'application/pidf+xml';
/**
 * A supervisor's board asks an agent's app for its state by out-of-dialog MESSAGE (for PBXs with
 * no presence server for endpoints, such as Asterisk); the app answers with a PIDF MESSAGE.
 */
export const stateQueryContentType = 'application/vnd.whisperline.state-query';
