// `warden settings [--json]` and `warden settings set <key> <value>`: the settings a person can change
// (the Settings screen's). Settings that managed policy locks are refused with code `locked`, whether
// an engine runs (its API refuses) or not (the same check runs here against the managed policy file).
import type { Command } from 'commander';
import { Settings, SettingsPatch } from '../../../shared/settings.js';
import type { SyslogDestination } from '../../../shared/syslog.js';
import { changeSettings, policyFileApprovals, readSettings, SettingsStore } from '../../engine/config/settings.js';
import { WardenError } from '../../engine/errors.js';
import { managedFileView } from '../../engine/managed/load.js';
import { managedPolicyPath } from '../../engine/managed/locate.js';
import { assertSettingsChangeAllowed } from '../../engine/managed/locks.js';
import { lockedSettingKeys, managedSettingsView } from '../../engine/managed/settings.js';
import { dataDir, dataPaths } from '../../engine/paths.js';
import { EngineClient } from '../engineClient.js';
import { fail, printJson, table } from '../output.js';

const KEYS = Object.keys(Settings.shape) as Array<keyof Settings>;
const DEFAULT_PORT = { udp: 514, tcp: 514, tls: 6514 } as const;

/**
 * `auditSyslog` values: `off`, or receivers as URLs separated by commas:
 * `tls://siem.example.com:6514?ca=/etc/warden/siem-ca.pem`, `tcp://10.0.0.5:514`, `udp://syslog:514`.
 * Query parameters: ca, cert, key, servername (tls), facility, app. JSON (an array of objects) works too.
 */
export function parseSyslogValue(raw: string): unknown {
  const text = raw.trim();
  if (text === '' || text === 'off' || text === 'none') return [];
  if (text.startsWith('[')) return JSON.parse(text) as unknown;
  return text.split(',').map((one): Partial<SyslogDestination> => {
    let url: URL;
    try {
      url = new URL(one.trim());
    } catch {
      throw new WardenError('bad_input', `\`${one}\` is not a syslog receiver. Write it as tls://host:6514, tcp://host:514 or udp://host:514 (or \`off\`).`);
    }
    const protocol = url.protocol.replace(/:$/, '');
    if (!(protocol in DEFAULT_PORT)) throw new WardenError('bad_input', `\`${one}\`: the protocol must be udp, tcp or tls, not ${protocol}.`);
    const q = url.searchParams;
    const known = new Set(['ca', 'cert', 'key', 'servername', 'facility', 'app']);
    for (const k of q.keys()) if (!known.has(k)) throw new WardenError('bad_input', `\`${one}\`: unknown parameter \`${k}\` (known: ${[...known].join(', ')}).`);
    return {
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port ? Number(url.port) : DEFAULT_PORT[protocol as keyof typeof DEFAULT_PORT],
      protocol: protocol as SyslogDestination['protocol'],
      ...(q.get('facility') !== null ? { facility: Number(q.get('facility')) } : {}),
      ...(q.get('app') ? { appName: q.get('app')! } : {}),
      ...(q.get('ca') ? { caFile: q.get('ca')! } : {}),
      ...(q.get('cert') ? { certFile: q.get('cert')! } : {}),
      ...(q.get('key') ? { keyFile: q.get('key')! } : {}),
      ...(q.get('servername') ? { serverName: q.get('servername')! } : {}),
    };
  });
}

function parseValue(key: string, raw: string): SettingsPatch {
  if (!KEYS.includes(key as keyof Settings)) throw new WardenError('bad_input', `Unknown setting \`${key}\`. Settings: ${KEYS.join(', ')}.`);
  let value: unknown = raw;
  if (key === 'auditSyslog') {
    try {
      value = parseSyslogValue(raw);
    } catch (error) {
      if (error instanceof WardenError) throw error;
      throw new WardenError('bad_input', `\`${raw}\` is not valid JSON: ${(error as Error).message}.`);
    }
  } else {
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string (theme names)
    }
  }
  const parsed = SettingsPatch.safeParse({ [key]: value });
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.slice(1).join('.') || key}: ${i.message}`).join('; ');
    throw new WardenError('bad_input', `\`${raw}\` is not a valid value for ${key}: ${why}.`);
  }
  return parsed.data;
}

const syslogText = (list: SyslogDestination[]) => (list.length ? list.map((d) => `${d.protocol}://${d.host}:${d.port}${d.caFile ? ` (ca ${d.caFile})` : ''}`).join(', ') : 'off');
const shown = (key: keyof Settings, value: unknown) => (key === 'auditSyslog' ? syslogText(value as SyslogDestination[]) : JSON.stringify(value));

export function registerSettingsCommands(program: Command): void {
  const settings = program
    .command('settings')
    .description('show or change settings (managed ones are locked)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      try {
        const engine = EngineClient.find();
        const policy = managedFileView(managedPolicyPath()).policy();
        const paths = dataPaths(dataDir());
        const current = engine ? await engine.call('settings.get', {}) : managedSettingsView(readSettings(new SettingsStore(paths), policyFileApprovals(paths)), policy);
        const locked = lockedSettingKeys(policy);
        if (opts.json) return printJson(current);
        process.stdout.write(table([['SETTING', 'VALUE', ''], ...KEYS.map((k) => [k, shown(k, current[k]), locked.has(k) ? 'locked by managed policy' : ''])]));
      } catch (error) {
        fail(error);
      }
    });

  settings
    .command('set')
    .description('change one setting: `warden settings set approvalTimeoutSeconds 60`, `warden settings set auditSyslog tls://siem:6514?ca=/path/ca.pem`')
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
          const paths = dataPaths(dataDir());
          next = changeSettings(new SettingsStore(paths), policyFileApprovals(paths), patch);
        }
        process.stdout.write(`${key} = ${shown(key as keyof Settings, next[key as keyof Settings])}\n`);
        if (!engine && key.startsWith('audit')) process.stdout.write('Warden is not running: this applies when it starts.\n');
      } catch (error) {
        fail(error);
      }
    });
}
