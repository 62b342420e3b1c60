/**
 * @module gateway/routes/multipart-upload
 * Reads a multipart/form-data request (@fastify/multipart): form fields into a plain object, each file
 * streamed to a temporary file — never held in memory whole — within the upload limit (a clear 413 when a
 * file or the whole upload is larger). Audio files get their length read with music-metadata (the
 * whisper-style per-second price needs it when the upstream reports none). `cleanup` removes the files.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors.js';
import type { UploadedFile } from '../../providers/types.js';

export interface Upload {
  /** Form fields; a name sent several times (`timestamp_granularities[]`) keeps every value. */
  fields: Record<string, string | string[]>;
  files: UploadedFile[];
  cleanup(): Promise<void>;
}

export interface UploadLimits {
  /** The whole upload (every file), in bytes. */
  maxBytes: number;
  /** Read the audio length of each file. */
  audio: boolean;
}

const MAX_FIELDS = 64;
const MAX_FIELD_BYTES = 1024 * 1024;
const MAX_FILES = 16;

function tooLarge(limit: number): GatewayError {
  return new GatewayError(
    'TG_ERR_BODY_TOO_LARGE',
    `Upload is larger than the limit of ${limit} bytes (general_settings.max_request_size_mb / max_request_body_bytes).`,
  );
}

async function audioDurationMs(path: string): Promise<number | undefined> {
  // Loaded on the first audio upload: music-metadata and its file-type parsers are not needed by a
  // gateway that never transcribes (outside the try: a broken install must not read as "no length").
  const { parseFile } = await import('music-metadata');
  try {
    const meta = await parseFile(path, { duration: true, skipCovers: true });
    const s = meta.format.duration;
    return typeof s === 'number' && Number.isFinite(s) && s >= 0 ? Math.round(s * 1000) : undefined;
  } catch {
    return undefined; // not a readable audio file: the upstream decides, and pricing says so
  }
}

export async function readUpload(request: FastifyRequest, limits: UploadLimits): Promise<Upload> {
  if (!request.isMultipart()) {
    throw new GatewayError(
      'TG_ERR_BAD_REQUEST',
      'This endpoint takes a file upload: send the request as multipart/form-data.',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-upload-'));
  const files: UploadedFile[] = [];
  const fields: Record<string, string | string[]> = {};
  const cleanup = () => rm(dir, { recursive: true, force: true });
  let total = 0;
  try {
    const parts = request.parts({
      limits: { fileSize: limits.maxBytes, files: MAX_FILES, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        const value = typeof part.value === 'string' ? part.value : String(part.value);
        const prev = fields[part.fieldname];
        fields[part.fieldname] =
          prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
        continue;
      }
      const path = join(dir, randomUUID());
      let size = 0;
      const count = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          total += chunk.length;
          done(total > limits.maxBytes ? tooLarge(limits.maxBytes) : null, chunk);
        },
      });
      await pipeline(part.file, count, createWriteStream(path));
      files.push({
        field: part.fieldname,
        filename: part.filename || 'upload',
        contentType: part.mimetype || 'application/octet-stream',
        path,
        size,
      });
    }
    if (limits.audio) for (const f of files) f.durationMs = await audioDurationMs(f.path);
    return { fields, files, cleanup };
  } catch (err) {
    await cleanup();
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(limits.maxBytes);
    if (code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT')
      throw new GatewayError(
        'TG_ERR_BAD_REQUEST',
        `Too many form parts (at most ${MAX_FILES} files and ${MAX_FIELDS} fields).`,
      );
    if (code === 'FST_FIELD_TOO_LARGE' || code === 'FST_PROTO_VIOLATION')
      throw new GatewayError('TG_ERR_BAD_REQUEST', 'A form field is too large or malformed.');
    if (
      code === 'ERR_STREAM_PREMATURE_CLOSE' ||
      code === 'ECONNRESET' ||
      /Unexpected end of (form|multipart data)/i.test(String(err))
    )
      throw new GatewayError(
        'TG_ERR_BAD_REQUEST',
        'The upload ended before the multipart body was complete.',
      );
    throw err;
  }
}
