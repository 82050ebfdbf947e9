import * as fsp from 'node:fs/promises';
import type { RecordingFs } from '../../src/main/recording/wavFile';

/**
 * node:fs/promises whose file writes can be made to fail on demand, the way a full disk (ENOSPC)
 * or a folder taken away (EACCES) fails them: for the recording store under a live call.
 */
export function faultyFs(): { fs: RecordingFs; failWrites(code: string | null): void } {
  let failing: string | null = null;
  const fault = () => Object.assign(new Error(`${failing}: injected by the test, write`), { code: failing });
  const open: RecordingFs['open'] = async (...args: Parameters<typeof fsp.open>) => {
    const fh = await fsp.open(...args);
    return new Proxy(fh, {
      get(target, key) {
        if ((key === 'write' || key === 'writeFile') && failing) return async () => Promise.reject(fault());
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return {
    fs: { ...fsp, open },
    failWrites(code) {
      failing = code;
    },
  };
}
