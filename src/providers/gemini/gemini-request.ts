/**
 * @module providers/gemini/gemini-request
 * OpenAI chat body → Gemini `GenerateContentRequest` (AI Studio and Vertex share it): contents and system
 * instruction (gemini-messages.ts), `generationConfig` from the sampling fields, `tools` /
 * `toolConfig` from tools and tool_choice, JSON mode and schemas from response_format, thinking from
 * reasoning_effort or an Anthropic-style `thinking` object. Gemini rejects unknown fields, so OpenAI-only
 * fields are dropped; Gemini's own fields (`safetySettings`, `cachedContent`, `labels`, `generationConfig`,
 * `toolConfig`, snake_case or camelCase) pass through.
 */
import { isRecord, type Json } from '../shared/json.js';
import { toGeminiContents } from './gemini-messages.js';
import { toGeminiSchema } from './gemini-schema.js';

/** reasoning_effort → thinking budget in tokens (LiteLLM's mapping; `none` turns thinking off). */
const THINKING_BUDGET: Record<string, number> = {
  none: 0,
  minimal: 128,
  low: 1024,
  medium: 2048,
  high: 4096,
};

/** Gemini request fields a client (or deployment default) may set directly, by either spelling. */
const NATIVE: ReadonlyArray<[string, string]> = [
  ['safety_settings', 'safetySettings'],
  ['safetySettings', 'safetySettings'],
  ['cached_content', 'cachedContent'],
  ['cachedContent', 'cachedContent'],
  ['labels', 'labels'],
  ['tool_config', 'toolConfig'],
  ['toolConfig', 'toolConfig'],
];

/** OpenAI sampling field → generationConfig field. */
const GENERATION: ReadonlyArray<[string, string]> = [
  ['temperature', 'temperature'],
  ['top_p', 'topP'],
  ['top_k', 'topK'],
  ['presence_penalty', 'presencePenalty'],
  ['frequency_penalty', 'frequencyPenalty'],
  ['seed', 'seed'],
  ['n', 'candidateCount'],
  ['top_logprobs', 'logprobs'],
  ['logprobs', 'responseLogprobs'],
];

function functionDeclaration(fn: Json): Json {
  const decl: Json = { name: fn.name };
  if (typeof fn.description === 'string') decl.description = fn.description;
  // A function without parameters has none in Gemini either (an empty object schema is rejected).
  if (isRecord(fn.parameters) && isRecord(fn.parameters.properties)) {
    if (Object.keys(fn.parameters.properties).length > 0) decl.parameters = toGeminiSchema(fn.parameters);
  }
  return decl;
}

/** OpenAI tools → Gemini tools: functions in one functionDeclarations tool; native tools as they are. */
function convertTools(tools: unknown): Json[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  const declarations: Json[] = [];
  const out: Json[] = [];
  for (const t of tools) {
    if (!isRecord(t)) continue;
    if (t.type === 'function' && isRecord(t.function)) declarations.push(functionDeclaration(t.function));
    else if (t.type === undefined) out.push(t); // Gemini-native tool: {googleSearch: {}}, {codeExecution: {}}…
  }
  if (declarations.length > 0) out.unshift({ functionDeclarations: declarations });
  return out.length > 0 ? out : undefined;
}

function convertToolChoice(choice: unknown): Json | undefined {
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (isRecord(choice)) {
    const name = isRecord(choice.function) ? choice.function.name : choice.name;
    if (typeof name === 'string')
      return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
  }
  return undefined;
}

function responseFormat(rf: unknown, config: Json): void {
  if (!isRecord(rf)) return;
  if (rf.type === 'json_object') config.responseMimeType = 'application/json';
  else if (rf.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    const js = isRecord(rf.json_schema) ? rf.json_schema : {};
    const schema = js.schema ?? rf.schema;
    if (isRecord(schema)) config.responseSchema = toGeminiSchema(schema);
  }
}

function thinking(body: Json, config: Json): void {
  let budget: number | undefined;
  if (isRecord(body.thinking)) {
    if (body.thinking.type === 'disabled') budget = 0;
    else if (typeof body.thinking.budget_tokens === 'number') budget = body.thinking.budget_tokens;
  } else if (typeof body.reasoning_effort === 'string') {
    budget = THINKING_BUDGET[body.reasoning_effort];
  }
  if (budget === undefined) return;
  config.thinkingConfig =
    budget === 0 ? { thinkingBudget: 0 } : { thinkingBudget: budget, includeThoughts: true };
}

/** The Gemini request for an OpenAI chat body (deployment defaults already merged into `body`). */
export function chatToGemini(body: Json): Json {
  const { systemInstruction, contents } = toGeminiContents(body.messages);
  const out: Json = { contents };
  if (systemInstruction) out.systemInstruction = systemInstruction;
  const config: Json = {};
  for (const [from, to] of GENERATION)
    if (body[from] !== undefined && body[from] !== null) config[to] = body[from];
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (typeof maxTokens === 'number') config.maxOutputTokens = maxTokens;
  if (body.stop !== undefined && body.stop !== null)
    config.stopSequences = Array.isArray(body.stop) ? body.stop : [body.stop];
  responseFormat(body.response_format, config);
  thinking(body, config);
  if (isRecord(body.generationConfig)) Object.assign(config, body.generationConfig);
  if (Object.keys(config).length > 0) out.generationConfig = config;
  const tools = convertTools(body.tools);
  if (tools) {
    out.tools = tools;
    const choice = convertToolChoice(body.tool_choice);
    if (choice) out.toolConfig = choice;
  }
  for (const [from, to] of NATIVE) if (body[from] !== undefined) out[to] = body[from];
  return out;
}
