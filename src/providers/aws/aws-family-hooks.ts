/**
 * @module providers/aws/aws-family-hooks
 * What every AWS family shares: its settings per deployment (read once), `authorize` = SigV4 with the
 * deployment's credentials (one signer per deployment; the credentials behind it are cached and refreshed
 * by aws-credentials), `classifyError` for AWS error bodies (dropping cached credentials AWS called
 * expired or invalid, so the next call fetches fresh ones), and `checkDeployment`.
 */
import type { SignatureV4 } from '@smithy/signature-v4';
import type { DeploymentConfig } from '../../config/types.js';
import type { ProviderFamily } from '../types.js';
import { awsCredentials } from './aws-credentials.js';
import { classifyAwsError } from './aws-error.js';
import { type AwsService, type AwsSettings, readAwsSettings } from './aws-settings.js';
import { createSigner, signAwsRequest } from './aws-sign.js';

export interface AwsHooks
  extends Required<Pick<ProviderFamily, 'authorize' | 'classifyError' | 'checkDeployment'>> {
  settings(d: DeploymentConfig): AwsSettings;
  /** The runtime endpoint calls go to (for spend rows and /model/info). */
  apiBase(d: DeploymentConfig): string;
}

/** `regionOf` reads a region written in the model name (Bedrock's `bedrock/<region>/<model>`). */
export function awsHooks(
  service: AwsService,
  regionOf?: (d: DeploymentConfig) => string | undefined,
): AwsHooks {
  const settingsCache = new WeakMap<DeploymentConfig, AwsSettings>();
  const signers = new WeakMap<DeploymentConfig, SignatureV4>();

  const settings = (d: DeploymentConfig): AwsSettings => {
    let s = settingsCache.get(d);
    if (!s) {
      s = readAwsSettings(d, service, regionOf?.(d));
      settingsCache.set(d, s);
    }
    return s;
  };

  const signer = (d: DeploymentConfig): SignatureV4 => {
    let s = signers.get(d);
    if (!s) {
      const cfg = settings(d);
      s = createSigner({ credentials: () => awsCredentials.get(d, cfg), region: cfg.region, service });
      signers.set(d, s);
    }
    return s;
  };

  return {
    settings,
    authorize: (req, d) => signAwsRequest(req, signer(d)),
    classifyError(status, bodyText, reply, input) {
      const err = classifyAwsError(status, bodyText, reply, input);
      if (err.code === 'TG_ERR_PROVIDER_CONFIG') awsCredentials.invalidate(input.deployment);
      return err;
    },
    checkDeployment: (d) => settings(d).problems,
    apiBase: (d) => settings(d).endpoint,
  };
}
