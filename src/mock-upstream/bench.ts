/**
 * @module mock-upstream/bench
 * Pre-serialised answers for the benchmark model `bench`: bytes built once at load, so the mock
 * spends no per-request JSON work and the benchmark measures the gateway, not the mock.
 */

const CREATED = 1_700_000_000;

export const BENCH_CHAT_BODY = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: CREATED,
    model: 'bench',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello from the mock upstream.', refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: 8,
      completion_tokens: 7,
      total_tokens: 15,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
    },
    system_fingerprint: 'fp_bench',
  }),
);

export const BENCH_CHAT_HEADERS = {
  'content-type': 'application/json',
  'content-length': String(BENCH_CHAT_BODY.length),
};

const chunk = (delta: object, finish: string | null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model: 'bench', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

export const BENCH_STREAM_BODY = Buffer.from(
  chunk({ role: 'assistant', content: '' }, null) +
    ['Hello', ' from', ' the', ' mock', ' upstream', '.'].map((t) => chunk({ content: t }, null)).join('') +
    chunk({}, 'stop') +
    `data: ${JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion.chunk',
      created: CREATED,
      model: 'bench',
      choices: [],
      usage: {
        prompt_tokens: 8,
        completion_tokens: 7,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    })}\n\n` +
    'data: [DONE]\n\n',
);

export const BENCH_STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

/** Cheap check on the raw body: model `bench` (as JSON.stringify writes it), and whether it streams. */
export function benchKind(raw: string): 'chat' | 'stream' | null {
  if (!raw.includes('"model":"bench"')) return null;
  return /"stream"\s*:\s*true/.test(raw) ? 'stream' : 'chat';
}
