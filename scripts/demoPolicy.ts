import { writeFileSync } from 'node:fs';
// The demo's org policy, kept by the demo server as IT would keep one on the server that hosts the
// web build: the example policy (src/node/adminCli.ts) on the demo's domain, signed with an admin
// key made for this run. Desks' keys are enrolled when pasted into the demo's terminal. With
// `orgServiceUrl`, the policy names the demo's org service, and each signing is also written to
// `files` for that service to read (it reads the same file the desks get).
import { examplePolicy } from '../src/node/adminCli';
import { base64ToBytes, bytesToBase64 } from '../src/shared/policy/canonical';
import { signPolicy, type SignedPolicyFile } from '../src/shared/policy/signedPolicy';

export interface DemoOrg {
  adminPub: string;
  /** policy.signed.json as currently published. */
  signed(): SignedPolicyFile;
  /** Enrols a desk's public key for `ext` (1001 the agent, 1101 the supervisor) and signs the policy again; false if it is not a key or not a demo person. */
  enrol(publicKey: string, ext?: string): Promise<boolean>;
}

export async function makeDemoOrg(domain: string, org: { orgServiceUrl?: string; files?: { policy: string; adminKey: string } } = {}): Promise<DemoOrg> {
  const admin = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const adminPub = bytesToBase64(new Uint8Array(await crypto.subtle.exportKey('raw', admin.publicKey)));
  const now = Date.now();
  const policy = examplePolicy({ domain, issuedAt: new Date(now - 60_000).toISOString(), expiresAt: new Date(now + 7 * 86400_000).toISOString() });
  // The demo records its calls (README → Recording), so the supervisor's Recordings view has some.
  policy.recording = { ...policy.recording, calls: '*', coachingTrack: 'with-call', pciPause: true, notifyAgent: true };
  if (org.orgServiceUrl) {
    // Reports, and QA review of the recorded calls: the supervisor scores them with this scorecard.
    policy.orgService = { url: org.orgServiceUrl, recordings: true };
    policy.qa = {
      scorecards: [
        {
          id: 'call-quality',
          name: 'Call quality',
          items: [
            { id: 'greeting', label: 'Greeting and verification', points: 5, help: 'Named the company and themself; verified the caller before account details.' },
            { id: 'listening', label: 'Listening and empathy', points: 10 },
            { id: 'resolution', label: 'Resolution', points: 10, help: 'Solved the issue, or set a clear next step.' },
            { id: 'closing', label: 'Closing', points: 5 },
          ],
        },
      ],
    };
  }
  for (const p of policy.people) p.supervisorKeys = [];
  const write = (s: SignedPolicyFile) => {
    if (!org.files) return;
    writeFileSync(org.files.adminKey, `${adminPub}\n`);
    writeFileSync(org.files.policy, JSON.stringify(s, null, 2));
  };
  let signed = await signPolicy(policy, admin.privateKey, adminPub);
  write(signed);
  return {
    adminPub,
    signed: () => signed,
    async enrol(publicKey, ext = '1101') {
      const key = publicKey.trim();
      const person = policy.people.find((p) => p.id.startsWith(`${ext}@`));
      if (base64ToBytes(key)?.length !== 32 || !person) return false;
      // A key belongs to one desk: pasted again for someone else, it moves.
      for (const p of policy.people) p.supervisorKeys = (p.supervisorKeys ?? []).filter((k) => k.publicKey !== key);
      person.supervisorKeys!.push({ publicKey: key, enrolledAt: new Date().toISOString(), label: 'pasted into the demo' });
      signed = await signPolicy(policy, admin.privateKey, adminPub);
      write(signed);
      return true;
    },
  };
}
