import { describe, expect, it } from 'vitest';
import { PasswordVault, type SafeStorageLike } from './secrets';

// Stands in for the OS keychain: reversible, but never the plain text.
const keychain = (available = true): SafeStorageLike => ({
  isEncryptionAvailable: () => available,
  encryptString: (p) => Buffer.from(`enc:${[...p].reverse().join('')}`),
  decryptString: (b) => [...b.toString().slice(4)].reverse().join(''),
});

function slot() {
  let value: string | undefined;
  return { get: () => value, set: (v: string | undefined) => (value = v), peek: () => value };
}

describe('SIP password storage', () => {
  it('stores the password encrypted, never in plain text, and reads it back', () => {
    const s = slot();
    const vault = new PasswordVault(keychain(), s);
    expect(vault.set('s3cret-pw')).toEqual({ persisted: true });
    expect(s.peek()).toBeDefined();
    expect(Buffer.from(s.peek()!, 'base64').toString()).not.toContain('s3cret-pw');
    expect(new PasswordVault(keychain(), s).get()).toBe('s3cret-pw');
  });

  it('without a keychain keeps it in memory only and writes nothing', () => {
    const s = slot();
    const vault = new PasswordVault(keychain(false), s);
    expect(vault.set('s3cret-pw')).toEqual({ persisted: false });
    expect(s.peek()).toBeUndefined();
    expect(vault.get()).toBe('s3cret-pw');
    expect(new PasswordVault(keychain(false), s).has()).toBe(false);
  });

  it('treats a value it cannot decrypt as no password', () => {
    const s = slot();
    s.set('bm90LWVuY3J5cHRlZA==');
    const broken: SafeStorageLike = { ...keychain(), decryptString: () => { throw new Error('bad key'); } };
    expect(new PasswordVault(broken, s).get()).toBeNull();
  });
});
