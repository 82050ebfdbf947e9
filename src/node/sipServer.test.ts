import { describe, expect, it } from 'vitest';
import { renderConfig } from './sipServer';

const base = { accounts: { '1001': 'agent-pw' }, domain: 'whisperline.test', debugLevel: 1, port: 5066, puaPort: 5067, dbDir: '/tmp/db' };

describe('Kamailio config', () => {
  it('without the rtpengine option: no UDP listener, no rtpengine, every placeholder filled', async () => {
    const cfg = await renderConfig(base);
    expect(cfg).not.toMatch(/\{\{[A-Z_]+\}\}/);
    expect(cfg).not.toMatch(/^#!define WITH_RTPENGINE/m);
    // The lines guarded by #!ifdef are in the file, but only the define turns them on.
    expect(cfg).toMatch(/^listen=tcp:127\.0\.0\.1:5066$/m);
  });

  it('with it: plain SIP/UDP on its port and rtpengine on its control socket', async () => {
    const cfg = await renderConfig({ ...base, media: { udpPort: 5070, ngPort: 2223 } });
    expect(cfg).not.toMatch(/\{\{[A-Z_]+\}\}/);
    expect(cfg).toMatch(/^#!define WITH_RTPENGINE$/m);
    expect(cfg).toMatch(/^listen=udp:127\.0\.0\.1:5070$/m);
    expect(cfg).toContain('modparam("rtpengine", "rtpengine_sock", "udp:127.0.0.1:2223")');
  });
});
