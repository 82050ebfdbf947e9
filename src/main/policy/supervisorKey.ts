/**
 * The supervisor app's own Ed25519 key pair: made on first use, private key kept encrypted with the
 * OS keychain (Electron's safeStorage), public key shown for the admin to enrol in the org policy.
 *
 * - Public key: standard base64 of the raw 32 bytes, the form `supervisorKeys[].publicKey` takes in
 *   the policy (schema.ts); fingerprint: `keyIdOf` from signedPolicy.ts, the id the admin CLI prints.
 * - Statements: signed through `signStatement` of src/shared/policy/statement.ts, so the token
 *   format is defined in one place; the Node key is imported into WebCrypto for that.
 * - Stored: base64 of safeStorage.encryptString(PKCS#8 PEM). Never written in plain text: where
 *   the OS offers no encryption the key lives in memory for this session only (`persisted: false`),
 *   and a stored key is left untouched (it may open again once the keychain is back).
 * - A stored key that cannot be opened (encrypted under another OS account, damaged, not Ed25519)
 *   is replaced by a new one (`regenerated: true`); the old one is gone, so the admin must enrol the
 *   new public key.
 * The private key never leaves this module: no getter, no export.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { keyIdOf } from '../../shared/policy/signedPolicy';
import { makeStatementPayload, signStatement, type StatementPayload, type StatementRequest } from '../../shared/policy/statement';
import type { SafeStorageLike, SecretSlot } from '../secrets';

export interface SupervisorKeyStatus {
  /** The key is stored (encrypted) and will be the same next time the app starts. */
  persisted: boolean;
  /** A key pair was made during this start (first use, regenerated, or session-only). */
  created: boolean;
  /** A stored key could not be opened and was replaced: the admin must enrol the new public key. */
  regenerated: boolean;
  /** One sentence for the settings page when something needs the user's or admin's attention; null otherwise. */
  message: string | null;
}

export interface SupervisorKey {
  readonly status: SupervisorKeyStatus;
  /** Raw 32-byte Ed25519 public key, standard base64: paste into `supervisorKeys[].publicKey`. */
  publicKey(): string;
  /** keyIdOf(publicKey): the short id the admin CLI's summary prints for this key. */
  fingerprint(): string;
  /** Ed25519 signature (64 bytes) over exactly these bytes. */
  sign(payload: Uint8Array): Uint8Array;
  /** A supervision statement token (statement.ts format) for this payload. */
  signStatement(payload: StatementPayload): Promise<string>;
  /** makeStatementPayload + signStatement: a fresh statement for one request. */
  statementFor(request: StatementRequest): Promise<string>;
}

export interface OpenSupervisorKeyOptions {
  safeStorage: SafeStorageLike;
  /** Where the encrypted key is kept (e.g. a field in electron-store). */
  slot: SecretSlot;
}

const enrolNew = (fp: string) => `Give your admin the new public key (fingerprint ${fp}) to enrol in the org policy; until it is enrolled, agents' apps refuse your supervision requests.`;

export async function openSupervisorKey(options: OpenSupervisorKeyOptions): Promise<SupervisorKey> {
  const { safeStorage, slot } = options;
  const available = encryptionAvailable(safeStorage);
  const stored = readSlot(slot);

  if (stored !== undefined && available) {
    const opened = openStored(safeStorage, stored);
    if (opened) return build(opened, { persisted: true, created: false, regenerated: false, message: null });
    // Encrypted under another OS account or keychain, or damaged: it cannot be used again.
    const key = newPrivateKey();
    const persisted = store(safeStorage, slot, key);
    const fp = await keyIdOf(publicKeyOf(key));
    return build(key, {
      persisted,
      created: true,
      regenerated: true,
      message: `Your supervision key could not be read (it was made under another user account or was damaged), so a new one was made. ${enrolNew(fp)}${persisted ? '' : ' ' + sessionOnlyNote}`,
    });
  }

  const key = newPrivateKey();
  if (!available) {
    const fp = await keyIdOf(publicKeyOf(key));
    const why = stored !== undefined ? 'Your stored supervision key cannot be opened because' : 'Your supervision key cannot be saved because';
    return build(key, {
      persisted: false,
      created: true,
      regenerated: false,
      message: `${why} this computer offers no secure storage (OS keychain), so a key for this session only (fingerprint ${fp}) is used. ${sessionOnlyNote}`,
    });
  }
  const persisted = store(safeStorage, slot, key);
  return build(key, {
    persisted,
    created: true,
    regenerated: false,
    message: persisted ? null : `Your supervision key could not be saved to secure storage, so a key for this session only (fingerprint ${await keyIdOf(publicKeyOf(key))}) is used. ${sessionOnlyNote}`,
  });
}

const sessionOnlyNote = 'It is not saved and changes when the app restarts, so it cannot stay enrolled.';

function encryptionAvailable(s: SafeStorageLike): boolean {
  try {
    return s.isEncryptionAvailable();
  } catch {
    return false;
  }
}

function readSlot(slot: SecretSlot): string | undefined {
  try {
    const v = slot.get();
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  } catch {
    return undefined;
  }
}

function newPrivateKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

function openStored(s: SafeStorageLike, stored: string): KeyObject | null {
  try {
    const pem = s.decryptString(Buffer.from(stored, 'base64'));
    const key = createPrivateKey({ key: pem, format: 'pem' });
    return key.type === 'private' && key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

/** true when stored encrypted; never writes anything else. */
function store(s: SafeStorageLike, slot: SecretSlot, key: KeyObject): boolean {
  try {
    const pem = key.export({ type: 'pkcs8', format: 'pem' }) as string;
    slot.set(s.encryptString(pem).toString('base64'));
    return true;
  } catch {
    return false;
  }
}

function publicKeyOf(key: KeyObject): string {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url').toString('base64');
}

async function build(privateKey: KeyObject, status: SupervisorKeyStatus): Promise<SupervisorKey> {
  const pub = publicKeyOf(privateKey);
  const fp = await keyIdOf(pub);
  let webKey: Promise<CryptoKey> | null = null;
  const cryptoKey = () =>
    (webKey ??= crypto.subtle.importKey('pkcs8', new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })), { name: 'Ed25519' }, false, ['sign']).catch((e: unknown) => {
      webKey = null; // try again next time rather than fail forever
      throw e;
    }));
  const signStatementWithKey = async (payload: StatementPayload) => signStatement(payload, { privateKey: await cryptoKey(), publicKey: pub });
  return {
    status,
    publicKey: () => pub,
    fingerprint: () => fp,
    sign: (payload) => new Uint8Array(nodeSign(null, payload, privateKey)),
    signStatement: signStatementWithKey,
    statementFor: async (request) => signStatementWithKey(await makeStatementPayload(request)),
  };
}
