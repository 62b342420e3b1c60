/**
 * @module pricing/__fixtures__/mini-catalog
 * A small LiteLLM-schema catalog for unit tests (prices chosen to make arithmetic readable).
 */
import { type Catalog, parseCatalog } from '../catalog.js';

export const MINI = {
  'gpt-4o': {
    litellm_provider: 'openai',
    mode: 'chat',
    input_cost_per_token: 0.0000025,
    output_cost_per_token: 0.00001,
    cache_read_input_token_cost: 0.00000125,
    max_input_tokens: 128000,
    max_output_tokens: 16384,
  },
  'azure/gpt-4o': { litellm_provider: 'azure', mode: 'chat', input_cost_per_token: 0.0000025, output_cost_per_token: 0.00001 },
  'azure/gpt-4-1106-preview': { litellm_provider: 'azure', mode: 'chat', input_cost_per_token: 0.00001, output_cost_per_token: 0.00003 },
  'o3-mini': { litellm_provider: 'openai', mode: 'chat', input_cost_per_token: 0.0000011, output_cost_per_token: 0.0000044 },
  'claude-3-5-sonnet-20241022': {
    litellm_provider: 'anthropic',
    mode: 'chat',
    input_cost_per_token: 0.000003,
    output_cost_per_token: 0.000015,
    cache_creation_input_token_cost: 0.00000375,
    cache_read_input_token_cost: 0.0000003,
  },
  'tiered-200k': {
    litellm_provider: 'vertex_ai-language-models',
    mode: 'chat',
    input_cost_per_token: 0.000001,
    input_cost_per_token_above_200k_tokens: 0.000002,
    output_cost_per_token: 0.00001,
    output_cost_per_token_above_200k_tokens: 0.000015,
    cache_read_input_token_cost: 1e-7,
    cache_read_input_token_cost_above_200k_tokens: 2e-7,
  },
  'tiered-128k': {
    litellm_provider: 'vertex_ai-language-models',
    mode: 'chat',
    input_cost_per_token: 0.000001,
    input_cost_per_token_above_128k_tokens: 0.000002,
    output_cost_per_token: 0.000004,
  },
  'dashscope/qwen-tiers': {
    litellm_provider: 'dashscope',
    mode: 'chat',
    tiered_pricing: [
      { input_cost_per_token: 5e-8, output_cost_per_token: 4e-7, range: [0, 256000] },
      { input_cost_per_token: 2.5e-7, output_cost_per_token: 0.000002, range: [256000, 1000000] },
    ],
  },
  'reasoner': {
    litellm_provider: 'openai',
    mode: 'chat',
    input_cost_per_token: 0.000001,
    output_cost_per_token: 0.000002,
    output_cost_per_reasoning_token: 0.000003,
    input_cost_per_audio_token: 0.00001,
    output_cost_per_audio_token: 0.00002,
  },
  'anthropic.claude-3-5-sonnet-20241022-v2:0': { litellm_provider: 'bedrock', mode: 'chat', input_cost_per_token: 0.000003, output_cost_per_token: 0.000015 },
  'us.anthropic.claude-3-5-sonnet-20241022-v2:0': { litellm_provider: 'bedrock', mode: 'chat', input_cost_per_token: 0.0000033, output_cost_per_token: 0.0000165 },
  'bedrock/us-gov-east-1/anthropic.claude-3-5-sonnet-20241022-v2:0': { litellm_provider: 'bedrock', mode: 'chat', input_cost_per_token: 0.0000036, output_cost_per_token: 0.000018 },
  'deepseek-chat': { litellm_provider: 'deepseek', mode: 'chat', input_cost_per_token: 2.7e-7, output_cost_per_token: 0.0000011, input_cost_per_token_cache_hit: 7e-8 },
  'text-embedding-3-small': { litellm_provider: 'openai', mode: 'embedding', input_cost_per_token: 2e-8, output_cost_per_token: 0 },
  'whisper-1': { litellm_provider: 'openai', mode: 'audio_transcription', input_cost_per_second: 0.0001, output_cost_per_second: 0.0001 },
  'veo': { litellm_provider: 'gemini', mode: 'video_generation', output_cost_per_second: 0.35 },
  'rerank-v3.5': { litellm_provider: 'cohere', mode: 'rerank', input_cost_per_query: 0.002, input_cost_per_token: 0, output_cost_per_token: 0 },
  'standard/1024-x-1024/dall-e-3': { litellm_provider: 'openai', mode: 'image_generation', input_cost_per_pixel: 3.81469e-8, output_cost_per_pixel: 0 },
  'hd/1024-x-1024/dall-e-3': { litellm_provider: 'openai', mode: 'image_generation', input_cost_per_pixel: 7.629e-8, output_cost_per_pixel: 0 },
  'azure/hd/1024-x-1024/dall-e-3': { litellm_provider: 'azure', mode: 'image_generation', input_cost_per_pixel: 8e-8, output_cost_per_token: 0 },
  '1024-x-1024/dall-e-2': { litellm_provider: 'openai', mode: 'image_generation', input_cost_per_pixel: 1.9e-8, output_cost_per_pixel: 0 },
  'amazon.titan-image-generator-v1': {
    litellm_provider: 'bedrock',
    mode: 'image_generation',
    input_cost_per_image: 0,
    output_cost_per_image: 0.008,
    output_cost_per_image_premium_image: 0.01,
    output_cost_per_image_above_512_and_512_pixels: 0.01,
    output_cost_per_image_above_512_and_512_pixels_and_premium_image: 0.012,
  },
  'recraft/recraftv3': { litellm_provider: 'recraft', mode: 'image_generation', output_cost_per_image: 0.04 },
  'ollama/llama3.2': { litellm_provider: 'ollama', mode: 'chat', input_cost_per_token: 0, output_cost_per_token: 0 },
} as const;

export function miniCatalog(): Catalog {
  return parseCatalog(JSON.parse(JSON.stringify(MINI)), { source: 'test:mini', snapshot: '2025-01-01' }).catalog;
}
