/**
 * @module providers/openai-compatible/openai-media
 * OpenAI-format endpoints beyond chat/completions/embeddings/image generations: audio transcriptions
 * and translations and image edits/variations (multipart, the upload streamed from disk), text to speech
 * (the audio streamed back, priced up front by its characters), moderations and rerank (Cohere/Jina
 * shape). Each parses the upstream's usage into Usage; see the usage readers in ../shared/media-usage.ts.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { emptyUsage } from '../../pricing/usage.js';
import { isRecord, type Json } from '../shared/json.js';
import { rerankUsage, speechUsage, transcriptionUsage } from '../shared/media-usage.js';
import { type FormFields, multipartBody } from '../shared/multipart-body.js';
import { withDefaults } from '../shared/request-body.js';
import { countPromptTokens } from '../token-count.js';
import type {
  CallInput,
  CallType,
  EndpointHandler,
  StreamDecoder,
  UploadedFile,
  UpstreamReply,
  UpstreamRequest,
} from '../types.js';
import { type OpenAiTarget, parseOpenAiResponse } from './openai-endpoints.js';

export type MediaCallType =
  | 'transcription'
  | 'translation'
  | 'speech'
  | 'image_edit'
  | 'image_variation'
  | 'moderation'
  | 'rerank';

export const MEDIA_PATHS: Readonly<Record<MediaCallType, string>> = {
  transcription: '/audio/transcriptions',
  translation: '/audio/translations',
  speech: '/audio/speech',
  image_edit: '/images/edits',
  image_variation: '/images/variations',
  moderation: '/moderations',
  rerank: '/rerank',
};

type Target = (d: DeploymentConfig, path: string) => OpenAiTarget;

/** The uploaded files of a multipart call (put in `body.files` by the HTTP layer). */
export function filesOf(body: Json): UploadedFile[] {
  return Array.isArray(body.files) ? (body.files as UploadedFile[]) : [];
}

/** The form fields to forward: everything but the files, with the upstream's model (if any). */
function formFields(input: CallInput, model: string | undefined): FormFields {
  const out: FormFields = {};
  const merged = withDefaults(input.body, input.deployment, model);
  for (const [k, v] of Object.entries(merged)) {
    if (k === 'files' || v === undefined || v === null) continue;
    if (Array.isArray(v)) out[k] = v.map(String);
    else out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

function multipartRequest(
  target: OpenAiTarget,
  input: CallInput,
  model: string | undefined,
): UpstreamRequest {
  const mp = multipartBody(formFields(input, model), filesOf(input.body));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(target.headers)) if (k !== 'content-type') headers[k] = v;
  headers['content-type'] = mp.contentType;
  headers['content-length'] = String(mp.contentLength);
  return { url: target.url, method: 'POST', headers, body: mp.body };
}

function jsonRequest(target: OpenAiTarget, input: CallInput, model: string | undefined): UpstreamRequest {
  return {
    url: target.url,
    method: 'POST',
    headers: target.headers,
    body: JSON.stringify(withDefaults(input.body, input.deployment, model)),
  };
}

const AUDIO_TYPES: Readonly<Record<string, string>> = {
  mp3: 'audio/mpeg',
  opus: 'audio/opus',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

function header(reply: UpstreamReply | undefined, name: string): string | undefined {
  const v = reply?.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Speech: the upstream's audio bytes forwarded as they come; the cost is known from the input text. */
function speechDecoder(input: CallInput, reply: UpstreamReply | undefined): StreamDecoder {
  const format = typeof input.body.response_format === 'string' ? input.body.response_format : 'mp3';
  const usage = speechUsage(input.body, input.deployment.upstreamModel);
  return {
    contentType: header(reply, 'content-type') ?? AUDIO_TYPES[format] ?? 'application/octet-stream',
    knownUsage: usage,
    push: (bytes) => bytes,
    end: () => ({ usage: { ...usage }, rawUsage: null, text: '', error: null }),
    finalize: () => '',
  };
}

export function openAiMediaEndpoints(
  target: Target,
  model: (d: DeploymentConfig) => string | undefined,
  callTypes: readonly MediaCallType[],
): Partial<Record<CallType, EndpointHandler>> {
  const make = (callType: MediaCallType): EndpointHandler => {
    const t = (input: CallInput) => target(input.deployment, MEDIA_PATHS[callType]);
    switch (callType) {
      case 'transcription':
      case 'translation':
        return {
          build: (input) => multipartRequest(t(input), input, model(input.deployment)),
          readsText: true,
          parse(json, raw, input) {
            const body: Json = isRecord(json) ? json : { text: raw };
            const { usage, rawUsage } = transcriptionUsage(json, filesOf(input.body));
            return {
              body,
              text: raw,
              contentType: isRecord(json) ? 'application/json' : 'text/plain; charset=utf-8',
              usage,
              rawUsage,
            };
          },
        };
      case 'image_edit':
      case 'image_variation':
        return {
          build: (input) => multipartRequest(t(input), input, model(input.deployment)),
          parse: (json, raw, input) => parseOpenAiResponse('image_generation', json, raw, input),
        };
      case 'speech':
        return {
          build: (input) => jsonRequest(t(input), input, model(input.deployment)),
          parse: (json, raw, input) => ({
            body: isRecord(json) ? json : {},
            text: raw,
            usage: speechUsage(input.body, input.deployment.upstreamModel),
            rawUsage: null,
          }),
          decoder: speechDecoder,
        };
      case 'moderation':
        return {
          build: (input) => jsonRequest(t(input), input, model(input.deployment)),
          parse(json, raw, input) {
            // Moderations report no usage: the input is counted by the gateway (and flagged as such).
            const usage = emptyUsage();
            usage.inputTokens = countPromptTokens(
              { input: input.body.input },
              input.deployment.upstreamModel,
            );
            usage.estimated = true;
            return { body: isRecord(json) ? json : {}, text: raw, usage, rawUsage: null };
          },
        };
      case 'rerank':
        return {
          build: (input) => jsonRequest(t(input), input, model(input.deployment)),
          parse(json, raw) {
            const body: Json = isRecord(json) ? json : {};
            const r = rerankUsage(body);
            return { body, text: raw, usage: r.usage, rawUsage: r.rawUsage };
          },
        };
    }
  };
  const out: Partial<Record<CallType, EndpointHandler>> = {};
  for (const c of callTypes) out[c] = make(c);
  return out;
}
