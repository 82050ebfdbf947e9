// The web build's org policy and supervisor key: the policy comes from the server that hosts the
// page (verified against the admin key published beside it, exactly as the desktop app verifies the
// managed one), the key lives in this browser profile's IndexedDB as a non-extractable CryptoKey.
import type { OrgPolicyStatus, SupervisorKeyInfo } from '../../shared/bridge';
import { bytesToBase64 } from '../../shared/policy/canonical';
import { keyIdOf, verifySignedPolicy } from '../../shared/policy/signedPolicy';
import { summarizePolicy } from '../../shared/policy/summary';

const policyFile = 'policy.signed.json';
const adminKeyFile = 'admin.pub';

async function fetchText(name: string): Promise<string | null> {
  const res = await fetch(new URL(name, location.href), { cache: 'no-store' });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
  return res.text();
}

export async function fetchOrgPolicy(now = new Date()): Promise<OrgPolicyStatus> {
  try {
    const [text, adminKey] = await Promise.all([fetchText(policyFile), fetchText(adminKeyFile)]);
    if (text === null || adminKey === null) {
      return { state: 'none', reason: `No org policy is published by the server that hosts this page (${policyFile} and ${adminKeyFile} beside it), so supervision is off until IT publishes one.` };
    }
    const v = await verifySignedPolicy(text, adminKey.trim(), now);
    if (!v.ok) return { state: 'none', reason: `The org policy published with this page is refused: ${v.reason} Supervision is off.` };
    return { state: 'active', summary: summarizePolicy(v.policy, v.keyId), keyId: v.keyId, policy: v.policy };
  } catch (e) {
    return { state: 'none', reason: `The org policy could not be fetched (${(e as Error).message}). Supervision is off.` };
  }
}

function keyStore<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('whisperline-keys', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('keys');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const req = act(open.result.transaction('keys', mode).objectStore('keys'));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    };
  });
}

/** `slot` keeps the keys of several people sharing one browser profile apart (the demo's `?as=`). */
export async function webSupervisorKey(slot: string): Promise<SupervisorKeyInfo> {
  const { pair, saved } = await webSupervisorKeyPair(slot);
  const note = saved
    ? 'This key lives in this browser profile only: clearing the site data makes a new key, which IT must enrol again.'
    : 'This browser does not let the page keep a key (private window?): this one lasts for this visit only and cannot stay enrolled.';
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { publicKey: bytesToBase64(raw), fingerprint: await keyIdOf(raw), note };
}

const pairs = new Map<string, Promise<{ pair: CryptoKeyPair; saved: boolean }>>();

/** The supervisor's key pair for this slot: the stored one, else a new one (made once per page). */
export function webSupervisorKeyPair(slot: string): Promise<{ pair: CryptoKeyPair; saved: boolean }> {
  let p = pairs.get(slot);
  if (!p) {
    p = loadOrMakePair(slot);
    pairs.set(slot, p);
  }
  return p;
}

async function loadOrMakePair(slot: string): Promise<{ pair: CryptoKeyPair; saved: boolean }> {
  let pair = await keyStore<CryptoKeyPair | undefined>('readonly', (s) => s.get(slot)).catch(() => undefined);
  let saved = true;
  if (!pair) {
    // The private half cannot be exported, not even by this page's own scripts.
    pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    saved = await keyStore('readwrite', (s) => s.put(pair, slot)).then(
      () => true,
      () => false,
    );
  }
  return { pair, saved };
}
