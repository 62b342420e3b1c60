/**
 * @module mock-upstream/media-routes
 * OpenAI's audio, image edit, moderation and rerank endpoints as the API reference shows them, plus
 * Cohere's and Jina's rerank and Anthropic's count_tokens:
 *   /audio/transcriptions, /audio/translations  multipart; json `{text, usage}` (whisper: usage
 *       `{type: "duration", seconds}`, gpt-4o-transcribe: `{type: "tokens", input_tokens,
 *       input_token_details.audio_tokens, output_tokens}`), verbose_json (`duration`, segments), text/srt/vtt
 *   /audio/speech        the audio bytes (a short silent WAV), content type by response_format
 *   /images/edits, /images/variations  multipart; like generations (gpt-image-1 token usage)
 *   /moderations         `{id, model, results: [{flagged, categories, category_scores}]}`
 *   /rerank (Jina)       `{model, usage: {total_tokens}, results}`; /v2/rerank (Cohere) `{id, results,
 *       meta: {billed_units: {search_units}}}`
 *   /v1/messages/count_tokens (Anthropic)  `{input_tokens}`
 * The audio's duration is read from the uploaded file (music-metadata), as the real service measures it.
 */
import type { ServerResponse } from 'node:http';
import { parseBuffer } from 'music-metadata';
import { TINY_PNG_BASE64 } from '../providers/mock/mock-content.js';
import { isRecord, type Json } from '../providers/shared/json.js';
import { countPromptTokens, countTextTokens } from '../providers/token-count.js';
import { sendJson } from './http-util.js';
import { openAiError } from './openai-routes.js';
import type { Switches } from './switches.js';

/** A file of a multipart request as the mock received it. */
export interface MockFile {
  field: string;
  name: string;
  type: string;
  bytes: Buffer;
}

let counter = 0;
const id = (prefix: string) => `${prefix}mock${(++counter).toString(36).padStart(10, '0')}`;

/** Parses a multipart body with the platform's own form-data parser. */
export async function parseMultipart(
  raw: Buffer,
  contentType: string,
): Promise<{ fields: Json; files: MockFile[] }> {
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  const fields: Json = {};
  const files: MockFile[] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') fields[name] = value;
    else
      files.push({
        field: name,
        name: value.name,
        type: value.type,
        bytes: Buffer.from(await value.arrayBuffer()),
      });
  }
  return { fields, files };
}

async function durationSeconds(file: MockFile | undefined): Promise<number | undefined> {
  if (!file) return undefined;
  try {
    const meta = await parseBuffer(
      file.bytes,
      { mimeType: file.type || undefined, size: file.bytes.length },
      { duration: true },
    );
    return meta.format.duration;
  } catch {
    return undefined;
  }
}

/** Mock transcript text: fixed words, so token counts are predictable. */
const TRANSCRIPT = 'Hello from the mock transcription.';

function srt(text: string, seconds: number): string {
  const end = new Date(Math.round(seconds * 1000)).toISOString().slice(11, 23).replace('.', ',');
  return `1\n00:00:00,000 --> ${end}\n${text}\n\n`;
}

export async function handleTranscription(
  res: ServerResponse,
  kind: 'transcription' | 'translation',
  fields: Json,
  files: MockFile[],
  sw: Switches,
): Promise<void> {
  const file = files.find((f) => f.field === 'file');
  if (!file)
    return sendJson(
      res,
      400,
      openAiError("Missing required parameter: 'file'.", 'invalid_request_error', null),
    );
  const seconds = await durationSeconds(file);
  if (seconds === undefined)
    return sendJson(
      res,
      400,
      openAiError(
        'Invalid file format. Supported formats: flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav, webm',
        'invalid_request_error',
        null,
      ),
    );
  const model = String(fields.model ?? '');
  const format = String(fields.response_format ?? 'json');
  const tokens = /transcribe/.test(model);
  const usage: Json = tokens
    ? {
        type: 'tokens',
        // A fixed mock rate for audio tokens: 10 per second of audio.
        input_tokens: Math.ceil(seconds * 10),
        input_token_details: { text_tokens: 0, audio_tokens: Math.ceil(seconds * 10) },
        output_tokens: countTextTokens(TRANSCRIPT, 'gpt-4o'),
        total_tokens: Math.ceil(seconds * 10) + countTextTokens(TRANSCRIPT, 'gpt-4o'),
      }
    : { type: 'duration', seconds: Math.ceil(seconds) };
  if (format === 'text' || format === 'srt' || format === 'vtt') {
    const body =
      format === 'text'
        ? `${TRANSCRIPT}\n`
        : format === 'srt'
          ? srt(TRANSCRIPT, seconds)
          : `WEBVTT\n\n${srt(TRANSCRIPT, seconds).replace(/,/g, '.')}`;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(body);
    return;
  }
  const out: Json = { text: TRANSCRIPT };
  if (format === 'verbose_json') {
    out.task = kind === 'translation' ? 'translate' : 'transcribe';
    out.language = 'english';
    out.duration = seconds;
    out.segments = [
      {
        id: 0,
        seek: 0,
        start: 0,
        end: seconds,
        text: TRANSCRIPT,
        tokens: [],
        temperature: 0,
        avg_logprob: -0.2,
        compression_ratio: 1,
        no_speech_prob: 0.01,
      },
    ];
  }
  if (!sw.noUsage) out.usage = usage;
  return sendJson(res, 200, out);
}

