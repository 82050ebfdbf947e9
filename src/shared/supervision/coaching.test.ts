import { describe, expect, it } from 'vitest';
import { parseCoachingMessage, quickPhrasesFromText, maxPromptChars, maxQuickPhrases } from './coaching';
import { parseSupervisionInfo } from './modes';
import { parseSettingsText } from '../settings';

describe('coaching messages', () => {
  it('reads a prompt and an acknowledgement, and tells them from mode changes', () => {
    expect(parseCoachingMessage('{"type":"coach","id":3,"text":"Offer a callback"}')).toEqual({ type: 'coach', id: 3, text: 'Offer a callback' });
    expect(parseCoachingMessage('{"type":"coach-ack","id":3}')).toEqual({ type: 'coach-ack', id: 3 });
    const mode = '{"type":"mode","mode":"whisper","by":"supervisor"}';
    expect(parseCoachingMessage(mode)).toBeNull();
    expect(parseSupervisionInfo(mode)).not.toBeNull();
    // A prompt is never mistaken for a mode change either.
    expect(parseSupervisionInfo('{"type":"coach","id":3,"text":"x"}')).toBeNull();
  });

  it('refuses hostile or damaged prompts', () => {
    for (const body of [
      'not json',
      '{"type":"coach","id":1}',
      '{"type":"coach","id":1,"text":"   "}',
      `{"type":"coach","id":1,"text":"${'a'.repeat(maxPromptChars + 1)}"}`,
      '{"type":"coach","id":-1,"text":"x"}',
      '{"type":"coach","id":1.5,"text":"x"}',
      '{"type":"coach","id":"1","text":"x"}',
      `{"type":"coach","id":1,"text":"x","pad":"${'a'.repeat(3000)}"}`,
      '{"type":"coach-ack"}',
    ]) {
      expect(parseCoachingMessage(body), body.slice(0, 60)).toBeNull();
    }
  });

  it('flattens control characters so a prompt cannot garble the agent’s card', () => {
    expect(parseCoachingMessage(JSON.stringify({ type: 'coach', id: 1, text: 'line\r\none\u0007' }))).toEqual({ type: 'coach', id: 1, text: 'line one' });
  });
});

describe('quick phrases', () => {
  it('come one per line, trimmed, without blanks or repeats, at most a dozen', () => {
    expect(quickPhrasesFromText('  Offer a callback \n\nOffer a callback\nVerify the account first')).toEqual(['Offer a callback', 'Verify the account first']);
    expect(quickPhrasesFromText(Array.from({ length: 20 }, (_, i) => `phrase ${i}`).join('\n'))).toHaveLength(maxQuickPhrases);
  });

  it('a damaged list in the settings file falls back to the defaults and keeps the account', () => {
    const r = parseSettingsText(JSON.stringify({ account: { server: 'ws://127.0.0.1:5066', domain: 'example.test', extension: '1101' }, quickPhrases: [42, ''] }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.settings.account?.extension).toBe('1101');
    expect(r.settings.quickPhrases).toContain('Offer a callback');
  });
});
