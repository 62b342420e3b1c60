/**
 * @module mock-upstream/bedrock-routes
 * Bedrock runtime (POST /model/{modelId}/converse | converse-stream | invoke), shaped after the API
 * reference (API_runtime_Converse, API_runtime_ConverseStream, Titan / Cohere Embed InvokeModel bodies):
 *   - validates like Converse: alternating user/assistant turns starting with user, non-empty text
 *     blocks, known top-level and inferenceConfig fields, a toolConfig when toolUse/toolResult appear;
 *   - a cross-region inference profile must match the signing region's geography (`us.` from us-*,
 *     `eu.` from eu-*, `apac.` from ap-*, `global.` anywhere), else 400 ValidationException;
 *   - prompt caching: content before the last cachePoint (≥ 1024 tokens, Claude's minimum) is written
 *     to the cache on first sight (cacheWriteInputTokens) and read afterwards (cacheReadInputTokens);
 *     `inputTokens` excludes both, as Bedrock reports it;
 *   - ConverseStream answers real event-stream frames (messageStart, contentBlockStart/Delta/Stop,
 *     messageStop, metadata) with Bedrock's `p` padding; `stream-error` sends a
 *     modelStreamErrorException frame, `truncate-frame` ends the body halfway through a frame.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { embeddingInputs, fakeEmbedding } from '../providers/mock/mock-content.js';
import { isRecord, type Json, rec } from '../providers/shared/json.js';
import { countTextTokens } from '../providers/token-count.js';
import type { MockAwsState } from './aws-auth.js';
import { awsErrorTypeFor, type FramePlan, padded, sendAwsError, sendEventStream } from './aws-reply.js';
import { sendJson } from './http-util.js';
import { planReply, type Reply } from './reply.js';
import type { Switches } from './switches.js';

export type BedrockAction = 'converse' | 'converse-stream' | 'invoke' | 'invoke-with-response-stream';

export function bedrockRoute(path: string): { modelId: string; action: BedrockAction } | undefined {
  const m = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/.exec(path);
  return m ? { modelId: decodeURIComponent(m[1]), action: m[2] as BedrockAction } : undefined;
}

const TOP_LEVEL = new Set([
  'messages',
  'system',
  'inferenceConfig',
  'toolConfig',
  'additionalModelRequestFields',
  'guardrailConfig',
  'performanceConfig',
  'requestMetadata',
  'promptVariables',
  'additionalModelResponseFieldPaths',
  'serviceTier',
]);
const INFERENCE = new Set(['maxTokens', 'temperature', 'topP', 'stopSequences']);
const BLOCKS = new Set([
  'text',
  'image',
  'document',
  'video',
  'toolUse',
  'toolResult',
  'cachePoint',
  'reasoningContent',
  'guardContent',
]);
const CACHE_MIN_TOKENS = 1024;

const GEOGRAPHY: Record<string, (region: string) => boolean> = {
  us: (r) => r.startsWith('us-') && !r.startsWith('us-gov-'),
  'us-gov': (r) => r.startsWith('us-gov-'),
  eu: (r) => r.startsWith('eu-'),
  apac: (r) => r.startsWith('ap-'),
  jp: (r) => r === 'ap-northeast-1' || r === 'ap-northeast-3',
  au: (r) => r === 'ap-southeast-2' || r === 'ap-southeast-4',
  ca: (r) => r.startsWith('ca-'),
  global: () => true,
};

/** Why a model id cannot be called from a region, or undefined when it can. */
export function regionProblem(modelId: string, region: string): string | undefined {
  const id = modelId.startsWith('arn:') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
  if (!/^[a-z0-9-]+\.[a-z0-9.:-]+$/i.test(id)) return 'The provided model identifier is invalid.';
  const prefix = id.slice(0, id.indexOf('.'));
  const geo = GEOGRAPHY[prefix];
  if (geo && !geo(region)) return 'The provided model identifier is invalid.';
  return undefined;
}

function validationError(message: string): { status: number; type: string; message: string } {
  return { status: 400, type: 'ValidationException', message };
}

function validateConverse(body: Json): { status: number; type: string; message: string } | undefined {
  for (const k of Object.keys(body)) {
    if (!TOP_LEVEL.has(k))
      return validationError(
        `Malformed input request: extraneous key [${k}] is not permitted, please reformat your input and try again.`,
      );
  }
  for (const k of Object.keys(rec(body.inferenceConfig))) {
    if (!INFERENCE.has(k))
      return validationError(
        `Malformed input request: extraneous key [${k}] is not permitted in inferenceConfig.`,
      );
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0)
    return validationError(
      'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
    );
  let toolBlocks = false;
  for (let i = 0; i < messages.length; i++) {
    const m = rec(messages[i]);
    const expected = i % 2 === 0 ? 'user' : 'assistant';
    if (m.role !== expected) {
      return validationError(
        i === 0
          ? 'A conversation must start with a user message. Try again with a conversation that starts with a user message.'
          : 'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
      );
    }
    if (!Array.isArray(m.content) || m.content.length === 0)
      return validationError(
        `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`,
      );
    for (let j = 0; j < m.content.length; j++) {
      const block = rec(m.content[j]);
      const keys = Object.keys(block);
      if (keys.length !== 1 || !BLOCKS.has(keys[0]))
        return validationError(
          `Malformed input request: messages.${i}.content.${j} must hold exactly one known content block.`,
        );
      if (keys[0] === 'text' && (typeof block.text !== 'string' || block.text.trim() === '')) {
        return validationError(
          `The text field in the ContentBlock object at messages.${i}.content.${j} is blank. Add text to the text field, and try again.`,
        );
      }
      if (keys[0] === 'toolUse' || keys[0] === 'toolResult') toolBlocks = true;
    }
  }
  if (toolBlocks && !isRecord(body.toolConfig)) {
    return validationError(
      'The toolConfig field must be defined when using toolUse and toolResult content blocks.',
    );
  }
  return undefined;
}

