/**
 * @module providers/sagemaker/sagemaker-tgi
 * The text-generation container format of `sagemaker/` endpoints (Hugging Face TGI, DJL/LMI):
 * `{"inputs": <prompt>, "parameters": {…}, "stream"?}` → `[{"generated_text": …}]` (or `{"generation"}`),
 * streamed as TGI SSE (`data:{"token":{"text":…}}`) or LMI JSON lines. Parameters are mapped as LiteLLM
 * maps them (max_tokens → max_new_tokens, n → best_of, temperature 0 → 0.01 unless
 * `aws_sagemaker_allow_zero_temp`); container-native parameters (top_k, repetition_penalty, details…) pass
 * through. The containers report no token usage: prompt and answer are counted with the tokenizer, as
 * LiteLLM does, and the usage is flagged estimated (TGI's `details.generated_tokens` is used when present).
 */
import type { DeploymentConfig } from '../../config/types.js';
import { GatewayError } from '../../errors.js';
import { emptyUsage, type Usage } from '../../pricing/usage.js';
import { newId, nowSeconds } from '../shared/ids.js';
import { arr, count, isRecord, type Json, rec, str, tryParse } from '../shared/json.js';
import { openAiClosingFrames, openAiErrorFrame } from '../shared/openai-frames.js';
import { usageToOpenAi } from '../shared/openai-usage.js';
import { createLineSplitter, sseData } from '../shared/sse.js';
import { malformedStreamError, upstreamStreamError } from '../shared/upstream-error.js';
import { countTextTokens } from '../token-count.js';
import type { CallInput, StreamDecoder, StreamFinal, StreamOutcome } from '../types.js';

/** OpenAI fields a TGI container has no use for (dropped, as LiteLLM drops unsupported params). */
const DROPPED = new Set([
  'model',
  'messages',
  'prompt',
  'echo',
  'suffix',
  'stream',
  'stream_options',
  'user',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'presence_penalty',
  'frequency_penalty',
  'reasoning_effort',
  'modalities',
  'audio',
  'prediction',
  'store',
  'service_tier',
  'metadata',
  'functions',
  'function_call',
  'aws_sagemaker_allow_zero_temp',
]);

/** TGI `parameters` for an OpenAI chat body (deployment defaults already merged). */
export function tgiParameters(body: Json, d: DeploymentConfig): Json {
  const params: Json = {};
  const allowZero =
    d.deploymentOptions?.aws_sagemaker_allow_zero_temp === true ||
    body.aws_sagemaker_allow_zero_temp === true;
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined || DROPPED.has(k)) continue;
    switch (k) {
      case 'temperature':
        // TGI rejects temperature 0 ("must be strictly positive").
        params.temperature = v === 0 && !allowZero ? 0.01 : v;
        break;
      case 'max_tokens':
        params.max_new_tokens = v === 0 ? 1 : v;
        break;
      case 'max_completion_tokens':
        params.max_new_tokens = v;
        break;
      case 'n':
        params.best_of = v;
        params.do_sample = true;
        break;
      case 'stop':
        params.stop = Array.isArray(v) ? v : [v];
        break;
      default:
        params[k] = v;
    }
  }
  return params;
}

export function tgiBody(prompt: string, params: Json, stream: boolean): Json {
  const out: Json = { inputs: prompt, parameters: params };
  if (stream) out.stream = true;
  return out;
}

function finishOf(reason: unknown): string {
  return reason === 'length' ? 'length' : 'stop';
}

/** Generated text (prompt echo removed as LiteLLM removes it), finish reason and generated token count. */
export function tgiOutput(
  json: unknown,
  prompt: string,
): { text: string; finish: string; generatedTokens?: number } {
  const first = Array.isArray(json) ? json[0] : json;
  const r = rec(first);
  let text = str(r.generation) ?? str(r.generated_text) ?? '';
  if (text.startsWith(prompt) && prompt.includes('<s>')) text = text.slice(prompt.length);
  const details = rec(r.details);
  const out: { text: string; finish: string; generatedTokens?: number } = {
    text,
    finish: finishOf(details.finish_reason),
  };
  if (typeof details.generated_tokens === 'number') out.generatedTokens = count(details.generated_tokens);
  return out;
}

/** Usage counted from the prompt and answer (the container reports none), flagged estimated. */
export function estimatedTgiUsage(
  prompt: string,
  text: string,
  model: string,
  generatedTokens?: number,
): Usage {
  const usage = emptyUsage();
  usage.inputTokens = countTextTokens(prompt, model);
  usage.outputTokens = generatedTokens ?? countTextTokens(text, model);
  usage.estimated = true;
  return usage;
}

