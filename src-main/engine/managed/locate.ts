// Where the managed policy file lives: a system path per OS that only an administrator can write.
// WARDEN_MANAGED_POLICY overrides it (tests, and fleets that keep it elsewhere).
import { join, win32 } from 'node:path';

export const MANAGED_ENV = 'WARDEN_MANAGED_POLICY';

export function systemManagedPolicyPath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'darwin') return join('/Library', 'Application Support', 'Warden', 'managed-policy.json');
  if (platform === 'win32') return win32.join(env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData', 'Warden', 'managed-policy.json');
  return '/etc/warden/managed-policy.json';
}

export function managedPolicyPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const override = env[MANAGED_ENV];
  return override && override.trim() ? override : systemManagedPolicyPath(platform, env);
}