/** Text of a block for token counting (non-text blocks as their JSON). */
function blockText(b: Json): string {
  if (typeof b.text === 'string') return b.text;
  if (isRecord(b.cachePoint)) return '';
  return JSON.stringify(b);
}

/** Tokens before the last cachePoint (system first, then messages), and the prefix text. */
function cachedPrefix(body: Json, model: string): { tokens: number; text: string } {
  const blocks: Json[] = [];
  for (const b of Array.isArray(body.system) ? body.system : []) if (isRecord(b)) blocks.push(b);
  for (const m of Array.isArray(body.messages) ? body.messages : [])
    for (const b of Array.isArray(rec(m).content) ? (rec(m).content as unknown[]) : [])
      if (isRecord(b)) blocks.push(b);
  let last = -1;
  blocks.forEach((b, i) => {
    if (isRecord(b.cachePoint)) last = i;
  });
  if (last < 0) return { tokens: 0, text: '' };
  const text = blocks.slice(0, last).map(blockText).join('\n');
  return { tokens: countTextTokens(text, model), text };
}

/** The Converse body seen as an OpenAI chat body, for the shared reply planner. */
function asChatBody(body: Json): Json {
  const messages: Json[] = [];
  for (const b of Array.isArray(body.system) ? body.system : [])
    if (isRecord(b) && typeof b.text === 'string') messages.push({ role: 'system', content: b.text });
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    const msg = rec(m);
    const parts = (Array.isArray(msg.content) ? msg.content : [])
      .filter(isRecord)
      .map((b) => (typeof b.text === 'string' ? { type: 'text', text: b.text } : { type: 'other' }));
    messages.push({ role: msg.role, content: parts });
  }
  const tc = rec(body.toolConfig);
  const tools = (Array.isArray(tc.tools) ? tc.tools : [])
    .filter((t) => isRecord(t) && isRecord(t.toolSpec))
    .map((t) => {
      const spec = rec(rec(t).toolSpec);
      return { type: 'function', function: { name: spec.name, parameters: rec(spec.inputSchema).json } };
    });
  const choice = rec(tc.toolChoice);
  const toolChoice = isRecord(choice.any)
    ? 'required'
    : isRecord(choice.tool)
      ? { type: 'function', function: { name: choice.tool.name } }
      : undefined;
  return { messages, tools: tools.length > 0 ? tools : undefined, tool_choice: toolChoice };
}

interface BedrockUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

function usageFor(r: Reply, body: Json, model: string, state: MockAwsState): BedrockUsage {
  const prefix = cachedPrefix(body, model);
  let cacheRead = r.cacheRead;
  let cacheWrite = r.cacheWrite;
  let prefixTokens = 0;
  if (prefix.tokens >= CACHE_MIN_TOKENS) {
    prefixTokens = prefix.tokens;
    const key = createHash('sha256').update(`${model}\n${prefix.text}`).digest('hex');
    if (state.promptCache.has(key)) cacheRead += prefix.tokens;
    else {
      state.promptCache.add(key);
      cacheWrite += prefix.tokens;
    }
  }
  const input = Math.max(1, r.freshPromptTokens - prefixTokens);
  const u: BedrockUsage = {
    inputTokens: input,
    outputTokens: r.completionTokens,
    totalTokens: input + cacheRead + cacheWrite + r.completionTokens,
  };
  if (cacheRead > 0) u.cacheReadInputTokens = cacheRead;
  if (cacheWrite > 0) u.cacheWriteInputTokens = cacheWrite;
  return u;
}

function contentOf(r: Reply): Json[] {
  const content: Json[] = [];
  if (r.reasoning > 0)
    content.push({
      reasoningContent: { reasoningText: { text: 'Let me think about this.', signature: 'mock-signature' } },
    });
  content.push({ text: r.text });
  if (r.toolCall)
    content.push({ toolUse: { toolUseId: r.toolCall.id, name: r.toolCall.name, input: r.toolCall.args } });
  return content;
}

