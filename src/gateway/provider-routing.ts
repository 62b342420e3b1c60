/**
 * @module gateway/provider-routing
 * Which provider a deployment goes to, decided once at load as LiteLLM decides it: the `provider/` prefix or
 * custom_llm_provider when written; for a bare model name, the provider the price catalog names for it
 * (`claude-3-5-sonnet-20240620` → anthropic, bare `gemini-…` → vertex_ai, `gpt-4o` → openai), so a key is never
 * dialled at another provider's host. Also the hint that says how to fix an unsupported provider.
 */
import { splitModel } from '../config/deployment.js';
import type { DeploymentConfig } from '../config/types.js';
import type { Catalog } from '../pricing/index.js';
import { KNOWN_PROVIDERS } from '../providers/registry.js';
import { displayUrl } from './redact.js';

/** The catalog's `litellm_provider` → the model prefix LiteLLM routes it to. */
export function prefixForCatalogProvider(litellmProvider: string): string {
  if (litellmProvider.startsWith('vertex_ai')) return 'vertex_ai';
  if (litellmProvider === 'bedrock_converse') return 'bedrock';
  const dash = litellmProvider.indexOf('-');
  // `fireworks_ai-embedding-models` → fireworks_ai; `text-completion-openai` is a provider of its own.
  if (dash > 0 && litellmProvider !== 'text-completion-openai') return litellmProvider.slice(0, dash);
  return litellmProvider;
}

/**
 * The deployment with its provider resolved. A bare model (no prefix, no custom_llm_provider) that the catalog
 * knows goes to the catalog's provider; an unknown bare model stays OpenAI (LiteLLM's default for a bare name
 * with an api_base). Returns the same object when nothing changes.
 */
export function withRoutedProvider(d: DeploymentConfig, catalog: Catalog): DeploymentConfig {
  if (d.providerExplicit !== false) return d;
  const entry = catalog.get(d.model);
  const p = entry?.litellm_provider;
  if (typeof p !== 'string') return d;
  const provider = prefixForCatalogProvider(p);
  if (provider === d.provider) return d;
  return { ...d, provider, upstreamModel: splitModel(d.model, provider).upstreamModel };
}

function nearestProvider(p: string): string | undefined {
  const lower = p.toLowerCase();
  return KNOWN_PROVIDERS.find(
    (k) => k !== p && (lower.startsWith(k) || k.startsWith(lower) || lower.replace(/ai$/, '') === k),
  );
}

/** Why a provider has no wire format here and what the user can do about it (never "set api_base" blindly). */
export function unsupportedProviderReason(d: DeploymentConfig): string {
  const rest = d.upstreamModel || '<model>';
  const supported = `supported prefixes: ${[...KNOWN_PROVIDERS].sort().join(', ')}`;
  const near = nearestProvider(d.provider);
  const typo = near ? ` — did you mean "${near}/${rest}"?` : '';
  if (d.apiBase) {
    return `provider "${d.provider}" (model "${d.model}") is not supported by Tollgate${typo}. If ${displayUrl(d.apiBase) ?? 'its api_base'} speaks the OpenAI API, write model: openai/${rest} (keeping api_base); ${supported}`;
  }
  return `provider "${d.provider}" (model "${d.model}") is not supported by Tollgate${typo}. An OpenAI-compatible server works as model: openai/${rest} with api_base: <its URL>; ${supported}`;
}
