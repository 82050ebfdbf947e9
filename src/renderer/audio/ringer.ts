/** A North-American style ring (440+480 Hz, 2 s on, 4 s off). */
function ringSamples(sampleRate: number): Int16Array {
  const n = sampleRate * 6;
  const data = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const fade = Math.min(1, t * 50, (2 - t) * 50);
    data[i] = t < 2 ? Math.round(0.25 * fade * 32767 * 0.5 * (Math.sin(2 * Math.PI * 440 * t) + Math.sin(2 * Math.PI * 480 * t))) : 0;
  }
  return data;
}

/** Two soft rising notes (660 then 880 Hz, 0.5 s): someone asks for help; unlike any ring. */
function chimeSamples(sampleRate: number): Int16Array {
  const n = Math.round(sampleRate * 0.5);
  const data = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const local = t % 0.25;
    const envelope = Math.min(1, local * 80) * Math.exp(-local * 10);
    data[i] = Math.round(0.3 * 32767 * envelope * Math.sin(2 * Math.PI * (t < 0.25 ? 660 : 880) * t));
  }
  return data;
}

function wav(data: Int16Array, sampleRate = 16000): Blob {
  const n = data.length;
  const header = new DataView(new ArrayBuffer(44));
  const text = (o: number, s: string) => [...s].forEach((c, i) => header.setUint8(o + i, c.charCodeAt(0)));
  text(0, 'RIFF');
  header.setUint32(4, 36 + n * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  header.setUint32(16, 16, true);
  header.setUint16(20, 1, true);
  header.setUint16(22, 1, true);
  header.setUint32(24, sampleRate, true);
  header.setUint32(28, sampleRate * 2, true);
  header.setUint16(32, 2, true);
  header.setUint16(34, 16, true);
  text(36, 'data');
  header.setUint32(40, n * 2, true);
  return new Blob([header.buffer, data.buffer as ArrayBuffer], { type: 'audio/wav' });
}

/** Rings on its own output device (the desk speaker), apart from the headset. */
export class Ringer {
  private readonly el: HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
  private readonly chimeEl: HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
  private ringing = 0;

  constructor() {
    this.el = new Audio(URL.createObjectURL(wav(ringSamples(16000))));
    this.el.loop = true;
    this.el.dataset.sound = 'ring';
    this.chimeEl = new Audio(URL.createObjectURL(wav(chimeSamples(16000))));
    this.chimeEl.dataset.sound = 'hand';
  }

  /** Once, on the same device as the ring: an agent asks for help. */
  chime(): void {
    this.chimeEl.currentTime = 0;
    void this.chimeEl.play().catch(() => undefined);
  }

  get isRinging(): boolean {
    return this.ringing > 0;
  }

  async setDevice(deviceId: string | null): Promise<void> {
    await this.el.setSinkId?.(deviceId ?? '');
    await this.chimeEl.setSinkId?.(deviceId ?? '');
  }

  start(): void {
    this.ringing++;
    if (this.ringing === 1) {
      this.el.currentTime = 0;
      void this.el.play().catch(() => undefined);
    }
  }

  stop(): void {
    this.ringing = Math.max(0, this.ringing - 1);
    if (this.ringing === 0) this.el.pause();
  }
}
