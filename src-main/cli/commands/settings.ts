// `warden settings [--json]` and `warden settings set <key> <value>`: the settings a person can change
// (the Settings screen's). Settings that managed policy locks are refused with code `locked`, whether
// an engine runs (its API refuses) or not (the same check runs here against the managed policy file).
import type { Command } from 'commander';
import { Settings, SettingsPatch } from '../../../shared/settings.js';
import { SettingsStore } from '../../engine/config/settings.js';
import { WardenError } from '../../engine/errors.js';
import { managedFileView } from '../../engine/managed/load.js';
import { managedPolicyPath } from '../../engine/managed/locate.js';
import { assertSettingsChangeAllowed } from '../../engine/managed/locks.js';
import { dataDir, dataPaths } from '../../engine/paths.js';
import { EngineClient } from '../engineClient.js';
import { fail, printJson, table } from '../output.js';

const KEYS = Object.keys(Settings.shape) as Array<keyof Settings>;

function parseValue(key: string, raw: string): SettingsPatch {
  if (!KEYS.includes(key as keyof Settings)) throw new WardenError('bad_input', `Unknown setting \`${key}\`. Settings: ${KEYS.join(', ')}.`);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a plain string (theme names)
  }
  const parsed = SettingsPatch.safeParse({ [key]: value });
  if (!parsed.success) throw new WardenError('bad_input', `\`${raw}\` is not a valid value for ${key}: ${parsed.error.issues.map((i) => i.message).join('; ')}.`);
  return parsed.data;
}

export function registerSettingsCommands(program: Command): void {
  const settings = program
    .command('settings')
    .description('show or change settings (managed ones are locked)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      try {
        const engine = EngineClient.find();
        const current = engine ? await engine.call('settings.get', {}) : new SettingsStore(dataPaths(dataDir())).get();
        const locked = managedFileView(managedPolicyPath()).policy()?.settings ?? {};
        if (opts.json) return printJson(current);
        process.stdout.write(table([['SETTING', 'VALUE', ''], ...KEYS.map((k) => [k, JSON.stringify(current[k]), k in locked ? 'locked by managed policy' : ''])]));
      } catch (error) {
        fail(error);
      }
    });

  settings
    .command('set')
    .description('change one setting: `warden settings set approvalTimeoutSeconds 60`')
    .argument('<key>')
    .argument('<value>')
    .action(async (key: string, raw: string) => {
      try {
        const patch = parseValue(key, raw);
        const engine = EngineClient.find();
        let next: Settings;
        if (engine) next = await engine.call('settings.set', patch);
        else {
          assertSettingsChangeAllowed(managedFileView(managedPolicyPath()), patch);
          next = new SettingsStore(dataPaths(dataDir())).set(patch);
        }
        process.stdout.write(`${key} = ${JSON.stringify(next[key as keyof Settings])}\n`);
      } catch (error) {
        fail(error);
      }
    });
}
