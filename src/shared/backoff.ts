/** Reconnect delay for the n-th attempt (1-based): doubles from `baseMs`, capped, with ±20% jitter
 * so hundreds of desktops do not reconnect to a restarted PBX in lock-step. */
export function reconnectDelayMs(attempt: number, baseMs = 500, capMs = 30_000, random = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jitter = 1 + (random() * 0.4 - 0.2);
  return Math.round(Math.min(capMs, exp * jitter));
}
