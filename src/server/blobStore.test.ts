import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import aws4 from 'aws4';
import { FileBlobStore, S3BlobStore, type BlobStore } from './blobStore';

// The same behaviour from both stores: what is put comes back byte for byte, a missing key is
// null, a deleted key is gone, and a key that would leave the store is refused before any I/O.
function behavesAsBlobStore(name: string, make: () => BlobStore) {
  describe(name, () => {
    it('keeps bytes as they were put, forgets deleted ones, and refuses keys that would escape', async () => {
      const store = make();
      const audio = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
      await store.put('recordings/rec-1/customer/0000000000000', audio);
      expect(Buffer.from((await store.get('recordings/rec-1/customer/0000000000000'))!).equals(Buffer.from(audio))).toBe(true);
      expect(await store.get('recordings/rec-1/customer/0000000614400')).toBeNull();
      await store.delete('recordings/rec-1/customer/0000000000000');
      expect(await store.get('recordings/rec-1/customer/0000000000000')).toBeNull();
      for (const key of ['../outside', 'recordings/../../etc/passwd', '/abs', 'a//b', 'recordings/x y']) {
        await expect(store.put(key, new Uint8Array([1]))).rejects.toThrow(/not a blob key/);
      }
    });
  });
}

let dir: string;
let s3: S3rver;
let s3Port = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wl-blobs-'));
  s3 = new S3rver({ port: 0, address: '127.0.0.1', directory: join(dir, 's3'), silent: true, configureBuckets: [{ name: 'recordings', configs: [] }] });
  s3Port = (await s3.run()).port;
});
afterAll(async () => {
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

behavesAsBlobStore('a folder on disk', () => new FileBlobStore(join(dir, 'files')));
// s3rver: an S3-compatible server on loopback (path-style PUT/GET/DELETE, as MinIO or Ceph answer them).
behavesAsBlobStore('an S3-compatible bucket', () => new S3BlobStore({ endpoint: `http://127.0.0.1:${s3Port}`, bucket: 'recordings', region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }));

describe('a folder on disk', () => {
  it('leaves no temporary file behind', async () => {
    const store = new FileBlobStore(join(dir, 'tidy'));
    await store.put('a/b', new Uint8Array([1, 2]));
    expect(await readdir(join(dir, 'tidy', 'a'))).toEqual(['b']);
  });
});

describe('an S3-compatible bucket', () => {
  it('says which bucket refused, and why', async () => {
    const store = new S3BlobStore({ endpoint: `http://127.0.0.1:${s3Port}`, bucket: 'no-such-bucket', region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    await expect(store.put('a/b', new Uint8Array([1]))).rejects.toThrow(/S3 bucket no-such-bucket .* answered 404/);
  });

  // s3rver accepts any signature, so it cannot tell a wrong one: each request is signed again here by
  // an independent SigV4 implementation (aws4) from what went on the wire, and must come out the same.
  it('signs each request as AWS Signature Version 4 does (checked against an independent signer)', async () => {
    const sent: { url: URL; method: string; headers: Record<string, string> }[] = [];
    const capture = (async (url: URL, init: RequestInit) => {
      sent.push({ url, method: init.method!, headers: init.headers as Record<string, string> });
      return new Response(init.method === 'GET' ? 'x' : '', { status: 200 });
    }) as typeof fetch;
    const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    const store = new S3BlobStore({ endpoint: 'https://s3.eu-central-1.example.com/', bucket: 'qa-recordings', region: 'eu-central-1', prefix: 'site 1/', ...creds, fetch: capture });
    await store.put('rec-1/customer/0.webm', new Uint8Array([1, 2, 3]));
    await store.get('rec-1/agent/0.webm');
    await store.delete('rec-1/agent/0.webm');
    expect(sent.map((r) => r.method)).toEqual(['PUT', 'GET', 'DELETE']);
    // The Authorization header aws4 makes for the same request, at the same time, with these keys.
    const aws4Authorization = (r: (typeof sent)[number], keys: typeof creds) => {
      const headers = { 'X-Amz-Date': r.headers['x-amz-date'], 'X-Amz-Content-Sha256': r.headers['x-amz-content-sha256'] };
      const signed = aws4.sign({ host: r.url.host, path: r.url.pathname, method: r.method, service: 's3', region: 'eu-central-1', headers }, keys);
      return (signed.headers as Record<string, string>).Authorization;
    };
    for (const r of sent) expect(r.headers.authorization, `${r.method} ${r.url.pathname}`).toBe(aws4Authorization(r, creds));
    // And a wrong secret signs differently (the comparison can fail).
    expect(sent[0].headers.authorization).not.toBe(aws4Authorization(sent[0], { ...creds, secretAccessKey: 'other' }));
  });
});
