/** ±20 % around `ms`, so hundreds of desktops do not retry against a restarted PBX in lock-step. */
function withJitter(ms: number, random: () => number): number {
  return ms * (1 + (random() * 0.4 - 0.2));
}

/** Reconnect delay for the n-th attempt (1-based): doubles from `baseMs`, capped, with ±20% jitter. */
export function reconnectDelayMs(attempt: number, baseMs = 500, capMs = 30_000, random = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(Math.min(capMs, withJitter(exp, random)));
}

/**
 * When to send REGISTER again after a "not now" refusal. A server's Retry-After is honoured up to
 * the reconnect cap: FreeSWITCH answers "503 Maximum Calls In Progress, Retry-After: 300" for the
 * seconds it is starting, and an agent should not sit signed out for five minutes after that.
 */
export function registerRetryDelayMs(attempt: number, retryAfterSeconds: number | null, capMs = 30_000, random = Math.random): number {
  if (retryAfterSeconds === null || !(retryAfterSeconds > 0)) return reconnectDelayMs(attempt, 500, capMs, random);
  return Math.round(withJitter(Math.min(retryAfterSeconds * 1000, capMs), random));
}
