import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Upload } from '@aws-sdk/lib-storage';
import { assertSafeKey, StorageObjectMissing, type BackupStorage } from './backup-storage.js';

export interface S3StorageOptions {
  bucket: string;
  /** Prepended to every key (`backups/` say); empty for the bucket's root. */
  prefix: string;
  region: string;
  /** Any S3-compatible server (MinIO, Ceph, R2, s3rver); unset for AWS. */
  endpoint?: string;
  forcePathStyle: boolean;
  /** Unset: the SDK's default chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Multipart part size (≥ 5 MiB); memory is about partSize × queueSize per upload. */
  partSize?: number;
  queueSize?: number;
}

function isNotFound(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404);
}

/**
 * Archives as objects in an S3 bucket. A put is a multipart streaming upload (lib-storage): the
 * object exists only once the upload is completed, and a failed upload is aborted, so no partial
 * object is ever visible under a key.
 */
export class S3BackupStorage implements BackupStorage {
  readonly kind = 's3' as const;
  /** The bytes went to another server: a stored part is read back and its sha256 checked. */
  readonly putVerifies = false;
  private readonly client: S3Client;

  constructor(private readonly options: S3StorageOptions) {
    this.client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Checksums only where the API demands them: S3-compatible servers do not all know the newer ones.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private key(key: string): string {
    assertSafeKey(key);
    return `${this.options.prefix}${key}`;
  }

  async put(key: string, body: Readable): Promise<{ size: number }> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: this.key(key), Body: body },
      partSize: this.options.partSize ?? 8 * 1024 * 1024,
      queueSize: this.options.queueSize ?? 2,
      leavePartsOnError: false,
    });
    // A source that fails mid-way must fail the upload, not complete it with what came so far.
    const failed = new Promise<never>((_, reject) => body.once('error', (err) => {
      void upload.abort().catch(() => undefined);
      reject(err);
    }));
    await Promise.race([upload.done(), failed]);
    const stored = await this.stat(key);
    if (!stored) throw new Error(`upload of "${key}" completed but the object is missing`);
    return stored;
  }

  /** A presigned single PUT of `key` (a runtime's upload: one object up to 5 GB, its length known). */
  async presignPut(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new PutObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }), { expiresIn: expiresInSeconds });
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }), { expiresIn: expiresInSeconds });
  }

  async get(key: string): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }));
      if (!(out.Body instanceof Readable)) throw new Error('S3 answered without a body stream');
      return out.Body;
    } catch (err) {
      if (isNotFound(err)) throw new StorageObjectMissing(key);
      throw err;
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }));
      return { size: out.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }));
  }

  async deletePrefix(prefix: string): Promise<number> {
    const full = this.key(prefix);
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: full, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: object.Key }));
        deleted += 1;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
