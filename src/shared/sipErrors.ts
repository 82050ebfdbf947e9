/** What the agent is told when registration or a call fails, by SIP status code. */
export function describeRegistrationFailure(statusCode: number, reason = ''): string {
  if (statusCode === 401 || statusCode === 407 || statusCode === 403)
    return `Wrong user name or password (${statusCode}${reason ? ` ${reason}` : ''}). Check the extension, auth user and password.`;
  if (statusCode === 404) return `The server does not know this extension (404). Check the extension and SIP domain.`;
  if (statusCode === 408 || statusCode === 503 || statusCode === 504) return `The SIP server did not answer (${statusCode}). It may be down or overloaded.`;
  return `Registration refused: ${statusCode} ${reason}`.trim();
}

/**
 * A refusal that says "not now" rather than "not you": no answer, the server busy, starting or
 * shutting down. The phone keeps trying on these; a wrong password or unknown extension it does not
 * (retrying those would only lock the account out).
 */
export function isTransientRegistrationFailure(statusCode: number): boolean {
  return statusCode === 408 || statusCode === 480 || (statusCode >= 500 && statusCode < 600 && statusCode !== 501 && statusCode !== 505);
}

export function describeCallFailure(statusCode: number, reason = ''): string {
  const known: Record<number, string> = {
    404: 'Number not found',
    480: 'Not available right now',
    486: 'Busy',
    487: 'Call cancelled',
    603: 'Declined',
    403: 'Not allowed',
    481: 'That call no longer exists',
    408: 'No answer',
    488: 'Incompatible media',
  };
  // Keep the far end's own words: "403 Not An Authorized Supervisor" says more than "Not allowed".
  return `${known[statusCode] ?? 'Call failed'} (${statusCode}${reason ? ` ${reason}` : ''})`;
}

/** A WebSocket that never opened: unreachable, refused, or (wss) a certificate the machine rejects. */
export function describeTransportFailure(server: string): string {
  const tls = /^wss:/i.test(server);
  return tls
    ? `Cannot connect to ${server}: the server is unreachable or its TLS certificate is not trusted.`
    : `Cannot connect to ${server}: the server is unreachable.`;
}