/** The prompt of a completions body: TGI generates for one input at a time. */
export function completionPrompt(body: Json): string {
  const p = body.prompt;
  if (typeof p === 'string') return p;
  if (Array.isArray(p) && p.length === 1 && typeof p[0] === 'string') return p[0];
  throw new GatewayError(
    'TG_ERR_BAD_REQUEST',
    'SageMaker text generation takes one `prompt` string per request.',
    {
      param: 'prompt',
    },
  );
}

export function tgiToCompletion(text: string, finish: string, model: string, usage: Usage): Json {
  return {
    id: newId('cmpl-'),
    object: 'text_completion',
    created: nowSeconds(),
    model,
    choices: [{ index: 0, text, finish_reason: finish, logprobs: null }],
    usage: usageToOpenAi(usage),
  };
}

export function tgiToChat(text: string, finish: string, model: string, usage: Usage): Json {
  return {
    id: newId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model,
    choices: [
      { index: 0, message: { role: 'assistant', content: text }, finish_reason: finish, logprobs: null },
    ],
    usage: usageToOpenAi(usage),
  };
}

/** TGI SSE / LMI JSON-lines bytes → OpenAI chat.completion.chunk (or text_completion) SSE. */
export function createTgiStreamDecoder(
  input: CallInput,
  model: string,
  prompt: string,
  object: 'chat.completion.chunk' | 'text_completion' = 'chat.completion.chunk',
): StreamDecoder {
  const utf8 = new TextDecoder();
  const lines = createLineSplitter();
  const id = newId(object === 'text_completion' ? 'cmpl-' : 'chatcmpl-');
  const created = nowSeconds();
  let text = '';
  let sawTokens = false;
  let started = false;
  let finish: string | null = null;
  let generatedTokens: number | undefined;
  let error: GatewayError | null = null;
  let tail = '';

  const chunk = (delta: Json, fin: string | null = null): string => {
    const choice =
      object === 'text_completion'
        ? {
            index: 0,
            text: typeof delta.content === 'string' ? delta.content : '',
            finish_reason: fin,
            logprobs: null,
          }
        : { index: 0, delta, finish_reason: fin };
    return sseData(JSON.stringify({ id, object, created, model, choices: [choice] }));
  };

  const content = (t: string): string => {
    if (t === '') return '';
    text += t;
    const role = started || object === 'text_completion' ? {} : { role: 'assistant' };
    started = true;
    return chunk({ ...role, content: t });
  };

  const handle = (ls: string[]): string => {
    let out = '';
    for (let line of ls) {
      if (error) break;
      if (line.startsWith('data:')) line = line.slice(5).trim();
      if (line === '' || line === '[DONE]' || line.startsWith(':') || line.startsWith('event:')) continue;
      const ev = tryParse(line);
      if (!isRecord(ev)) {
        error = malformedStreamError(input, 'a container stream line that is not JSON');
        break;
      }
      if (ev.error !== undefined && ev.error !== null) {
        error = upstreamStreamError(input, {
          message: typeof ev.error === 'string' ? ev.error : JSON.stringify(ev.error),
        });
        break;
      }
      const token = rec(ev.token);
      if (typeof token.text === 'string' && token.special !== true) {
        sawTokens = true;
        out += content(token.text);
      } else if (!sawTokens) {
        // Containers that stream whole pieces: `generated_text` or LMI `outputs`.
        const piece =
          str(ev.generated_text) ??
          arr(ev.outputs)
            .filter((x) => typeof x === 'string')
            .join('');
        if (piece) out += content(piece);
      }
      const details = rec(ev.details);
      if (typeof details.generated_tokens === 'number') generatedTokens = count(details.generated_tokens);
      if (details.finish_reason !== undefined && finish === null) {
        finish = finishOf(details.finish_reason);
        out += chunk({}, finish);
      }
    }
    return out;
  };

  return {
    push: (bytes) => handle(lines.push(utf8.decode(bytes, { stream: true }))),
    end(): StreamOutcome {
      tail = handle(lines.push(utf8.decode()));
      tail += handle(lines.end());
      const usage = estimatedTgiUsage(prompt, text, model, generatedTokens);
      return { usage, rawUsage: null, responseModel: undefined, text, error };
    },
    finalize(final: StreamFinal) {
      if (final.error) return tail + openAiErrorFrame(final.error);
      const first = object === 'text_completion' || started ? {} : { role: 'assistant', content: '' };
      const closing = finish === null ? chunk(first, 'stop') : '';
      return tail + closing + openAiClosingFrames({ id, object, created, model, choices: [] }, null, final);
    },
  };
}
