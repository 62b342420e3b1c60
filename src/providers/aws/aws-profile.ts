/**
 * @module providers/aws/aws-profile
 * Profiles of the AWS shared credentials and config files (`aws_profile_name`, AWS_PROFILE, `default`):
 * read with @smithy/core's shared-ini loader (AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE honoured,
 * credentials file over config file), plus a synchronous "is the profile there?" for load-time checks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { smithyConfig } from '../../lazy-modules.js';

export interface ProfileData {
  aws_access_key_id?: string;
  aws_secret_access_key?: string;
  aws_session_token?: string;
  region?: string;
  role_arn?: string;
  source_profile?: string;
  external_id?: string;
  role_session_name?: string;
}

function expandHome(p: string): string {
  return p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

export function credentialsFilePath(): string {
  return expandHome(process.env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials'));
}

export function configFilePath(): string {
  return expandHome(process.env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config'));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function hasSection(path: string, re: RegExp): boolean {
  if (!existsSync(path)) return false;
  try {
    return re.test(readFileSync(path, 'utf8'));
  } catch {
    return false;
  }
}

/** Whether a profile section exists (`[name]` in credentials; `[profile name]`, or `[default]`, in config). */
export function profileExists(name: string): boolean {
  const n = escapeRe(name);
  return (
    hasSection(credentialsFilePath(), new RegExp(`^\\s*\\[\\s*${n}\\s*\\]`, 'm')) ||
    hasSection(configFilePath(), new RegExp(`^\\s*\\[\\s*(?:profile\\s+)?${n}\\s*\\]`, 'm'))
  );
}

/** A profile's settings, credentials file over config file; undefined when neither has it. */
export async function loadProfile(name: string): Promise<ProfileData | undefined> {
  const files = await smithyConfig().loadSharedConfigFiles({
    filepath: credentialsFilePath(),
    configFilepath: configFilePath(),
    ignoreCache: true,
  });
  const fromConfig = files.configFile[name];
  const fromCredentials = files.credentialsFile[name];
  if (!fromConfig && !fromCredentials) return undefined;
  return { ...(fromConfig ?? {}), ...(fromCredentials ?? {}) } as ProfileData;
}
