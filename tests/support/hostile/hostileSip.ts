// Tests only: a bare SIP.js client (real WebRTC offer, so a B2BUA bridges it like any call) that
// sends supervision requests as an attacker or a broken client would: any header, any From, any
// in-dialog MESSAGE body. Driven by tests/e2e/supervisionHostile.test.ts through `window.hostile`.
import { Inviter, Registerer, SessionState, UserAgent, type Session } from 'sip.js';
import type { SessionDescriptionHandler } from 'sip.js/lib/platform/web';
import { toneLevelDb } from '../../../src/shared/goertzel';

let ua: UserAgent | null = null;
interface Leg {
  session: Session;
  received: string[];
  /** The Reason header of the BYE that ended the leg, if the far end hung up. */
  byeReason?: string;
  /** Per frequency asked for, the loudest ~43 ms frame heard on the leg (dBFS). */
  loudest: Record<number, number>;
  stopListening?: () => void;
}
const legs = new Map<number, Leg>();

/** What the attacker hears on an answered leg: every frame's level at each frequency, the loudest kept. */
function listen(leg: Leg, frequencies: number[]): void {
  const pc = (leg.session.sessionDescriptionHandler as SessionDescriptionHandler | undefined)?.peerConnection;
  const tracks = pc?.getReceivers().map((r) => r.track).filter((t) => t.kind === 'audio') ?? [];
  if (!tracks.length) return;
  const stream = new MediaStream(tracks);
  // Chromium feeds a remote WebRTC track to Web Audio only while a media element plays it.
  const sink = new Audio();
  sink.muted = true;
  sink.srcObject = stream;
  void sink.play().catch(() => undefined);
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 2048;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  for (const f of frequencies) leg.loudest[f] = -Infinity;
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(buf);
    for (const f of frequencies) leg.loudest[f] = Math.max(leg.loudest[f], toneLevelDb(buf, ctx.sampleRate, f));
  }, 20);
  leg.stopListening = () => {
    clearInterval(timer);
    sink.srcObject = null;
    void ctx.close();
  };
}
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

  /** An INVITE to `target` with these extra header lines; `from`: a spoofed From URI; `listenHz`: frequencies to listen for once answered. */
  invite(target: string, o: { headers: string[]; from?: string; listenHz?: number[] }): Promise<Outcome> {
    return new Promise((resolve) => {
      const inviter = new Inviter(ua!, UserAgent.makeURI(target)!, {
        extraHeaders: o.headers,
        ...(o.from ? { params: { fromUri: o.from } } : {}),
        delegate: {
          onMessage: (m) => {
            m.accept();
            legs.get(id)?.received.push(m.request.body);
          },
          onBye: (bye) => {
            const leg = legs.get(id);
            if (leg) leg.byeReason = bye.request.getHeader('Reason') ?? '';
          },
        },
      });
      const id = nextLeg++;
      const leg: Leg = { session: inviter, received: [], loudest: {} };
      legs.set(id, leg);
      inviter.stateChange.addListener((s) => {
        if (s === SessionState.Established) {
          if (o.listenHz?.length) listen(leg, o.listenHz);
          resolve({ status: 200, reason: 'OK', leg: id });
        }
        if (s === SessionState.Terminated) leg.stopListening?.();
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

  /** Whether the leg is still up, how the far end ended it, and the loudest frame heard per frequency. */
  legState: (leg: number) => {
    const l = legs.get(leg);
    return l ? { state: l.session.state, byeReason: l.byeReason ?? null, loudest: l.loudest } : null;
  },

  async hangup(leg: number): Promise<void> {
    const entry = legs.get(leg);
    if (entry?.session.state === SessionState.Established) await entry.session.bye().catch(() => undefined);
    entry?.stopListening?.();
    legs.delete(leg);
  },
};

Object.assign(window, { hostile });
