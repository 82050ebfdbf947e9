/** Builds a North-American style ring (440+480 Hz, 2 s on, 4 s off) as a WAV blob. */
function ringWav(sampleRate = 16000): Blob {
  const seconds = 6;
  const n = sampleRate * seconds;
  const data = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const on = t < 2;
    const fade = Math.min(1, t * 50, (2 - t) * 50);
    data[i] = on ? Math.round(0.25 * fade * 32767 * 0.5 * (Math.sin(2 * Math.PI * 440 * t) + Math.sin(2 * Math.PI * 480 * t))) : 0;
  }
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
  return new Blob([header.buffer, data.buffer], { type: 'audio/wav' });
}

/** Rings on its own output device (the desk speaker), apart from the headset. */
export class Ringer {
  private readonly el: HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
  private ringing = 0;

  constructor() {
    this.el = new Audio(URL.createObjectURL(ringWav()));
    this.el.loop = true;
  }

  get isRinging(): boolean {
    return this.ringing > 0;
  }

  async setDevice(deviceId: string | null): Promise<void> {
    await this.el.setSinkId?.(deviceId ?? '');
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
