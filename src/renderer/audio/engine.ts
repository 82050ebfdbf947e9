import { rmsDb, toneLevelDb } from '../../shared/goertzel';

/** One call's audio: what we send on it and what we hear from it, as nodes in the shared graph. */
export interface CallLeg {
  readonly id: string;
  /** The track handed to WebRTC: the microphone through this leg's send gain. */
  readonly outgoing: MediaStream;
  attachRemote(stream: MediaStream): void;
  setMuted(muted: boolean): void;
  setHeld(held: boolean): void;
  dispose(): void;
}

type AudioContextWithSink = AudioContext & { setSinkId?: (id: string) => Promise<void> };

/**
 * The renderer's audio graph. The microphone feeds every call leg's outgoing track through its own
 * gain; every leg's remote audio feeds the headset bus. Swapping the microphone or headset device is
 * a graph change, so calls keep their WebRTC tracks and need no renegotiation.
 */
export class AudioEngine {
  readonly ctx: AudioContextWithSink = new AudioContext({ latencyHint: 'interactive' });
  private readonly micBus = this.ctx.createGain();
  private readonly micAnalyser = this.ctx.createAnalyser();
  private readonly headsetBus = this.ctx.createGain();
  private readonly headsetAnalyser = this.ctx.createAnalyser();
  private micStream: MediaStream | null = null;
  private micSource: MediaStreamAudioSourceNode | null = null;
  private readonly legs = new Map<string, CallLeg>();
  private readonly sampleBuf: Float32Array<ArrayBuffer>;

  constructor() {
    this.micAnalyser.fftSize = 2048;
    this.headsetAnalyser.fftSize = 4096;
    this.sampleBuf = new Float32Array(this.headsetAnalyser.fftSize);
    this.micBus.connect(this.micAnalyser);
    this.headsetBus.connect(this.headsetAnalyser);
    this.headsetAnalyser.connect(this.ctx.destination);
  }

  /** Browsers start audio suspended until a user gesture; every click resumes it. */
  resume(): void {
    if (this.ctx.state === 'suspended') void this.ctx.resume();
  }

  get micDeviceLabel(): string | null {
    return this.micStream?.getAudioTracks()[0]?.label ?? null;
  }

  /** Opens the chosen microphone (null: system default). Falls back to the default if it is gone. */
  async setMicrophone(deviceId: string | null): Promise<{ fellBack: boolean }> {
    const open = (id: string | null) =>
      navigator.mediaDevices.getUserMedia({
        audio: { ...(id ? { deviceId: { exact: id } } : {}), echoCancellation: true, noiseSuppression: true, autoGainControl: true },
        video: false,
      });
    let fellBack = false;
    let stream: MediaStream;
    try {
      stream = await open(deviceId);
    } catch (e) {
      if (!deviceId) throw e;
      stream = await open(null);
      fellBack = true;
    }
    this.micSource?.disconnect();
    this.micStream?.getTracks().forEach((t) => t.stop());
    this.micStream = stream;
    this.micSource = this.ctx.createMediaStreamSource(stream);
    this.micSource.connect(this.micBus);
    stream.getAudioTracks()[0]?.addEventListener('ended', () => this.onMicEnded?.());
    return { fellBack };
  }

  /** Called when the open microphone disappears (unplugged). */
  onMicEnded: (() => void) | null = null;

  async setHeadset(deviceId: string | null): Promise<void> {
    if (!this.ctx.setSinkId) return;
    await this.ctx.setSinkId(deviceId ?? '');
  }

  createLeg(id: string): CallLeg {
    const existing = this.legs.get(id);
    if (existing) return existing;
    const ctx = this.ctx;
    const send = ctx.createGain();
    const dest = ctx.createMediaStreamDestination();
    this.micBus.connect(send);
    send.connect(dest);
    const receive = ctx.createGain();
    receive.connect(this.headsetBus);
    let remoteSource: MediaStreamAudioSourceNode | null = null;
    // Chrome only feeds a remote WebRTC track into Web Audio while a media element plays it too.
    const sink = new Audio();
    sink.muted = true;
    let muted = false;
    let held = false;
    const applySend = () => send.gain.setValueAtTime(muted || held ? 0 : 1, ctx.currentTime);
    const leg: CallLeg = {
      id,
      outgoing: dest.stream,
      attachRemote: (stream) => {
        remoteSource?.disconnect();
        sink.srcObject = stream;
        void sink.play().catch(() => undefined);
        remoteSource = ctx.createMediaStreamSource(stream);
        remoteSource.connect(receive);
      },
      setMuted: (m) => {
        muted = m;
        applySend();
      },
      setHeld: (h) => {
        held = h;
        applySend();
        receive.gain.setValueAtTime(h ? 0 : 1, ctx.currentTime);
      },
      dispose: () => {
        this.micBus.disconnect(send);
        send.disconnect();
        remoteSource?.disconnect();
        receive.disconnect();
        sink.srcObject = null;
        dest.stream.getTracks().forEach((t) => t.stop());
        this.legs.delete(id);
      },
    };
    this.legs.set(id, leg);
    return leg;
  }

  /** Microphone level in dBFS, for the input meter. */
  micLevelDb(): number {
    const buf = new Float32Array(this.micAnalyser.fftSize);
    this.micAnalyser.getFloatTimeDomainData(buf);
    return rmsDb(buf);
  }

  /** What the headset is playing right now: level of each frequency in dBFS, plus overall level. */
  headsetLevels(frequencies: number[]): { rmsDb: number; tones: Record<number, number> } {
    this.headsetAnalyser.getFloatTimeDomainData(this.sampleBuf);
    const tones: Record<number, number> = {};
    for (const f of frequencies) tones[f] = toneLevelDb(this.sampleBuf, this.ctx.sampleRate, f);
    return { rmsDb: rmsDb(this.sampleBuf), tones };
  }
}