const AUDIO_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/opus',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

/** `ms` of 8 kHz 8-bit mono silence as a WAV file. */
export function silentWav(ms: number): Buffer {
  const samples = Math.round(8 * ms);
  const b = Buffer.alloc(44 + samples, 0x80);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(8000, 28);
  b.writeUInt16LE(1, 32);
  b.writeUInt16LE(8, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples, 40);
  return b;
}

export async function handleSpeech(res: ServerResponse, body: Json): Promise<void> {
  if (typeof body.input !== 'string' || body.input === '')
    return sendJson(
      res,
      400,
      openAiError("Missing required parameter: 'input'.", 'invalid_request_error', null),
    );
  const format = typeof body.response_format === 'string' ? body.response_format : 'mp3';
  // About 60 ms of audio per character; sent in a few chunks, as a streamed answer.
  const audio = silentWav(Math.min(60 * body.input.length, 5000));
  res.writeHead(200, { 'content-type': AUDIO_TYPES[format] ?? 'audio/mpeg', 'transfer-encoding': 'chunked' });
  for (let i = 0; i < audio.length; i += 4096) res.write(audio.subarray(i, i + 4096));
  res.end();
}

export function handleImageEdit(res: ServerResponse, fields: Json, files: MockFile[], model: string) {
  if (!files.some((f) => f.field === 'image' || f.field === 'image[]'))
    return sendJson(
      res,
      400,
      openAiError("Missing required parameter: 'image'.", 'invalid_request_error', null),
    );
  const n = Number(fields.n ?? 1) || 1;
  const out: Json = {
    created: Math.floor(Date.now() / 1000),
    data: Array.from({ length: n }, () => ({ b64_json: TINY_PNG_BASE64 })),
  };
  if (model.includes('gpt-image')) {
    const text = countPromptTokens({ prompt: fields.prompt }, model);
    // Input images cost tokens too (a fixed 194 per image in this mock); output 272 per 1024x1024 image.
    const images = files.filter((f) => f.field.startsWith('image')).length * 194;
    out.size = fields.size ?? '1024x1024';
    out.quality = fields.quality ?? 'medium';
    out.usage = {
      input_tokens: text + images,
      input_tokens_details: { text_tokens: text, image_tokens: images },
      output_tokens: 272 * n,
      total_tokens: text + images + 272 * n,
    };
  }
  return sendJson(res, 200, out);
}

export function handleModeration(res: ServerResponse, body: Json) {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const results = inputs.map((i) => {
    const flagged = typeof i === 'string' && /\bkill\b/i.test(i);
    return {
      flagged,
      categories: { violence: flagged, hate: false },
      category_scores: { violence: flagged ? 0.9 : 0.001, hate: 0.0001 },
    };
  });
  return sendJson(res, 200, {
    id: id('modr-'),
    model: String(body.model ?? 'omni-moderation-latest'),
    results,
  });
}

function rankings(body: Json): Json[] {
  const docs = Array.isArray(body.documents) ? body.documents : [];
  const query = String(body.query ?? '').toLowerCase();
  const scored = docs.map((d, index) => {
    const text = typeof d === 'string' ? d : isRecord(d) ? String(d.text ?? '') : '';
    const hits = query.split(/\s+/).filter((w) => w && text.toLowerCase().includes(w)).length;
    return {
      index,
      relevance_score: Math.round((hits / Math.max(1, query.split(/\s+/).length)) * 1000) / 1000,
      text,
    };
  });
  scored.sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index);
  const top = typeof body.top_n === 'number' ? scored.slice(0, body.top_n) : scored;
  return top.map((s) =>
    body.return_documents === true
      ? { index: s.index, relevance_score: s.relevance_score, document: { text: s.text } }
      : { index: s.index, relevance_score: s.relevance_score },
  );
}

/** Jina / Together style (`/v1/rerank`): token usage. */
export function handleJinaRerank(res: ServerResponse, body: Json, model: string) {
  const tokens = countPromptTokens(
    {
      input: [String(body.query ?? ''), ...(Array.isArray(body.documents) ? body.documents.map(String) : [])],
    },
    model,
  );
  return sendJson(res, 200, {
    model,
    usage: { total_tokens: tokens, prompt_tokens: tokens },
    results: rankings(body),
  });
}

/** Cohere `/v2/rerank`: search units (one per query of up to 100 documents). */
export function handleCohereRerank(res: ServerResponse, body: Json) {
  const docs = Array.isArray(body.documents) ? body.documents.length : 0;
  return sendJson(res, 200, {
    id: id(''),
    results: rankings(body),
    meta: {
      api_version: { version: '2' },
      billed_units: { search_units: Math.max(1, Math.ceil(docs / 100)) },
    },
  });
}

export function handleCountTokens(res: ServerResponse, body: Json) {
  const { model: _m, ...rest } = body;
  return sendJson(res, 200, { input_tokens: countPromptTokens(rest, String(body.model ?? '')) });
}