function streamFrames(r: Reply, usage: BedrockUsage, sw: Switches): FramePlan[] {
  const ev = (eventType: string, payload: Json): FramePlan => ({
    body: padded(payload),
    opts: { eventType, contentType: 'application/json' },
  });
  const frames: FramePlan[] = [ev('messageStart', { role: 'assistant' })];
  let index = 0;
  if (r.reasoning > 0) {
    frames.push(
      ev('contentBlockDelta', {
        contentBlockIndex: index,
        delta: { reasoningContent: { text: 'Let me think about this.' } },
      }),
    );
    frames.push(
      ev('contentBlockDelta', {
        contentBlockIndex: index,
        delta: { reasoningContent: { signature: 'mock-signature' } },
      }),
    );
    frames.push(ev('contentBlockStop', { contentBlockIndex: index }));
    index++;
  }
  r.pieces.forEach((p, i) => {
    frames.push(ev('contentBlockDelta', { contentBlockIndex: index, delta: { text: p } }));
    if (i === 0 && sw.streamError) {
      frames.push({
        body: JSON.stringify({
          message: 'The model stream failed (mock stream-error).',
          originalStatusCode: 500,
        }),
        opts: {
          messageType: 'exception',
          exceptionType: 'modelStreamErrorException',
          contentType: 'application/json',
        },
      });
    }
  });
  frames.push(ev('contentBlockStop', { contentBlockIndex: index }));
  if (r.toolCall) {
    index++;
    const args = JSON.stringify(r.toolCall.args);
    const cut = Math.ceil(args.length / 2);
    frames.push(
      ev('contentBlockStart', {
        contentBlockIndex: index,
        start: { toolUse: { toolUseId: r.toolCall.id, name: r.toolCall.name } },
      }),
    );
    frames.push(
      ev('contentBlockDelta', {
        contentBlockIndex: index,
        delta: { toolUse: { input: args.slice(0, cut) } },
      }),
    );
    frames.push(
      ev('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: args.slice(cut) } } }),
    );
    frames.push(ev('contentBlockStop', { contentBlockIndex: index }));
  }
  frames.push(ev('messageStop', { stopReason: r.toolCall ? 'tool_use' : 'end_turn' }));
  frames.push(ev('metadata', { usage, metrics: { latencyMs: 321 } }));
  return frames;
}

function invokeEmbedding(res: ServerResponse, modelId: string, body: Json) {
  if (/titan-embed/.test(modelId)) {
    if (typeof body.inputText !== 'string') {
      return sendAwsError(
        res,
        'bedrock',
        400,
        'ValidationException',
        'Malformed input request: #: required key [inputText] not found, please reformat your input and try again.',
      );
    }
    const dims = typeof body.dimensions === 'number' ? body.dimensions : 1024;
    return sendJson(res, 200, {
      embedding: fakeEmbedding(body.inputText, dims),
      embeddingsByType: { float: fakeEmbedding(body.inputText, dims) },
      inputTextTokenCount: countTextTokens(body.inputText),
    });
  }
  if (/cohere\.embed/.test(modelId)) {
    if (!Array.isArray(body.texts) || typeof body.input_type !== 'string') {
      return sendAwsError(
        res,
        'bedrock',
        400,
        'ValidationException',
        'Malformed input request: #: required key [input_type] not found, please reformat your input and try again.',
      );
    }
    const texts = embeddingInputs(body.texts);
    return sendJson(res, 200, {
      embeddings: texts.map((t) => fakeEmbedding(t, 1024)),
      id: 'mock-embed-id',
      response_type: 'embeddings_floats',
      texts,
    });
  }
  return sendAwsError(
    res,
    'bedrock',
    400,
    'ValidationException',
    'The provided model identifier is invalid.',
  );
}

export interface BedrockContext {
  res: ServerResponse;
  modelId: string;
  action: BedrockAction;
  region: string;
  body: Json;
  switches: Switches;
  state: MockAwsState;
}

export async function handleBedrock(c: BedrockContext): Promise<void> {
  const { res, modelId, action, body, switches: sw } = c;
  const regionIssue = regionProblem(modelId, c.region);
  if (regionIssue) return sendAwsError(res, 'bedrock', 400, 'ValidationException', regionIssue);
  if (sw.failStatus !== undefined) {
    const e = awsErrorTypeFor(sw.failStatus, 'bedrock');
    return sendAwsError(res, 'bedrock', sw.failStatus, e.type, e.message);
  }
  if (action === 'invoke' || action === 'invoke-with-response-stream')
    return invokeEmbedding(res, modelId, body);
  const invalid = validateConverse(body);
  if (invalid) return sendAwsError(res, 'bedrock', invalid.status, invalid.type, invalid.message);
  const r = planReply(asChatBody(body), modelId, sw, 'tooluse_');
  const usage = usageFor(r, body, modelId, c.state);
  if (action === 'converse') {
    return sendJson(res, 200, {
      output: { message: { role: 'assistant', content: contentOf(r) } },
      stopReason: r.toolCall ? 'tool_use' : 'end_turn',
      usage,
      metrics: { latencyMs: 321 },
    });
  }
  await sendEventStream(res, {
    frames: streamFrames(r, usage, sw),
    delayMs: sw.streamSlowMs,
    cutAfter: sw.cutAfter === undefined ? undefined : sw.cutAfter + 1,
    truncateLast: modelId.includes('truncate-frame'),
  });
}
