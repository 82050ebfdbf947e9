import { describe, expect, it } from 'vitest';
import { builtInProfiles, capabilities, planStart, planSwitch, profileSchema, resolveProfile, type PbxProfile } from './profiles';

const chanspy = builtInProfiles['asterisk-chanspy'];
const freeswitch = builtInProfiles['freeswitch-eavesdrop'];
const appMixed = builtInProfiles['app-mixed'];

const custom = (extra: Partial<PbxProfile>): PbxProfile => ({ ...builtInProfiles.custom, ...extra });

describe('PBX profiles: Asterisk ChanSpy', () => {
  it('dials the per-mode code with the extension', () => {
    expect(planStart(chanspy, '1001', 'listen')).toEqual({ kind: 'dial', target: '*2221001', mode: 'listen' });
    expect(planStart(chanspy, '1001', 'whisper')).toEqual({ kind: 'dial', target: '*2231001', mode: 'whisper' });
    expect(planStart(chanspy, '1001', 'barge')).toEqual({ kind: 'dial', target: '*2241001', mode: 'barge' });
  });

  it('switches in the same session with ChanSpy d-option digits', () => {
    expect(planSwitch(chanspy, 'listen', 'whisper', '1001')).toEqual({ kind: 'dtmf', digits: '5' });
    expect(planSwitch(chanspy, 'barge', 'listen', '1001')).toEqual({ kind: 'dtmf', digits: '4' });
    expect(planSwitch(chanspy, 'whisper', 'barge', '1001')).toEqual({ kind: 'dtmf', digits: '6' });
    expect(planSwitch(chanspy, 'whisper', 'whisper', '1001')).toEqual({ kind: 'none' });
  });

  it('offers no takeover, and says why next to the button', () => {
    const caps = capabilities(chanspy);
    expect(caps.listen.available && caps.whisper.available && caps.barge.available).toBe(true);
    expect(caps.takeover).toEqual({ available: false, reason: 'ChanSpy cannot take over a call; use the app-mixed path' });
    expect(planSwitch(chanspy, 'barge', 'takeover', '1001')).toEqual({
      kind: 'unavailable',
      reason: 'ChanSpy cannot take over a call; use the app-mixed path',
    });
  });

  it('redials the other code when an admin removed the in-session digits', () => {
    const noDigits = { ...chanspy, digits: undefined };
    expect(planSwitch(noDigits, 'listen', 'barge', '1001')).toEqual({ kind: 'redial', target: '*2241001' });
  });
});

describe('PBX profiles: FreeSWITCH eavesdrop', () => {
  it('dials *33 + extension and reaches whisper/barge with digits after it', () => {
    expect(planStart(freeswitch, '1001', 'listen')).toEqual({ kind: 'dial', target: '*331001', mode: 'listen' });
    expect(planStart(freeswitch, '1001', 'barge')).toEqual({ kind: 'dial', target: '*331001', mode: 'listen', then: '3' });
    expect(planSwitch(freeswitch, 'barge', 'listen', '1001')).toEqual({ kind: 'dtmf', digits: '0' });
  });

  it('whispers with 2 when the agent leg is spied, 1 when the customer leg is', () => {
    expect(planSwitch(freeswitch, 'listen', 'whisper', '1001')).toEqual({ kind: 'dtmf', digits: '2' });
    const customerLeg = { ...freeswitch, spiedLeg: 'customer' as const };
    expect(planSwitch(customerLeg, 'listen', 'whisper', '1001')).toEqual({ kind: 'dtmf', digits: '1' });
    expect(planStart(customerLeg, '1001', 'whisper')).toEqual({ kind: 'dial', target: '*331001', mode: 'listen', then: '1' });
    // Barge and restore do not depend on the leg.
    expect(planSwitch(customerLeg, 'whisper', 'barge', '1001')).toEqual({ kind: 'dtmf', digits: '3' });
  });

  it('has no takeover', () => {
    expect(capabilities(freeswitch).takeover.available).toBe(false);
    expect(capabilities(freeswitch).takeover.reason).toMatch(/cannot take over.*app-mixed/);
  });
});

describe('PBX profiles: 3CX', () => {
  it('says its codes are defaults to check and switches by redialing', () => {
    const p = builtInProfiles['3cx'];
    expect(p.label).toMatch(/defaults to check in the 3CX admin console/);
    expect(planSwitch(p, 'listen', 'whisper', '1001')).toMatchObject({ kind: 'redial' });
    expect(capabilities(p).takeover.available).toBe(false);
  });
});

describe('PBX profiles: app-mixed', () => {
  it('offers every mode and sends mode changes in the dialog', () => {
    const caps = capabilities(appMixed);
    expect(Object.values(caps).every((c) => c.available)).toBe(true);
    expect(planStart(appMixed, '1001', 'listen')).toEqual({ kind: 'app-mixed', mode: 'listen' });
    expect(planSwitch(appMixed, 'listen', 'whisper', '1001')).toEqual({ kind: 'message' });
    expect(planSwitch(appMixed, 'barge', 'takeover', '1001')).toEqual({ kind: 'message' });
  });
});

