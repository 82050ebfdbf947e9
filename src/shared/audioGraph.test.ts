import { describe, expect, it } from 'vitest';
import { hasPath } from './audioGraph';

describe('graph reachability', () => {
  it('follows connections transitively and only forwards', () => {
    const t = { edges: [['sup-in:s', 'sup-headset:s'], ['sup-headset:s', 'headset'], ['mic', 'send:c'], ['send:c', 'out:c']] as Array<[string, string]> };
    expect(hasPath(t, 'sup-in:s', 'headset')).toBe(true);
    expect(hasPath(t, 'sup-in:s', 'out:c')).toBe(false);
    expect(hasPath(t, 'out:c', 'mic')).toBe(false);
    expect(hasPath({ edges: [...t.edges, ['sup-in:s', 'out:c']] }, 'sup-in:s', 'out:c')).toBe(true);
  });
});
