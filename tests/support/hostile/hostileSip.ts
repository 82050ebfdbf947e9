// Tests only: a bare SIP.js client (real WebRTC offer, so a B2BUA bridges it like any call) that
// sends supervision requests as an attacker or a broken client would: any header, any From, any
// in-dialog MESSAGE body. Driven by tests/e2e/supervisionHostile.test.ts through `window.hostile`.
import { Inviter, Registerer, SessionState, UserAgent, type Session } from 'sip.js';

let ua: UserAgent | null = null;
const legs = new Map<number, { session: Session; received: string[] }>();
let nextLeg = 1;

export interface Outcome {
  /** Final status: 200 when answered (the leg is kept as `leg`), else the refusal. */
  status: number;
  reason: string;
  leg?: number;
}

const hostile = {
  async start(o: { server: string; domain: string; user: string; password: string }): Promise<void> {
    ua = new UserAgent({
      uri: UserAgent.makeURI(`sip:${o.user}@${o.domain}`),
      authorizationUsername: o.user,
      authorizationPassword: o.password,
      transportOptions: { server: o.server },
      sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] }, iceGatheringTimeout: 500 },
      logBuiltinEnabled: false,
      logLevel: 'error',
    });
    await ua.start();
    await new Promise<void>((resolve) => {
      const registerer = new Registerer(ua!);
      registerer.stateChange.addListener((s) => s === 'Registered' && resolve());
      void registerer.register();
    });
  },

  /** An INVITE to `target` with these extra header lines; `from`: a spoofed From URI. */
  invite(target: string, o: { headers: string[]; from?: string }): Promise<Outcome> {
    return new Promise((resolve) => {
      const inviter = new Inviter(ua!, UserAgent.makeURI(target)!, {
        extraHeaders: o.headers,
        ...(o.from ? { params: { fromUri: o.from } } : {}),
        delegate: {
          onMessage: (m) => {
            m.accept();
            legs.get(id)?.received.push(m.request.body);
          },
        },
      });
      const id = nextLeg++;
      legs.set(id, { session: inviter, received: [] });
      inviter.stateChange.addListener((s) => {
        if (s === SessionState.Established) resolve({ status: 200, reason: 'OK', leg: id });
      });
      void inviter
        .invite({ requestDelegate: { onReject: (r) => resolve({ status: r.message.statusCode ?? 0, reason: r.message.reasonPhrase ?? "" }) } })
        .catch((e: Error) => resolve({ status: 0, reason: e.message }));
    });
  },

  /** An in-dialog MESSAGE on an answered leg; resolves with the response (a B2BUA answers itself). */
  message(leg: number, contentType: string, body: string): Promise<Outcome> {
    const entry = legs.get(leg);
    if (!entry) return Promise.resolve({ status: 0, reason: 'no such leg' });
    return new Promise((resolve) => {
      void entry.session
        .message({
          requestDelegate: {
            onAccept: (r) => resolve({ status: r.message.statusCode ?? 0, reason: r.message.reasonPhrase ?? "" }),
            onReject: (r) => resolve({ status: r.message.statusCode ?? 0, reason: r.message.reasonPhrase ?? "" }),
          },
          requestOptions: { body: { contentDisposition: 'render', contentType, content: body } },
        })
        .catch((e: Error) => resolve({ status: 0, reason: e.message }));
    });
  },

  /** What the agent's app sent on this leg (its state reports). */
  received: (leg: number): string[] => legs.get(leg)?.received ?? [],

  async hangup(leg: number): Promise<void> {
    const entry = legs.get(leg);
    if (entry?.session.state === SessionState.Established) await entry.session.bye().catch(() => undefined);
    legs.delete(leg);
  },
};

Object.assign(window, { hostile });
