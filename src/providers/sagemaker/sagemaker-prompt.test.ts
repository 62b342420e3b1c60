import { describe, expect, it } from 'vitest';
import { deployment } from '../test-support.js';
import { renderPrompt } from './sagemaker-prompt.js';

const convo = [
  { role: 'system', content: 'You are helpful.' },
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello!' },
  { role: 'user', content: [{ type: 'text', text: 'How are you?' }] },
];

describe('renderPrompt (LiteLLM sagemaker/ prompt rendering)', () => {
  it('llama-2 chat endpoints get the Llama-2 chat template (LiteLLM llama_2_chat_pt via custom_prompt)', () => {
    const d = deployment('sagemaker/berri-benchmarking-Llama-2-70b-chat-hf-4');
    // bos "<s>" opens the prompt; after the assistant turn "</s>" closes it and, as in LiteLLM's
    // custom_prompt, a "user" turn does not reopen it (only "system"/"human" do).
    expect(renderPrompt(d, convo)).toBe(
      '<s>[INST] <<SYS>>\nYou are helpful.\n<</SYS>>\n [/INST]\n[INST] Hi [/INST]\nHello!\n</s>[INST] How are you? [/INST]\n',
    );
  });

  it('other endpoints: the contents joined with spaces (LiteLLM default_pt), llama-2 base models too', () => {
    expect(renderPrompt(deployment('sagemaker/berri-benchmarking-gpt-j-6b-fp16'), convo)).toBe(
      'You are helpful. Hi Hello! How are you?',
    );
    expect(renderPrompt(deployment('sagemaker/my-llama-2-7b'), convo)).toBe(
      'You are helpful. Hi Hello! How are you?',
    );
    expect(renderPrompt(deployment('sagemaker/my-endpoint'), [{ role: 'user', content: 'hello' }])).toBe(
      'hello',
    );
  });

  it('hf_model_name picks the template (Llama-3 instruct, Mistral instruct)', () => {
    const llama3 = deployment('sagemaker/my-endpoint', {
      deploymentOptions: { hf_model_name: 'meta-llama/Meta-Llama-3-8B-Instruct' },
    });
    expect(renderPrompt(llama3, convo.slice(0, 2))).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
    const mistral = deployment('sagemaker/ep', {
      deploymentOptions: { hf_model_name: 'mistralai/Mistral-7B-Instruct-v0.2' },
    });
    expect(renderPrompt(mistral, convo)).toBe(
      '<s>[INST] You are helpful.\n\nHi [/INST]Hello!</s>[INST] How are you? [/INST]',
    );
  });

  it('a custom template from litellm_params (roles, initial/final prompt values, bos/eos)', () => {
    const d = deployment('sagemaker/ep', {
      deploymentOptions: {
        roles: {
          system: { pre_message: '<|im_start|>system\n', post_message: '<|im_end|>' },
          user: { pre_message: '<|im_start|>user\n', post_message: '<|im_end|>' },
          assistant: { pre_message: '<|im_start|>assistant\n', post_message: '<|im_end|>' },
        },
        initial_prompt_value: '\n',
        final_prompt_value: '\n<|im_start|>assistant\n',
        bos_token: '<s>',
        eos_token: '</s>',
      },
    });
    expect(renderPrompt(d, convo)).toBe(
      '<s>\n<|im_start|>system\nYou are helpful.<|im_end|><|im_start|>user\nHi<|im_end|><|im_start|>assistant\nHello!<|im_end|></s><|im_start|>user\nHow are you?<|im_end|>\n<|im_start|>assistant\n',
    );
  });
});
