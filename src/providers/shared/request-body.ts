/**
 * @module providers/shared/request-body
 * Merging deployment defaults (`litellm_params` extras such as temperature) into a client body.
 */
import type { DeploymentConfig } from '../../config/types.js';

/** Client fields win over deployment defaults; `model` is always the upstream model. */
export function withDefaults(
  body: Record<string, unknown>,
  deployment: DeploymentConfig,
  model: string | undefined,
): Record<string, unknown> {
  const extra = deployment.extraParams;
  const out: Record<string, unknown> = {};
  for (const k in extra) if (extra[k] !== undefined) out[k] = extra[k];
  for (const k in body) if (body[k] !== undefined) out[k] = body[k];
  if (model === undefined) delete out.model;
  else out.model = model;
  return out;
}
