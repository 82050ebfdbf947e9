// Agents for the board benchmark: real SIP user agents (SIP.js in Node over WebSocket) through the
// real server. They publish their state (PIDF, as the agent app does) and, for the "real" subset,
// register and call each other; no media (a fixed SDP), since the board only sees signalling.
import { Invitation, Inviter, Publisher, Registerer, SessionState, UserAgent, type SessionDescriptionHandler } from 'sip.js';
import WebSocket from 'ws';
import { agentStateXml, type Availability } from '../src/shared/presence/agentState';
import { pidfContentType } from '../src/shared/presence/contentTypes';

// SIP.js's transport takes the browser's WebSocket; Node 20 has none.
(globalThis as unknown as { WebSocket: unknown }).WebSocket = WebSocket;

const sdp = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 9 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');

/** Offers and answers a fixed PCMU line and never sends a packet. */
const noMedia = (): SessionDescriptionHandler => ({
  close: () => undefined,
  getDescription: async () => ({ body: sdp, contentType: 'application/sdp' }),
  hasDescription: (contentType: string) => contentType === 'application/sdp',
  setDescription: async () => undefined,
  sendDtmf: () => false,
  rollbackDescription: async () => undefined,
});

export interface SimAgentOptions {
  wsUrl: string;
  domain: string;
  extension: string;
  password: string;
  /** Registers, so it can be called (the real subset). */
  register: boolean;
}

export class SimAgent {
  readonly ua: UserAgent;
  private publisher: Publisher | null = null;
  private registerer: Registerer | null = null;
  availability: Availability = 'ready';
  /** Calls ringing at this agent wait for answer(). */
  incoming: Invitation | null = null;

  constructor(private readonly o: SimAgentOptions) {
    this.ua = new UserAgent({
      uri: UserAgent.makeURI(`sip:${o.extension}@${o.domain}`),
      authorizationUsername: o.extension,
      authorizationPassword: o.password,
      transportOptions: { server: o.wsUrl },
      sessionDescriptionHandlerFactory: noMedia,
      logLevel: 'error',
      logBuiltinEnabled: false,
      delegate: {
        onInvite: (invitation) => {
          this.incoming = invitation;
          void invitation.progress().catch(() => undefined);
        },
      },
    });
  }

  get id(): string {
    return `${this.o.extension}@${this.o.domain}`;
  }

  async start(): Promise<void> {
    await this.ua.start();
    if (this.o.register) {
      this.registerer = new Registerer(this.ua, { expires: 600 });
      await this.registerer.register();
    }
    this.publisher = new Publisher(this.ua, UserAgent.makeURI(`sip:${this.id}`)!, 'presence', { expires: 600, contentType: pidfContentType });
    await this.publish();
  }

  /** Publishes the agent's state; resolves when sent (the server's answer is not waited for). */
  publish(availability: Availability = this.availability): Promise<void> {
    this.availability = availability;
    const body = agentStateXml({ agent: this.id, signedIn: true, availability, hand: null, supervision: null, callSince: null, at: new Date().toISOString() });
    return this.publisher!.publish(body);
  }

  /** Calls another agent; resolves with the session once the INVITE has left. */
  call(other: SimAgent): Inviter {
    const inviter = new Inviter(this.ua, UserAgent.makeURI(`sip:${other.id}`)!);
    void inviter.invite().catch(() => undefined);
    return inviter;
  }

  async answer(): Promise<void> {
    const inv = this.incoming;
    this.incoming = null;
    if (inv && inv.state === SessionState.Initial) await inv.accept();
  }

  async stop(): Promise<void> {
    await this.ua.stop().catch(() => undefined);
  }
}
