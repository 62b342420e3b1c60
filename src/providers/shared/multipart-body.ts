/**
 * @module providers/shared/multipart-body
 * A multipart/form-data request body streamed from the upload's temporary files: the form fields, then
 * each file read from disk in chunks (never held in memory whole). Built anew for every attempt, so a
 * retry re-reads the files; the exact Content-Length is computed up front.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { UploadedFile } from '../types.js';

export interface MultipartBody {
  contentType: string;
  contentLength: number;
  body: Readable;
}

/** Form field values as sent: a string, or several values under one name (`timestamp_granularities[]`). */
export type FormFields = Record<string, string | readonly string[]>;

function quote(s: string): string {
  return s.replace(/["\r\n\\]/g, (c) => encodeURIComponent(c));
}

export function multipartBody(fields: FormFields, files: readonly UploadedFile[]): MultipartBody {
  const boundary = `----tollgate${randomBytes(12).toString('hex')}`;
  const parts: Array<Buffer | UploadedFile> = [];
  for (const [name, value] of Object.entries(fields)) {
    for (const v of typeof value === 'string' ? [value] : value) {
      parts.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${v}\r\n`),
      );
    }
  }
  for (const f of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quote(f.field)}"; filename="${quote(f.filename)}"\r\nContent-Type: ${f.contentType}\r\n\r\n`,
      ),
      f,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  let length = 0;
  for (const p of parts) length += Buffer.isBuffer(p) ? p.length : p.size;
  async function* generate(): AsyncGenerator<Buffer> {
    for (const p of parts) {
      if (Buffer.isBuffer(p)) yield p;
      else for await (const chunk of createReadStream(p.path)) yield chunk as Buffer;
    }
  }
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: length,
    body: Readable.from(generate(), { objectMode: false }),
  };
}
