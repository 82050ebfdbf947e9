import { rmsDb, toneLevelDb } from '../../shared/goertzel';
import type { GraphTopology } from '../../shared/audioGraph';
import { routing, type MixMode } from '../../shared/supervision/modes';
import { CaptureTap } from './captureTap';
import recorderWorkletUrl from './recorderTap.worklet.ts?worker&url';
import type { TrackName } from '../../shared/recording/types';

/**
 * Every audible change (mute, hold, a supervisor's voice coming in or going) is a short raised-cosine
 * fade: a hard step in a tone is a click the other party hears, and a linear ramp still splatters
 * (measured: −59 dBFS 900 Hz away from a −10 dBFS tone with 12 ms). 20 ms is below what a listener
 * perceives as a fade and clips no syllable.
 */
export const rampSeconds = 0.02;
const curvePoints = 33;

/** One call's audio: what we send on it and what we hear from it, as nodes in the shared graph. */
export interface CallLeg {
  readonly id: string;
  /** The track handed to WebRTC: the microphone through this leg's send gain. */
  readonly outgoing: MediaStream;
  attachRemote(stream: MediaStream): void;
  setMuted(muted: boolean): void;
  setHeld(held: boolean): void;
  /** Agent talk-back: while on, the microphone does not reach this call's far end. */
  setTalkBack(on: boolean): void;
  /** The WebRTC sender carrying `outgoing`, once connected (a direct leg swaps its track there when the microphone changes). */
  attachSender(sender: RTCRtpSender): void;
  dispose(): void;
}

export interface LegOptions {
  /**
   * Hand WebRTC the microphone's own track (a clone), gated by `track.enabled` (muted: silence
   * frames), instead of the graph's output: no Web Audio hop on the send side, so the voice leaves
   * as soon as a bare phone's would. For the supervisor's leg, whose outgoing audio is nothing but
   * the microphone (the agent's graph fades it in and out of the agent's ear).
   */
  direct?: boolean;
}

/** The agent's side of a supervision leg, mixed into one customer call. */
export interface SupervisionLeg {
  readonly id: string;
  /** To the supervisor: customer + agent microphone, in every mode, once admitted; silence before. */
  readonly outgoing: MediaStream;
  /**
   * The request was proven (challenge answered): connect the call into `outgoing`. Until then
   * nothing of the call is connected to it, and the supervisor's audio reaches no ear (listen).
   */
  admit(mode: MixMode): void;
  attachRemote(stream: MediaStream): void;
  setMode(mode: MixMode): void;
  setVolume(volume: number): void;
  /** Level of the supervisor's voice as it arrives, for the speaking indicator. */
  speakingLevelDb(): number;
  dispose(): void;
}

/** A running recording tap on one call (AudioEngine.recordCall). */
export interface RecordingTap {
  readonly sampleRate: number;
  /** The audio clock now, in frames (the same clock the chunks' `start` counts). */
  now(): number;
  /** PCI pause: every track fades to silence (recorded as silence, so the timeline has no gap). */
  setPaused(paused: boolean): void;
  dispose(): void;
}

type AudioContextWithSink = AudioContext & { setSinkId?: (id: string) => Promise<void> };

interface LegNodes {
  send: GainNode;
  out: MediaStreamAudioDestinationNode;
  receive: GainNode;
}

