/**
 * End-to-end: audio transcriptions/translations (multipart, a WAV generated here), text to speech,
 * image edits, moderations, rerank (Cohere and Jina shapes) and Anthropic count_tokens through the
 * gateway with the real clients, against the project's mock upstream. Each cost equals a hand
 * calculation written next to it, and each request leaves one spend row. Bad input: JSON on a multipart
 * route, an upload over the limit — clear errors, nothing sent upstream, no temporary file left.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentWav } from '../src/mock-upstream/media-routes.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const CONFIG = `
model_list:
  - model_name: whisper
    litellm_params: { model: openai/whisper-1, api_base: "{{MOCK}}/v1", api_key: sk-mock }
  - model_name: whisper-no-usage
    litellm_params: { model: openai/whisper-1-no-usage, api_base: "{{MOCK}}/v1", api_key: sk-mock }
    model_info: { base_model: whisper-1 }
  - model_name: transcribe
    litellm_params: { model: openai/gpt-4o-transcribe, api_base: "{{MOCK}}/v1", api_key: sk-mock }
  - model_name: azure-whisper
    litellm_params: { model: azure/my-whisper, api_base: "{{MOCK}}", api_key: azure-key }
    model_info: { base_model: azure/whisper-1 }
  - model_name: tts
    litellm_params: { model: openai/tts-1, api_base: "{{MOCK}}/v1", api_key: sk-mock }
  - model_name: image
    litellm_params: { model: openai/gpt-image-1, api_base: "{{MOCK}}/v1", api_key: sk-mock }
  - model_name: moderation
    litellm_params: { model: openai/omni-moderation-latest, api_base: "{{MOCK}}/v1", api_key: sk-mock }
  - model_name: cohere-rerank
    litellm_params: { model: cohere/rerank-english-v3.0, api_base: "{{MOCK}}", api_key: co-mock }
  - model_name: jina-rerank
    litellm_params: { model: jina_ai/jina-reranker-v2-base-multilingual, api_base: "{{MOCK}}/v1", api_key: jina-mock }
  - model_name: claude
    litellm_params: { model: anthropic/claude-3-5-sonnet-20241022, api_base: "{{MOCK}}", api_key: sk-ant-mock }
general_settings:
  master_key: sk-1234
  max_request_body_bytes: 200000
`;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway(CONFIG);
});
afterAll(async () => {
  await t?.close();
});

const client = () => new OpenAI({ apiKey: 'sk-1234', baseURL: `${t.url}/v1`, maxRetries: 0 });
/** 1.5 s of silence: 8 kHz, 8-bit mono, 12 044 bytes. */
const wav = () => toFile(silentWav(1500), 'speech.wav', { type: 'audio/wav' });

async function spendRow(requestId: string | null): Promise<Record<string, unknown>> {
  await t.gw.ledger.flush();
  const r = await fetch(`${t.url}/spend/logs?request_id=${requestId}`, {
    headers: { authorization: 'Bearer sk-1234' },
  });
  const body = (await r.json()) as unknown;
  const rows = (Array.isArray(body) ? body : [body]) as Record<string, unknown>[];
  expect(rows).toHaveLength(1);
  return rows[0];
}

/** Exact decimal of `units` × 10^-scale, shortest form (no float anywhere). */
function decimal(units: bigint, scale: number): string {
  const padded = units.toString().padStart(scale + 1, '0');
  const frac = padded.slice(-scale).replace(/0+$/, '');
  return `${padded.slice(0, -scale)}${frac ? `.${frac}` : ''}`;
}

function uploadDirs(): number {
  return readdirSync(tmpdir()).filter((n) => n.startsWith('tollgate-upload-')).length;
}

