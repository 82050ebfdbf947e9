// The demo's org policy, kept by the demo server as IT would keep one on the server that hosts the
// web build: the example policy (src/node/adminCli.ts) on the demo's domain, signed with an admin
// key made for this run. Supervisors' keys are enrolled when pasted into the demo's terminal.
import { examplePolicy } from '../src/node/adminCli';
import { base64ToBytes, bytesToBase64 } from '../src/shared/policy/canonical';
import { signPolicy, type SignedPolicyFile } from '../src/shared/policy/signedPolicy';

export interface DemoOrg {
  adminPub: string;
  /** policy.signed.json as currently published. */
  signed(): SignedPolicyFile;
  /** Enrols a supervisor's public key for 1101 and signs the policy again; false if it is not a key. */
  enrol(publicKey: string): Promise<boolean>;
}

export async function makeDemoOrg(domain: string): Promise<DemoOrg> {
  const admin = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const adminPub = bytesToBase64(new Uint8Array(await crypto.subtle.exportKey('raw', admin.publicKey)));
  const now = Date.now();
  const policy = examplePolicy({ domain, issuedAt: new Date(now - 60_000).toISOString(), expiresAt: new Date(now + 7 * 86400_000).toISOString() });
  // The demo records its calls (README → Recording), so the supervisor's Recordings view has some.
  policy.recording = { ...policy.recording, calls: '*', coachingTrack: 'with-call', pciPause: true, notifyAgent: true };
  const lead = policy.people.find((p) => p.id.startsWith('1101@'))!;
  lead.supervisorKeys = [];
  let signed = await signPolicy(policy, admin.privateKey, adminPub);
  return {
    adminPub,
    signed: () => signed,
    async enrol(publicKey) {
      const key = publicKey.trim();
      if (base64ToBytes(key)?.length !== 32) return false;
      if (!lead.supervisorKeys!.some((k) => k.publicKey === key)) {
        lead.supervisorKeys!.push({ publicKey: key, enrolledAt: new Date().toISOString(), label: 'pasted into the demo' });
        signed = await signPolicy(policy, admin.privateKey, adminPub);
      }
      return true;
    },
  };
}
