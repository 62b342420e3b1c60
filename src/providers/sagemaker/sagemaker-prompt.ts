/**
 * @module providers/sagemaker/sagemaker-prompt
 * The chat → prompt rendering LiteLLM applies for `sagemaker/` text-generation endpoints
 * (litellm/llms/sagemaker/completion/transformation.py `_transform_prompt` and prompt_templates/factory.py):
 *   1. a custom template from litellm_params (`roles`, `initial_prompt_value`, `final_prompt_value`,
 *      `bos_token`, `eos_token`), rendered by LiteLLM's `custom_prompt`;
 *   2. else by `hf_model_name`, or the endpoint name: "llama-2" + "chat" → the Llama-2 chat template;
 *      Llama-3 and Mistral instruct → their Hub chat templates (LiteLLM renders those from the Hub);
 *   3. else LiteLLM's `default_pt`: the message contents joined with a space. (LiteLLM first tries to
 *      download the model's chat template from the Hugging Face Hub, which fails for endpoint names and
 *      lands here; the gateway never fetches on the request path.)
 * `custom_prompt` is reproduced as written, including that only `system`/`human` turns reopen the BOS token.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { isRecord, type Json } from '../shared/json.js';
import { contentText } from '../shared/messages.js';

interface RoleTemplate {
  pre_message?: string;
  post_message?: string;
}

export interface PromptTemplate {
  roles: Record<string, RoleTemplate>;
  initialPromptValue?: string;
  finalPromptValue?: string;
  bosToken?: string;
  eosToken?: string;
}

interface Turn {
  role: string;
  content: string;
}

/** LiteLLM's `custom_prompt`. */
export function customPrompt(t: PromptTemplate, messages: readonly Turn[]): string {
  const bos = t.bosToken ?? '';
  const eos = t.eosToken ?? '';
  let prompt = bos + (t.initialPromptValue ?? '');
  let bosOpen = true;
  for (const m of messages) {
    // As in LiteLLM: a BOS token opens again only before "system" or "human" turns.
    if ((m.role === 'system' || m.role === 'human') && !bosOpen) {
      prompt += bos;
      bosOpen = true;
    }
    const r = t.roles[m.role] ?? {};
    prompt += (r.pre_message ?? '') + m.content + (r.post_message ?? '');
    if (m.role === 'assistant') {
      prompt += eos;
      bosOpen = false;
    }
  }
  return prompt + (t.finalPromptValue ?? '');
}

/** LiteLLM's llama_2_chat_pt. */
export const LLAMA2_CHAT: PromptTemplate = {
  roles: {
    system: { pre_message: '[INST] <<SYS>>\n', post_message: '\n<</SYS>>\n [/INST]\n' },
    user: { pre_message: '[INST] ', post_message: ' [/INST]\n' },
    assistant: { post_message: '\n' },
  },
  bosToken: '<s>',
  eosToken: '</s>',
};

/**
 * The Mistral-Instruct chat template from the Hub (what LiteLLM renders for Mistral instruct models):
 * `<s>[INST] user [/INST]answer</s>[INST] …`; system messages go before the first user message.
 */
export function mistralInstruct(messages: readonly Turn[]): string {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content);
  let out = '<s>';
  let first = true;
  for (const m of messages) {
    if (m.role === 'system') continue;
    if (m.role === 'assistant') out += `${m.content}</s>`;
    else {
      const text = first && system.length > 0 ? `${system.join('\n\n')}\n\n${m.content}` : m.content;
      out += `[INST] ${text} [/INST]`;
      first = false;
    }
  }
  return out;
}

/** The Meta-Llama-3 instruct chat template with the generation prompt (what LiteLLM renders from the Hub). */
export function llama3Instruct(messages: readonly Turn[]): string {
  let out = '';
  messages.forEach((m, i) => {
    const turn = `<|start_header_id|>${m.role}<|end_header_id|>\n\n${m.content.trim()}<|eot_id|>`;
    out += i === 0 ? `<|begin_of_text|>${turn}` : turn;
  });
  return `${out}<|start_header_id|>assistant<|end_header_id|>\n\n`;
}

/** LiteLLM's default_pt. */
export function defaultPrompt(messages: readonly Turn[]): string {
  return messages.map((m) => m.content).join(' ');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A custom template from litellm_params, if the deployment sets `roles` (or the other template keys). */
export function deploymentTemplate(d: DeploymentConfig): PromptTemplate | undefined {
  const o = d.deploymentOptions ?? {};
  const roles = o.roles;
  const any = ['roles', 'initial_prompt_value', 'final_prompt_value', 'bos_token', 'eos_token'].some(
    (k) => o[k] !== undefined,
  );
  if (!any) return undefined;
  const parsedRoles: Record<string, RoleTemplate> = {};
  if (isRecord(roles)) {
    for (const [role, v] of Object.entries(roles)) {
      if (isRecord(v))
        parsedRoles[role] = { pre_message: str(v.pre_message), post_message: str(v.post_message) };
    }
  }
  return {
    roles: parsedRoles,
    initialPromptValue: str(o.initial_prompt_value),
    finalPromptValue: str(o.final_prompt_value),
    bosToken: str(o.bos_token),
    eosToken: str(o.eos_token),
  };
}

function turns(messages: unknown): Turn[] {
  return (Array.isArray(messages) ? messages : []).filter(isRecord).map((m: Json) => ({
    role: typeof m.role === 'string' ? m.role : 'user',
    content: contentText(m.content),
  }));
}

/** The prompt LiteLLM would send for these chat messages to this deployment. */
export function renderPrompt(d: DeploymentConfig, messages: unknown): string {
  const t = turns(messages);
  const custom = deploymentTemplate(d);
  if (custom) return customPrompt(custom, t);
  const hf = str(d.deploymentOptions?.hf_model_name);
  const name = (hf ?? d.upstreamModel).toLowerCase();
  if (hf === undefined && name.includes('llama-2')) {
    return name.includes('chat') ? customPrompt(LLAMA2_CHAT, t) : defaultPrompt(t);
  }
  if (name.includes('llama-2') && name.includes('chat')) return customPrompt(LLAMA2_CHAT, t);
  if ((name.includes('llama-3') || name.includes('llama3')) && name.includes('instruct'))
    return llama3Instruct(t);
  if (name.includes('mistral') && name.includes('instruct')) return mistralInstruct(t);
  return defaultPrompt(t);
}