describe('audio transcriptions and translations', () => {
  it('whisper json: billed by the upstream usage.seconds (2 s × 0.0001 = 0.0002)', async () => {
    const { data, response } = await client()
      .audio.transcriptions.create({ file: await wav(), model: 'whisper' })
      .withResponse();
    expect(data.text).toBe('Hello from the mock transcription.');
    expect(response.headers.get('x-litellm-response-cost')).toBe('0.0002');
    const row = await spendRow(response.headers.get('x-tollgate-request-id'));
    expect(row.call_type).toBe('transcription');
    expect(String(row.spend)).toBe('0.0002');
    // The file reached the upstream as multipart, with the upstream model name.
    const seen = t.mock.requests.at(-1)!;
    expect(seen.body).toMatchObject({
      model: 'whisper-1',
      files: [{ field: 'file', name: 'speech.wav', size: 12044 }],
    });
  });

  it('without upstream usage: verbose_json duration, else the file read with music-metadata (1.5 s × 0.0001 = 0.00015)', async () => {
    const verbose = await client()
      .audio.transcriptions.create({
        file: await wav(),
        model: 'whisper-no-usage',
        response_format: 'verbose_json',
      })
      .withResponse();
    expect(verbose.data.duration).toBe(1.5);
    expect(verbose.response.headers.get('x-litellm-response-cost')).toBe('0.00015');
    const row = await spendRow(verbose.response.headers.get('x-tollgate-request-id'));
    expect(JSON.stringify(row)).toContain('audio duration from verbose_json duration');

    const text = await client()
      .audio.transcriptions.create({ file: await wav(), model: 'whisper-no-usage', response_format: 'text' })
      .withResponse();
    expect(String(text.data).trim()).toBe('Hello from the mock transcription.');
    expect(text.response.headers.get('content-type')).toContain('text/plain');
    expect(text.response.headers.get('x-litellm-response-cost')).toBe('0.00015');
    const row2 = await spendRow(text.response.headers.get('x-tollgate-request-id'));
    expect(JSON.stringify(row2)).toContain('audio duration from the uploaded file (music-metadata)');
  });

  it('gpt-4o-transcribe: token usage (15 audio × 0.000006 + output × 0.00001)', async () => {
    const { data, response } = await client()
      .audio.transcriptions.create({ file: await wav(), model: 'transcribe' })
      .withResponse();
    const usage = (
      data as unknown as { usage: { input_token_details: { audio_tokens: number }; output_tokens: number } }
    ).usage;
    expect(usage.input_token_details.audio_tokens).toBe(15);
    // In 1e-6 USD: 15 × 6 + output × 10.
    const micros = 15n * 6n + BigInt(usage.output_tokens) * 10n;
    expect(response.headers.get('x-litellm-response-cost')).toBe(decimal(micros, 6));
  });

  it('translations and the Azure deployment path', async () => {
    const tr = await client()
      .audio.translations.create({ file: await wav(), model: 'whisper' })
      .withResponse();
    expect(tr.data.text).toBeTruthy();
    expect(tr.response.headers.get('x-litellm-response-cost')).toBe('0.0002');
    const form = new FormData();
    form.append('file', new Blob([silentWav(1500)], { type: 'audio/wav' }), 'a.wav');
    const r = await fetch(
      `${t.url}/openai/deployments/azure-whisper/audio/transcriptions?api-version=2024-06-01`,
      {
        method: 'POST',
        headers: { 'api-key': 'sk-1234' },
        body: form,
      },
    );
    expect(r.status).toBe(200);
    expect(r.headers.get('x-litellm-response-cost')).toBe('0.0002');
    expect(t.mock.requests.at(-1)!.path).toBe('/openai/deployments/my-whisper/audio/transcriptions');
  });

  it('bad input: JSON on a multipart route, an upload over the limit — clear errors, nothing sent, no file left', async () => {
    const before = t.mock.requests.length;
    const json = await fetch(`${t.url}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'whisper', file: 'not a file' }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: { message: string } }).error.message).toContain(
      'multipart/form-data',
    );
    const big = new FormData();
    big.append('model', 'whisper');
    big.append('file', new Blob([silentWav(30_000)], { type: 'audio/wav' }), 'long.wav');
    const r = await fetch(`${t.url}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-1234' },
      body: big,
    });
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({
      error: { code: 'request_too_large', tollgate_code: 'TG_ERR_BODY_TOO_LARGE' },
    });
    const noFile = new FormData();
    noFile.append('model', 'whisper');
    const missing = await fetch(`${t.url}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-1234' },
      body: noFile,
    });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { param: string } }).error.param).toBe('file');
    // A multipart body cut off in the middle of the file.
    const cut = await fetch(`${t.url}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-1234', 'content-type': 'multipart/form-data; boundary=XyZ' },
      body: '--XyZ\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\nRIFF',
    });
    expect(cut.status).toBe(400);
    expect(((await cut.json()) as { error: { message: string } }).error.message).toContain('multipart');
    expect(t.mock.requests.length).toBe(before);
    expect(uploadDirs()).toBe(0);
  });
});