/**
 * The renderer's audio graph. The microphone feeds every call leg's outgoing track through its own
 * gain; every leg's remote audio feeds the headset bus. A supervision leg adds the supervisor's
 * voice to the headset and, in barge only, to the customer's outgoing track. Every connection is
 * made through `link`, so the graph's wiring can be read back (`topology`) and checked: outside
 * barge there is no connection from the supervisor to the customer at all.
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
  private readonly legNodes = new Map<string, LegNodes>();
  /** Direct legs (LegOptions.direct): how each takes a new microphone track. */
  private readonly directLegs = new Map<string, (mic: MediaStreamTrack) => void>();
  private readonly sampleBuf: Float32Array<ArrayBuffer>;
  private readonly edges = new Map<string, { from: AudioNode; to: AudioNode }>();
  private readonly names = new Map<AudioNode, string>();

  constructor() {
    this.micAnalyser.fftSize = 2048;
    this.headsetAnalyser.fftSize = 4096;
    this.sampleBuf = new Float32Array(this.headsetAnalyser.fftSize);
    this.name(this.micBus, 'mic');
    this.name(this.headsetBus, 'headset');
    this.micBus.connect(this.micAnalyser);
    this.headsetBus.connect(this.headsetAnalyser);
    this.headsetAnalyser.connect(this.ctx.destination);
  }

  private name<T extends AudioNode>(node: T, name: string): T {
    this.names.set(node, name);
    return node;
  }

  private key(from: AudioNode, to: AudioNode): string {
    return `${this.names.get(from)}→${this.names.get(to)}`;
  }

  /** Connects two named nodes and records the edge (idempotent). */
  private link(from: AudioNode, to: AudioNode): void {
    const k = this.key(from, to);
    if (this.edges.has(k)) return;
    from.connect(to);
    this.edges.set(k, { from, to });
  }

  private unlink(from: AudioNode, to: AudioNode): void {
    const k = this.key(from, to);
    if (!this.edges.has(k)) return;
    from.disconnect(to);
    this.edges.delete(k);
  }

  /**
   * Moves a gain to `value` along a raised-cosine curve over `rampSeconds`, from wherever it is now
   * (an unfinished fade is taken over where it stands). Not cancelAndHoldAtTime: Chromium's held
   * value is wrong there and the gain jumps before ramping, which is itself a click.
   */
  private ramp(param: AudioParam, value: number): void {
    const t = this.ctx.currentTime;
    const from = param.value;
    param.cancelScheduledValues(t);
    const curve = new Float32Array(curvePoints);
    for (let i = 0; i < curvePoints; i++) curve[i] = from + (value - from) * (0.5 - 0.5 * Math.cos((Math.PI * i) / (curvePoints - 1)));
    try {
      param.setValueCurveAtTime(curve, t, rampSeconds);
    } catch {
      param.setValueAtTime(from, t);
      param.linearRampToValueAtTime(value, t + rampSeconds);
    }
  }

  /**
   * A switchable path `from → fader → to`. Opening connects it and fades in; closing fades out and
   * then removes the connections, so a closed path is no connection at all, not a gain of zero.
   */
  private gate(name: string, from: AudioNode, to: AudioNode) {
    const fader = this.name(this.ctx.createGain(), name);
    fader.gain.value = 0;
    let open = false;
    let closing: ReturnType<typeof setTimeout> | null = null;
    const cut = () => {
      if (closing) clearTimeout(closing);
      closing = null;
      this.unlink(from, fader);
      this.unlink(fader, to);
    };
    return {
      set: (on: boolean) => {
        if (on === open) return;
        open = on;
        if (closing) clearTimeout(closing);
        closing = null;
        if (on) {
          this.link(from, fader);
          this.link(fader, to);
          this.ramp(fader.gain, 1);
        } else {
          this.ramp(fader.gain, 0);
          closing = setTimeout(cut, rampSeconds * 1000 + 25);
        }
      },
      /** The fader itself: what passes the gate (a recording taps it). */
      node: fader,
      /** Disconnects now (the far end is gone, there is nothing left to fade). */
      cut: () => {
        open = false;
        cut();
      },
    };
  }

  /** Per customer leg: the recording's supervisor input, and the supervision fader feeding it. */
  private readonly recordingInputs = new Map<string, { supervisor: GainNode | null; supervisorFader: GainNode | null }>();

  /**
   * Records one customer call, each party on its own channel of one worklet so the tracks share a
   * clock: customer = what arrives from the customer (silent on hold), agent = what the customer
   * got from the agent's microphone (after mute, hold and talk-back), supervisor = what the agent
   * heard of the supervisor (whisper and barge; nothing in listen). Only the tracks asked for are
   * connected at all. The tap has no output: the call's audio is not touched.
   */
  async recordCall(legId: string, tracks: TrackName[], onChunk: (start: number, planes: Float32Array[]) => void): Promise<RecordingTap> {
    const leg = this.legNodes.get(legId);
    if (!leg) throw new Error('No call to record');
    await this.ctx.audioWorklet.addModule(recorderWorkletUrl);
    const ctx = this.ctx;
    const merger = this.name(ctx.createChannelMerger(tracks.length), `rec-merger:${legId}`);
    const node = this.name(
      new AudioWorkletNode(ctx, 'whisperline-recorder', { numberOfInputs: 1, numberOfOutputs: 0, channelCount: tracks.length, channelCountMode: 'explicit', channelInterpretation: 'discrete', processorOptions: { channels: tracks.length } }),
      `rec-tap:${legId}`,
    );
    node.port.onmessage = (e: MessageEvent<{ start: number; planes: Float32Array[] }>) => onChunk(e.data.start, e.data.planes);
    const inputs = tracks.map((t, i) => {
      const g = this.name(ctx.createGain(), `rec-${t}:${legId}`);
      g.connect(merger, 0, i);
      return g;
    });
    const input = (t: TrackName) => inputs[tracks.indexOf(t)] ?? null;
    this.link(merger, node);
    if (input('customer')) this.link(leg.receive, input('customer')!);
    if (input('agent')) this.link(leg.send, input('agent')!);
    const entry = { supervisor: input('supervisor'), supervisorFader: this.recordingInputs.get(legId)?.supervisorFader ?? null };
    this.recordingInputs.set(legId, entry);
    if (entry.supervisor && entry.supervisorFader) this.link(entry.supervisorFader, entry.supervisor);
    return {
      sampleRate: ctx.sampleRate,
      now: () => Math.round(ctx.currentTime * ctx.sampleRate),
      setPaused: (paused) => inputs.forEach((g) => this.ramp(g.gain, paused ? 0 : 1)),
      dispose: () => {
        node.port.onmessage = null;
        this.unlinkAll(merger, node, ...inputs);
        inputs.forEach((g) => g.disconnect());
        const e = this.recordingInputs.get(legId);
        if (e) e.supervisor = null;
      },
    };
  }

  /** Removes every recorded edge touching these nodes. */
  private unlinkAll(...nodes: AudioNode[]): void {
    for (const [k, e] of [...this.edges]) {
      if (nodes.includes(e.from) || nodes.includes(e.to)) {
        e.from.disconnect(e.to);
        this.edges.delete(k);
      }
    }
  }

  topology(): GraphTopology {
    return { edges: [...this.edges.values()].map((e) => [this.names.get(e.from)!, this.names.get(e.to)!]) };
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
    const track = stream.getAudioTracks()[0];
    track?.addEventListener('ended', () => this.onMicEnded?.());
    if (track) for (const swap of this.directLegs.values()) swap(track);
    return { fellBack };
  }

  /** Called when the open microphone disappears (unplugged). */
  onMicEnded: (() => void) | null = null;

  async setHeadset(deviceId: string | null): Promise<void> {
    if (!this.ctx.setSinkId) return;
    await this.ctx.setSinkId(deviceId ?? '');
  }

  /** Feeds a remote WebRTC stream into `into`. Chrome only delivers it while a media element plays it too. */
  private remoteInput(name: string, into: AudioNode) {
    const sink = new Audio();
    sink.muted = true;
    let source: MediaStreamAudioSourceNode | null = null;
    return {
      attach: (stream: MediaStream) => {
        if (source) this.unlinkAll(source);
        sink.srcObject = stream;
        void sink.play().catch(() => undefined);
        source = this.name(this.ctx.createMediaStreamSource(stream), name);
        this.link(source, into);
      },
      dispose: () => {
        if (source) this.unlinkAll(source);
        sink.srcObject = null;
      },
    };
  }

  createLeg(id: string, options: LegOptions = {}): CallLeg {
    const existing = this.legs.get(id);
    if (existing) return existing;
    const ctx = this.ctx;
    const nodes: LegNodes = {
      send: this.name(ctx.createGain(), `send:${id}`),
      out: this.name(ctx.createMediaStreamDestination(), `out:${id}`),
      receive: this.name(ctx.createGain(), `in:${id}`),
    };
    this.legNodes.set(id, nodes);
    // The send gain stays in the graph either way: a recording taps what this leg sends from it.
    this.link(this.micBus, nodes.send);
    const micTrack = options.direct ? this.micStream?.getAudioTracks()[0] : undefined;
    const direct = micTrack ? { track: micTrack.clone(), sender: null as RTCRtpSender | null } : null;
    if (!direct) this.link(nodes.send, nodes.out);
    this.link(nodes.receive, this.headsetBus);
    const remote = this.remoteInput(`remote:${id}`, nodes.receive);
    let muted = false;
    let held = false;
    let talkBack = false;
    const applySend = () => {
      const silent = muted || held || talkBack;
      this.ramp(nodes.send.gain, silent ? 0 : 1);
      if (direct) direct.track.enabled = !silent;
    };
    const leg: CallLeg = {
      id,
      outgoing: direct ? new MediaStream([direct.track]) : nodes.out.stream,
      attachRemote: (stream) => remote.attach(stream),
      setMuted: (m) => {
        muted = m;
        applySend();
      },
      setHeld: (h) => {
        held = h;
        applySend();
        this.ramp(nodes.receive.gain, h ? 0 : 1);
      },
      setTalkBack: (on) => {
        talkBack = on;
        applySend();
      },
      attachSender: (sender) => {
        if (direct) direct.sender = sender;
      },
      dispose: () => {
        remote.dispose();
        this.unlinkAll(nodes.send, nodes.out, nodes.receive);
        nodes.out.stream.getTracks().forEach((t) => t.stop());
        direct?.track.stop();
        this.directLegs.delete(id);
        this.legs.delete(id);
        this.legNodes.delete(id);
        this.recordingInputs.delete(id);
      },
    };
    if (direct) {
      this.directLegs.set(id, (mic) => {
        // A new microphone: the call carries on with its track, gated as before.
        const next = mic.clone();
        next.enabled = direct.track.enabled;
        const old = direct.track;
        direct.track = next;
        leg.outgoing.removeTrack(old);
        leg.outgoing.addTrack(next);
        void direct.sender?.replaceTrack(next).catch(() => undefined);
        old.stop();
      });
    }
    this.legs.set(id, leg);
    return leg;
  }

  /**
   * The agent's side of a supervision leg on customer call `customerLegId`: the supervisor always
   * hears customer + agent; what the supervisor says is routed by `routing[mode]`.
   */
  createSupervisionLeg(id: string, customerLegId: string, initialVolume: number): SupervisionLeg {
    const customer = this.legNodes.get(customerLegId);
    if (!customer) throw new Error('No customer call to supervise');
    const ctx = this.ctx;
    const mix = this.name(ctx.createGain(), `sup-mix:${id}`);
    const out = this.name(ctx.createMediaStreamDestination(), `sup-out:${id}`);
    const incoming = this.name(ctx.createGain(), `sup-in:${id}`);
    const volume = this.name(ctx.createGain(), `sup-volume:${id}`);
    const meter = ctx.createAnalyser();
    meter.fftSize = 1024;
    const meterBuf = new Float32Array(meter.fftSize);
    incoming.connect(meter); // analysis only: an analyser has no output in the graph
    mix.gain.value = 0;
    this.link(mix, out);
    let admitted = false;
    const remote = this.remoteInput(`sup-remote:${id}`, incoming);
    volume.gain.value = initialVolume;
    this.link(volume, this.headsetBus);
    const toAgent = this.gate(`sup-headset:${id}`, incoming, volume);
    const rec = this.recordingInputs.get(customerLegId) ?? { supervisor: null, supervisorFader: null };
    rec.supervisorFader = toAgent.node;
    this.recordingInputs.set(customerLegId, rec);
    if (rec.supervisor) this.link(toAgent.node, rec.supervisor);
    const toCustomer = this.gate(`sup-barge:${id}`, incoming, customer.out);
    const setMode = (m: MixMode) => {
      toAgent.set(routing[m].supervisorToAgentHeadset);
      toCustomer.set(routing[m].supervisorToCustomer);
    };
    setMode('listen');
    return {
      id,
      outgoing: out.stream,
      attachRemote: (stream) => remote.attach(stream),
      admit: (mode) => {
        if (admitted) return setMode(mode);
        admitted = true;
        // The supervisor hears the call fade in rather than start with a click.
        this.link(customer.receive, mix);
        this.link(this.micBus, mix);
        this.ramp(mix.gain, 1);
        setMode(mode);
      },
      setMode,
      setVolume: (v) => this.ramp(volume.gain, v),
      speakingLevelDb: () => {
        meter.getFloatTimeDomainData(meterBuf);
        return rmsDb(meterBuf);
      },
      dispose: () => {
        // Fade the supervisor out of every ear first; then take the leg apart.
        setMode('listen');
        this.ramp(mix.gain, 0);
        setTimeout(() => {
          toAgent.cut();
          toCustomer.cut();
          remote.dispose();
          incoming.disconnect(meter);
          this.unlinkAll(mix, out, incoming, volume, toAgent.node);
          const r = this.recordingInputs.get(customerLegId);
          if (r?.supervisorFader === toAgent.node) r.supervisorFader = null;
          out.stream.getTracks().forEach((t) => t.stop());
        }, rampSeconds * 1000 + 25);
      },
    };
  }

  private headsetTap: Promise<CaptureTap> | null = null;

  /** A recording of the last seconds of what the headset plays, started on first use (diagnostics). */
  headsetCapture(): Promise<CaptureTap> {
    this.headsetTap ??= CaptureTap.create(this.ctx, this.headsetBus).catch((e: Error) => {
      this.headsetTap = null;
      throw e;
    });
    return this.headsetTap;
  }

  private micTap: Promise<CaptureTap> | null = null;

  /** The same for what the microphone gives (the benchmark's reference for the agent's recorded track). */
  micCapture(): Promise<CaptureTap> {
    this.micTap ??= CaptureTap.create(this.ctx, this.micBus).catch((e: Error) => {
      this.micTap = null;
      throw e;
    });
    return this.micTap;
  }

  /** Microphone level in dBFS, for the input meter. */
  micLevelDb(): number {
    const buf = new Float32Array(this.micAnalyser.fftSize);
    this.micAnalyser.getFloatTimeDomainData(buf);
    return rmsDb(buf);
  }

  /**
   * What the headset is playing right now: level of each frequency in dBFS, plus overall level.
   * `windowSamples` analyses only the newest samples (shorter window: sharper onset timing).
   */
  headsetLevels(frequencies: number[], windowSamples = this.sampleBuf.length): { rmsDb: number; tones: Record<number, number> } {
    this.headsetAnalyser.getFloatTimeDomainData(this.sampleBuf);
    const block = this.sampleBuf.subarray(this.sampleBuf.length - Math.min(windowSamples, this.sampleBuf.length));
    const tones: Record<number, number> = {};
    for (const f of frequencies) tones[f] = toneLevelDb(block, this.ctx.sampleRate, f);
    return { rmsDb: rmsDb(block), tones };
  }
}
