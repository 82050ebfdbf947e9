/**
 * Where the org service keeps recording audio: a folder on disk, or an S3-compatible bucket, behind
 * one interface. Keys are made by the service (recording id / track / offset), never by a desk.
 */
import { createHash, createHmac } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

export interface BlobStore {
  readonly description: string;
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
  delete(key: string): Promise<void>;
}

const keyPattern = /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_.-]+)*$/;

function checkKey(key: string): void {
  if (!keyPattern.test(key) || key.includes('..')) throw new Error(`not a blob key: ${key}`);
}

/** Files under `root`, each written to a temporary name, fsynced and renamed: a crash leaves the old blob or none. */
export class FileBlobStore implements BlobStore {
  readonly description: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.description = `folder ${this.root}`;
  }

  private path(key: string): string {
    checkKey(key);
    const p = resolve(join(this.root, key));
    if (!p.startsWith(this.root + sep)) throw new Error(`not a blob key: ${key}`);
    return p;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const p = this.path(key);
    await mkdir(dirname(p), { recursive: true });
    const tmp = `${p}.tmp-${process.pid}`;
    const h = await open(tmp, 'w');
    try {
      await h.write(bytes);
      await h.datasync();
    } finally {
      await h.close();
    }
    await rename(tmp, p);
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await readFile(this.path(key)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    const p = this.path(key);
    await rm(p, { force: true });
    // Folders left empty go too, so a deleted recording leaves no trace of its name.
    for (let dir = dirname(p); dir.startsWith(this.root + sep); dir = dirname(dir)) {
      if (!(await rmdir(dir).then(() => true, () => false))) break;
    }
  }
}

export interface S3Options {
  /** e.g. https://s3.eu-central-1.amazonaws.com or http://127.0.0.1:9000 (MinIO, Ceph, Garage). */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Key prefix inside the bucket. */
  prefix?: string;
  fetch?: typeof fetch;
}

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * An S3-compatible bucket, path-style addressing, requests signed with AWS Signature Version 4
 * (what AWS, MinIO, Ceph RGW and Garage accept).
 */
export class S3BlobStore implements BlobStore {
  readonly description: string;

  constructor(private readonly o: S3Options) {
    this.description = `S3 bucket ${o.bucket} at ${o.endpoint}`;
  }

  private async request(method: 'PUT' | 'GET' | 'DELETE', key: string, body?: Uint8Array): Promise<Response> {
    checkKey(key);
    const url = new URL(`${this.o.endpoint.replace(/\/+$/, '')}/${this.o.bucket}/${this.o.prefix ?? ''}${key}`);
    const now = new Date();
    const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    const payloadHash = sha256Hex(body ?? '');
    const headers: Record<string, string> = { host: url.host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate };
    const signedHeaders = Object.keys(headers).sort().join(';');
    const canonicalPath = url.pathname.split('/').map((s) => encodeURIComponent(decodeURIComponent(s))).join('/');
    const canonicalHeaders = Object.keys(headers).sort().map((h) => `${h}:${headers[h]}\n`).join('');
    const canonical = [method, canonicalPath, '', canonicalHeaders, signedHeaders, payloadHash].join('\n');
    const scope = `${day}/${this.o.region}/s3/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
    const kSigning = hmac(hmac(hmac(hmac(`AWS4${this.o.secretAccessKey}`, day), this.o.region), 's3'), 'aws4_request');
    const signature = createHmac('sha256', kSigning).update(toSign).digest('hex');
    const authorization = `AWS4-HMAC-SHA256 Credential=${this.o.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    const { host: _host, ...sent } = headers;
    return (this.o.fetch ?? fetch)(url, { method, headers: { ...sent, authorization }, body: body ? Buffer.from(body) : undefined });
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const res = await this.request('PUT', key, bytes);
    if (!res.ok) throw new Error(`${this.description}: PUT ${key} answered ${res.status} ${(await res.text()).slice(0, 200)}`);
  }

  async get(key: string): Promise<Uint8Array | null> {
    const res = await this.request('GET', key);
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`${this.description}: GET ${key} answered ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }

  async delete(key: string): Promise<void> {
    const res = await this.request('DELETE', key);
    if (!res.ok && res.status !== 404) throw new Error(`${this.description}: DELETE ${key} answered ${res.status}`);
  }
}
