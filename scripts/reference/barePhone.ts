// The benchmark's reference: a minimal SIP.js phone with no app around it. The microphone track goes
// straight to WebRTC (no Web Audio on the send side); the remote track feeds one analyser, read with
// the same Goertzel detector as the app's headset, so both are timed alike. Driven by scripts/bench.ts.
import { Invitation, Inviter, Registerer, SessionState, UserAgent, type Session } from 'sip.js';
import type { SessionDescriptionHandler } from 'sip.js/lib/platform/web';
import { rmsDb, toneLevelDb } from '../../src/shared/goertzel';

const ctx = new AudioContext({ latencyHint: 'interactive' });
const analyser = ctx.createAnalyser();
analyser.fftSize = 4096;
analyser.connect(ctx.destination);
const samples = new Float32Array(analyser.fftSize);
let session: Session | null = null;

function hear(s: Session): void {
  const pc = (s.sessionDescriptionHandler as SessionDescriptionHandler | undefined)?.peerConnection;
  const tracks = pc?.getReceivers().map((r) => r.track).filter((t) => t.kind === 'audio') ?? [];
  const stream = new MediaStream(tracks);
  // Chrome feeds a remote WebRTC stream to Web Audio only while a media element plays it.
  const sink = new Audio();
  sink.muted = true;
  sink.srcObject = stream;
  void sink.play().catch(() => undefined);
  ctx.createMediaStreamSource(stream).connect(analyser);
}

function track(s: Session): void {
  session = s;
  s.stateChange.addListener((state) => {
    if (state === SessionState.Established) hear(s);
  });
}

const bare = {
  async start(o: { server: string; domain: string; user: string; password: string }): Promise<void> {
    const ua = new UserAgent({
      uri: UserAgent.makeURI(`sip:${o.user}@${o.domain}`),
      authorizationUsername: o.user,
      authorizationPassword: o.password,
      transportOptions: { server: o.server },
      sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] }, iceGatheringTimeout: 2000 },
      logBuiltinEnabled: false,
      logLevel: 'error',
      delegate: {
        onInvite: (invitation: Invitation) => {
          track(invitation);
          void invitation.accept();
        },
      },
    });
    await ua.start();
    const registered = new Promise<void>((resolve) => {
      const registerer = new Registerer(ua);
      registerer.stateChange.addListener((s) => s === 'Registered' && resolve());
      void registerer.register();
    });
    await registered;
    (bare as { ua?: UserAgent }).ua = ua;
  },
  async call(target: string): Promise<void> {
    const ua = (bare as { ua?: UserAgent }).ua!;
    const inviter = new Inviter(ua, UserAgent.makeURI(target)!);
    track(inviter);
    await inviter.invite();
  },
  established: () => session?.state === SessionState.Established,
};

void ctx.resume();
Object.assign(window, {
  bare,
  // The same surface the benchmark reads on the app's pages.
  whisperlineDiagnostics: {
    headsetLevels(frequencies: number[], windowSamples = samples.length) {
      analyser.getFloatTimeDomainData(samples);
      const block = samples.subarray(samples.length - Math.min(windowSamples, samples.length));
      const tones: Record<number, number> = {};
      for (const f of frequencies) tones[f] = toneLevelDb(block, ctx.sampleRate, f);
      return { rmsDb: rmsDb(block), tones };
    },
  },
});
