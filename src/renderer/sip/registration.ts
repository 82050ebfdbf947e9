import { Registerer, RegistererState, RequestPendingError, type UserAgent } from 'sip.js';
import { reconnectDelayMs, registerRetryDelayMs } from '../../shared/backoff';
import { describeRegistrationFailure, describeTransportFailure, isTransientRegistrationFailure } from '../../shared/sipErrors';
import { phoneStore, type RegistrationState } from '../store/phoneState';

/** What the registration badge shows. */
export function reportRegistration(state: RegistrationState, message: string | null = null): void {
  phoneStore.update((s) => ({
    ...s,
    registration: {
      state,
      message,
      connectingAt: state === 'connecting' ? Date.now() : s.registration.connectingAt,
      registeredAt: state === 'registered' ? Date.now() : s.registration.registeredAt,
    },
  }));
}

/**
 * Keeps one user agent signed in without the agent's help: a dropped WebSocket is reconnected with
 * back-off, every (re)connect registers again (a restarted PBX has forgotten the binding), and a
 * "not now" refusal is asked again later. Only a refusal that retrying cannot fix (a wrong password,
 * an unknown extension) is left for the agent, as "failed".
 */
export class Registration {
  private readonly registerer: Registerer;
  private reconnectAttempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private retryAttempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private halted = false;
  private signedOut = false;

  constructor(
    private readonly ua: UserAgent,
    private readonly server: string,
    /** Signed in, or back after a reconnect. */
    private readonly onAccepted: () => void,
  ) {
    this.registerer = new Registerer(ua, { expires: 300, refreshFrequency: 80 });
    this.registerer.stateChange.addListener((state) => {
      if (this.halted) return;
      if (state === RegistererState.Registered) {
        this.reconnectAttempt = 0;
        reportRegistration('registered');
      } else if (state === RegistererState.Unregistered && phoneStore.get().registration.state === 'registered') {
        reportRegistration('unregistered');
      }
    });
  }

  /** Connects and registers. Resolves once the first attempt settled. */
  async start(): Promise<void> {
    reportRegistration('connecting');
    try {
      await this.ua.start();
    } catch {
      reportRegistration('reconnecting', describeTransportFailure(this.server));
      this.scheduleReconnect();
      return;
    }
    await this.register();
  }

  /** The UA's transport connected (again). */
  onConnect(): void {
    // After a reconnect the server may have lost our binding (restart): register again.
    if (this.reconnectAttempt > 0 || phoneStore.get().registration.state === 'reconnecting') void this.register();
  }

  /** The UA's transport dropped; `error` is absent when we closed it ourselves. */
  onDisconnect(error?: Error): void {
    if (this.halted || !error) return;
    reportRegistration('reconnecting', `Connection to ${this.server} lost; reconnecting…`);
    this.scheduleReconnect();
  }

  /** Signs out: no new calls are offered, but calls in progress and the connection stay up. */
  async signOut(): Promise<void> {
    this.signedOut = true;
    this.clearRetry();
    await this.unregister();
    reportRegistration('unregistered', 'Signed out');
  }

  /** Signs back in on the same connection; false when there is none to use. */
  async signIn(): Promise<boolean> {
    if (!this.ua.isConnected()) return false;
    this.signedOut = false;
    await this.register();
    return true;
  }

  /** No more retries or state reports: the UA is being let go. */
  halt(): void {
    this.halted = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.clearRetry();
  }

  async unregister(): Promise<void> {
    if (this.registerer.state === RegistererState.Registered) await this.registerer.unregister().catch(() => undefined);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retryAttempt = 0;
  }

  private async register(): Promise<void> {
    if (this.halted || this.signedOut) return;
    await this.registerer
      .register({
        requestDelegate: {
          // Also on a refresh after reconnecting, where the registerer's state does not change.
          onAccept: () => {
            this.reconnectAttempt = 0;
            this.retryAttempt = 0;
            reportRegistration('registered');
            this.onAccepted();
          },
          onReject: (response) => {
            const { statusCode = 0, reasonPhrase = '' } = response.message;
            if (!isTransientRegistrationFailure(statusCode)) {
              reportRegistration('failed', describeRegistrationFailure(statusCode, reasonPhrase));
              return;
            }
            // A PBX starting up, shutting down or overloaded (or a REGISTER lost with a dying
            // connection): the agent should not have to sign in again once it is back.
            const retryAfterS = Number.parseInt(response.message.getHeader('Retry-After') ?? '', 10);
            const attempt = ++this.retryAttempt;
            reportRegistration('reconnecting', `${describeRegistrationFailure(statusCode, reasonPhrase)} Retry ${attempt}…`);
            this.scheduleRetry(registerRetryDelayMs(attempt, Number.isFinite(retryAfterS) ? retryAfterS : null));
          },
        },
      })
      .catch((e: Error) => {
        // One REGISTER at a time: the one in flight reports for both.
        if (e instanceof RequestPendingError) return;
        reportRegistration('failed', `Registration failed: ${e.message}`);
      });
  }

  private scheduleRetry(delayMs: number): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      // A lost connection has its own retry, which registers once connected.
      if (this.ua.isConnected()) void this.register();
    }, delayMs);
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.halted) return;
    const attempt = ++this.reconnectAttempt;
    this.reconnectTimer = setTimeout(async () => {
      this.reconnectTimer = null;
      if (this.halted) return;
      try {
        await this.ua.reconnect();
      } catch {
        if (this.halted) return;
        reportRegistration('reconnecting', `${describeTransportFailure(this.server)} Retry ${attempt}…`);
        this.scheduleReconnect();
      }
      // Connected: onConnect registers.
    }, reconnectDelayMs(attempt));
  }
}