describe('PBX profiles: custom', () => {
  it('with only a listen code, whisper and barge are unavailable with a reason', () => {
    const p = custom({ dial: { listen: '*555{ext}' } });
    const caps = capabilities(p);
    expect(caps.listen).toEqual({ available: true });
    expect(caps.whisper.available).toBe(false);
    expect(caps.whisper.reason).toMatch(/Whisper is not set up.*no whisper code and no in-session whisper digit/);
    expect(caps.takeover.reason).toMatch(/no take-over code/);
    expect(planStart(p, '1001', 'whisper')).toEqual({ kind: 'unavailable', reason: caps.whisper.reason });
    expect(planSwitch(p, 'listen', 'barge', '1001')).toEqual({ kind: 'unavailable', reason: caps.barge.reason });
  });

  it('with a listen code and a whisper digit, starts whisper as listen then the digit', () => {
    const p = custom({ dial: { listen: '*555{ext}' }, digits: { whisper: '5' } });
    expect(planStart(p, '1001', 'whisper')).toEqual({ kind: 'dial', target: '*5551001', mode: 'listen', then: '5' });
  });

  it('never starts a mode through barge (the customer could hear the supervisor meanwhile)', () => {
    const p = custom({ dial: { barge: '*9{ext}' }, digits: { whisper: '2' } });
    expect(planStart(p, '1001', 'whisper')).toMatchObject({ kind: 'unavailable' });
    expect(planSwitch(p, 'barge', 'whisper', '1001')).toEqual({ kind: 'dtmf', digits: '2' });
  });

  it('with nothing typed, nothing is offered', () => {
    const caps = capabilities(builtInProfiles.custom);
    expect(caps.listen).toEqual({ available: false, reason: 'No monitoring code is set in this PBX profile' });
  });

  it('a take-over code is used only when the profile says takeover is possible', () => {
    const p = custom({ dial: { listen: '*555{ext}' }, takeover: true, takeoverDial: '*556{ext}' });
    expect(capabilities(p).takeover).toEqual({ available: true });
    expect(planSwitch(p, 'listen', 'takeover', '1001')).toEqual({ kind: 'redial', target: '*5561001' });
    expect(capabilities({ ...p, takeover: false }).takeover.available).toBe(false);
  });
});

describe('PBX profiles: what reaches a SIP Request-URI', () => {
  const base = { id: 'custom', label: 'Our PBX', path: 'feature-code', takeover: false };

  it('accepts dialable templates with {ext} once, and digits', () => {
    const ok = profileSchema.safeParse({ ...base, dial: { listen: '#*+12{ext}#' }, digits: { listen: '*A#9' } });
    expect(ok.success).toBe(true);
  });

  it('rejects hostile or malformed dial templates and digits', () => {
    for (const listen of ['*222{ext};transport=tcp', 'sip:evil@host', '*222', '*222{ext}{ext}', '*222 {ext}', '*222{EXT}', '{ext}@host', '']) {
      expect(profileSchema.safeParse({ ...base, dial: { listen } }).success, listen).toBe(false);
    }
    expect(profileSchema.safeParse({ ...base, takeoverDial: 'sip:evil@host' }).success).toBe(false);
    for (const d of ['', '123456789', '5;x', 'E', ' 5']) {
      expect(profileSchema.safeParse({ ...base, digits: { whisper: d } }).success, d).toBe(false);
    }
  });

  it('bounds labels, strips unknown keys, and keeps id and path consistent', () => {
    expect(profileSchema.safeParse({ ...base, label: 'x'.repeat(121) }).success).toBe(false);
    expect(profileSchema.safeParse({ ...base, label: 'a\u202eb' }).success).toBe(false);
    expect(profileSchema.safeParse({ ...base, label: '   ' }).success).toBe(false);
    const parsed = profileSchema.parse({ ...base, extra: 'x', dial: { listen: '*1{ext}', takeover: '*2{ext}' } });
    expect(parsed).not.toHaveProperty('extra');
    expect(parsed.dial).toEqual({ listen: '*1{ext}' });
    expect(profileSchema.safeParse({ ...base, path: 'app-mixed' }).success).toBe(false);
    expect(profileSchema.safeParse({ ...base, takeover: true }).success).toBe(false); // no take-over code
  });

  it('every built-in profile passes its own schema', () => {
    for (const p of Object.values(builtInProfiles)) expect(profileSchema.safeParse(p).success, p.id).toBe(true);
  });

  it('refuses extensions that would inject into the URI', () => {
    for (const ext of ['1001@evil', '1001;x', '1001 ', '<1001>', 'a'.repeat(33), '', '1001%40evil']) {
      for (const p of [chanspy, appMixed]) expect(planStart(p, ext, 'listen').kind, `${p.id} ${ext}`).toBe('unavailable');
    }
    expect(planStart(chanspy, 'sales-1.a_b*#+', 'listen')).toEqual({ kind: 'dial', target: '*222sales-1.a_b*#+', mode: 'listen' });
    const noDigits = { ...chanspy, digits: undefined };
    expect(planSwitch(noDigits, 'listen', 'barge', '1001@evil').kind).toBe('unavailable');
  });
});

describe('PBX profiles: resolving a stored value', () => {
  it('falls back to app-mixed with an error for a corrupt value', () => {
    for (const stored of [{ id: 'asterisk-chanspy', label: 'x', path: 'feature-code', takeover: false, dial: { listen: 'sip:evil@host' } }, 42, 'nonsense', { id: 'nope' }]) {
      const r = resolveProfile(stored);
      expect(r.profile.id).toBe('app-mixed');
      expect(r.error).toMatch(/PBX profile.*using Whisperline \(app-mixed\)/);
    }
    expect(resolveProfile({ id: 'custom', label: 'x', path: 'feature-code', takeover: false, dial: { listen: '*1{ext};x' } }).error).toMatch(/dial listen/);
  });

  it('takes nothing stored as app-mixed without an error, a built-in id as that profile, and a valid custom profile as is', () => {
    expect(resolveProfile(undefined)).toEqual({ profile: appMixed });
    expect(resolveProfile('freeswitch-eavesdrop')).toEqual({ profile: freeswitch });
    const stored = { id: 'custom', label: 'Ours', path: 'feature-code', takeover: false, dial: { listen: '*7{ext}' } };
    expect(resolveProfile(stored)).toEqual({ profile: stored });
  });
});
