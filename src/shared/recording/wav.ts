/**
 * Mono 16-bit PCM WAV, the format of every recording track. Pure (no Node or DOM).
 *
 * A track is written as a 44-byte header followed by samples; after a crash the header's sizes may
 * lag behind (or, after a truncation, run ahead of) the bytes actually in the file, so `parseWav`
 * trusts the bytes present, whole frames only.
 */
export const wavHeaderBytes = 44;
const maxU32 = 0xffff_ffff;

export function wavHeader(sampleRate: number, dataBytes: number): Uint8Array {
  const out = new Uint8Array(wavHeaderBytes);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  v.setUint32(4, Math.min(maxU32, 36 + dataBytes), true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true); // fmt chunk size
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 2, true); // byte rate
  v.setUint16(32, 2, true); // block align
  v.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  v.setUint32(40, Math.min(maxU32, dataBytes), true);
  return out;
}

export type ParsedWav = { ok: true; sampleRate: number; channels: number; samples: Int16Array } | { ok: false; reason: string };

export function parseWav(bytes: Uint8Array): ParsedWav {
  const fail = (reason: string): ParsedWav => ({ ok: false, reason: `Not a playable WAV: ${reason}` });
  if (bytes.length < 12) return fail('too short');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const id = (at: number) => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
  if (id(0) !== 'RIFF' || id(8) !== 'WAVE') return fail('no RIFF/WAVE header');
  let fmt: { channels: number; sampleRate: number } | null = null;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const name = id(at);
    const size = v.getUint32(at + 4, true);
    const body = at + 8;
    if (name === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) return fail('truncated fmt chunk');
      const format = v.getUint16(body, true);
      const bits = v.getUint16(body + 14, true);
      if ((format !== 1 && format !== 0xfffe) || bits !== 16) return fail(`only 16-bit PCM is supported (format ${format}, ${bits} bits)`);
      fmt = { channels: v.getUint16(body + 2, true), sampleRate: v.getUint32(body + 4, true) };
      if (fmt.channels < 1 || fmt.sampleRate < 1) return fail('bad channel count or sample rate');
    } else if (name === 'data') {
      if (!fmt) return fail('data before fmt');
      // The declared size is believed only if a plausible chunk follows it; otherwise (a header
      // not yet updated, or claiming more than is there) the data runs to the end of the file.
      const declaredEnd = body + size + (size & 1);
      const end = size > 0 && isChunkAt(bytes, v, declaredEnd) ? body + size : bytes.length;
      const frameBytes = 2 * fmt.channels;
      const frames = Math.floor((end - body) / frameBytes);
      const samples = new Int16Array(frames * fmt.channels);
      for (let i = 0; i < samples.length; i++) samples[i] = v.getInt16(body + 2 * i, true);
      return { ok: true, sampleRate: fmt.sampleRate, channels: fmt.channels, samples };
    }
    at = body + size + (size & 1);
  }
  return fail(fmt ? 'no data chunk' : 'no fmt chunk');
}

/** A chunk header (printable id, a size that fits in the file) at `at`. */
function isChunkAt(bytes: Uint8Array, v: DataView, at: number): boolean {
  if (at + 8 > bytes.length) return false;
  for (let i = 0; i < 4; i++) if (bytes[at + i] < 0x20 || bytes[at + i] > 0x7e) return false;
  return v.getUint32(at + 4, true) <= bytes.length - at - 8;
}

/** Float samples in [-1, 1] (clamped; NaN as 0) to 16-bit little-endian PCM. */
export function floatToPcm16(samples: Float32Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const v = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i] || 0));
    v.setInt16(2 * i, Math.round(s < 0 ? s * 0x8000 : s * 0x7fff), true);
  }
  return out;
}