describe('speech, images, moderations, rerank, count_tokens', () => {
  it('speech: audio streamed back; cost in the headers by characters (11 × 0.000015 = 0.000165)', async () => {
    const res = await client().audio.speech.create({
      model: 'tts',
      voice: 'alloy',
      input: 'Hello there',
      response_format: 'wav',
    });
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect(res.headers.get('x-litellm-response-cost')).toBe('0.000165');
    const audio = Buffer.from(await res.arrayBuffer());
    expect(audio.subarray(0, 4).toString()).toBe('RIFF');
    // 11 characters × 60 ms of 8 kHz mono audio, plus the 44-byte header.
    expect(audio.length).toBe(44 + 8 * 660);
    const row = await spendRow(res.headers.get('x-tollgate-request-id'));
    expect(row.call_type).toBe('speech');
    expect(String(row.spend)).toBe('0.000165');
  });

  it('image edit (multipart, gpt-image-1 high): 1024×1024 px × 0.000000159263611', async () => {
    const { data, response } = await client()
      .images.edit({
        model: 'image',
        image: await toFile(Buffer.from('iVBORw0KGgo=', 'base64'), 'in.png', { type: 'image/png' }),
        prompt: 'add a hat',
        quality: 'high',
      })
      .withResponse();
    expect(data.data?.[0].b64_json).toBeTruthy();
    // 1 048 576 px × 159 263 611 (in 1e-15 USD).
    expect(response.headers.get('x-litellm-response-cost')).toBe(decimal(1048576n * 159263611n, 15));
    const row = await spendRow(response.headers.get('x-tollgate-request-id'));
    expect(row.call_type).toBe('image_edit');
  });

  it('image variation (multipart): priced like a generation, default medium quality 1024×1024', async () => {
    const { response } = await client()
      .images.createVariation({
        model: 'image',
        image: await toFile(Buffer.from('iVBORw0KGgo=', 'base64'), 'in.png', { type: 'image/png' }),
      })
      .withResponse();
    // The mock answers quality "medium": 1 048 576 px × 40 054 321 (in 1e-15 USD).
    expect(response.headers.get('x-litellm-response-cost')).toBe(decimal(1048576n * 40054321n, 15));
    expect((await spendRow(response.headers.get('x-tollgate-request-id'))).call_type).toBe('image_variation');
  });

  it('moderation: logged at the catalog price of 0 (explicit), tokens counted', async () => {
    const { data, response } = await client()
      .moderations.create({ model: 'moderation', input: 'I will kill the process' })
      .withResponse();
    expect(data.results[0].flagged).toBe(true);
    expect(response.headers.get('x-litellm-response-cost')).toBe('0');
    const row = await spendRow(response.headers.get('x-tollgate-request-id'));
    expect(row.call_type).toBe('moderation');
    expect(Number(row.prompt_tokens)).toBeGreaterThan(0);
    expect(JSON.stringify(row)).toContain('input_cost_per_token');
  });

  it('rerank, Cohere shape: search units × input_cost_per_query (2 × 0.002 = 0.004 for 150 documents)', async () => {
    const documents = Array.from({ length: 150 }, (_, i) =>
      i === 7 ? 'the capital of France is Paris' : `doc ${i}`,
    );
    const r = await fetch(`${t.url}/v1/rerank`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'cohere-rerank', query: 'capital of France', documents, top_n: 1 }),
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as {
      results: Array<{ index: number }>;
      meta: { billed_units: { search_units: number } };
    };
    expect(body.results[0].index).toBe(7);
    expect(body.meta.billed_units.search_units).toBe(2);
    expect(r.headers.get('x-litellm-response-cost')).toBe('0.004');
    expect(t.mock.requests.at(-1)!.path).toBe('/v2/rerank');
    const row = await spendRow(r.headers.get('x-tollgate-request-id'));
    expect(row.call_type).toBe('rerank');
    expect(String(row.spend)).toBe('0.004');
  });

  it('rerank, Jina shape: tokens × 0.000000018', async () => {
    const r = await fetch(`${t.url}/rerank`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'jina-rerank', query: 'sea', documents: ['the sea', 'a hill'] }),
    });
    const body = (await r.json()) as { usage: { total_tokens: number } };
    // total_tokens × 18 (in 1e-9 USD).
    expect(r.headers.get('x-litellm-response-cost')).toBe(decimal(BigInt(body.usage.total_tokens) * 18n, 9));
  });

  it('Anthropic count_tokens: the count, logged free of charge with the count as raw usage', async () => {
    const anthropic = new Anthropic({ apiKey: 'sk-1234', baseURL: t.url, maxRetries: 0 });
    const { data, response } = await anthropic.messages
      .countTokens({ model: 'claude', messages: [{ role: 'user', content: 'count these words please' }] })
      .withResponse();
    expect(data.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-litellm-response-cost')).toBe('0');
    const row = await spendRow(response.headers.get('x-tollgate-request-id'));
    expect(row.call_type).toBe('count_tokens');
    expect(row.raw_usage).toEqual({ input_tokens: data.input_tokens });
  });
});
