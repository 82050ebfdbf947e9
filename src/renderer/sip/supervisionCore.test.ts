import { describe, expect, it, vi } from 'vitest';
import type { CallEntry } from './callEntry';
import { sendLegMessage } from './supervisionCore';
import { supervisionInfoContentType } from '../../shared/supervision/modes';

type Options = { requestDelegate: { onAccept(): void }; requestOptions: { body: { contentType: string; content: string } } };

function legWith(method: CallEntry['legMethod']) {
  const sent: Array<{ method: string; contentType: string; content: string }> = [];
  const send = (m: string) =>
    vi.fn(async (o: Options) => {
      sent.push({ method: m, contentType: o.requestOptions.body.contentType, content: o.requestOptions.body.content });
      o.requestDelegate.onAccept();
    });
  const entry = { legMethod: method, session: { message: send('MESSAGE'), info: send('INFO') } } as unknown as CallEntry;
  return { entry, sent };
}

describe('a supervision leg message', () => {
  it('goes as MESSAGE by default and as INFO on a leg through FreeSWITCH, with the same content type and body', async () => {
    for (const [method, expected] of [[undefined, 'MESSAGE'], ['MESSAGE', 'MESSAGE'], ['INFO', 'INFO']] as const) {
      const { entry, sent } = legWith(method);
      await sendLegMessage(entry, { type: 'state', mode: 'listen' });
      expect(sent).toEqual([{ method: expected, contentType: supervisionInfoContentType, content: '{"type":"state","mode":"listen"}' }]);
    }
  });
});
