// `warden approvals list|approve|deny|consents|revoke`: answer the calls that wait in a running engine.
import type { Command } from 'commander';
import { clientLabel } from '../../../shared/client-label.js';
import { ConsentScope } from '../../../shared/policy.js';
import { WardenError } from '../../engine/errors.js';
import { EngineClient } from '../engineClient.js';
import { fail, printJson, table } from '../output.js';
import { parseConstraints, policyApi } from './policy.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const ago = (iso: string) => `${Math.max(0, Math.round((Date.parse(iso) - Date.now()) / 1000))}s`;

export function registerApprovalsCommands(program: Command): Command {
  const approvals = program.command('approvals').description('calls waiting for your approval, and the consents you gave');

  approvals
    .command('list')
    .description('calls waiting for approval')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      try {
        const pending = await EngineClient.require().call('approvals.list', {});
        if (opts.json) return printJson(pending);
        if (!pending.length) return void process.stdout.write('No calls are waiting for approval.\n');
        process.stdout.write(
          table([
            ['ID', 'SERVER', 'TOOL', 'CLIENT', 'RISK', 'LEFT', 'ARGUMENTS'],
            ...pending.map((a) => [a.id, a.server, a.tool, clientLabel(a.client, { version: false }), a.risk, ago(a.expiresAt), JSON.stringify(a.arguments).slice(0, 80)]),
          ]),
        );
        for (const a of pending) {
          const notes = [...a.flags.map((f) => `FLAG ${f.kind}: ${f.message}`), ...a.pinChanges.map((c) => `CHANGED ${c.summary}`)];
          if (notes.length) process.stdout.write(`${a.id}:\n${notes.map((n) => `  ${n}`).join('\n')}\n`);
        }
      } catch (error) {
        fail(error);
      }
    });

  approvals
    .command('approve')
    .description('allow a waiting call')
    .argument('<id>')
    .option('--scope <scope>', `how long: ${ConsentScope.options.join(', ')}`, 'once')
    .option('--prefix <arg=dir>', 'with --scope always: only when this argument is a path under dir (repeatable)', collect)
    .option('--equals <arg=value>', 'with --scope always: only when this argument equals value (repeatable)', collect)
    .option('--keep-pin', 'do not accept a changed tool definition with this answer')
    .action(async (id: string, opts: { scope: string; prefix?: string[]; equals?: string[]; keepPin?: boolean }) => {
      try {
        const scope = ConsentScope.safeParse(opts.scope);
        if (!scope.success) throw new WardenError('bad_input', `Unknown scope \`${opts.scope}\`. Use one of: ${ConsentScope.options.join(', ')}.`);
        if ((opts.prefix?.length || opts.equals?.length) && scope.data !== 'always') {
          throw new WardenError('bad_input', '--prefix and --equals narrow a standing answer: add --scope always (a once or time-limited answer holds for this call as it is).');
        }
        const consent = await EngineClient.require().call('approvals.answer', {
          id,
          effect: 'allow',
          scope: scope.data,
          when: parseConstraints(opts.prefix, opts.equals),
          via: 'cli',
          ...(opts.keepPin ? { acceptPin: false } : {}),
        });
        process.stdout.write(`Allowed ${consent.server}/${consent.tool} (${consent.scope}). Consent ${consent.id}${consent.ruleId ? `, rule ${consent.ruleId}` : ''}.\n`);
      } catch (error) {
        fail(error);
      }
    });

  approvals
    .command('deny')
    .description('deny a waiting call')
    .argument('<id>')
    .option('--always', 'and every later call to this tool (a standing deny rule)')
    .action(async (id: string, opts: { always?: boolean }) => {
      try {
        const consent = await EngineClient.require().call('approvals.answer', { id, effect: 'deny', scope: opts.always ? 'always' : 'once', via: 'cli' });
        process.stdout.write(`Denied ${consent.server}/${consent.tool}${opts.always ? ' always' : ''}. Consent ${consent.id}${consent.ruleId ? `, rule ${consent.ruleId}` : ''}.\n`);
      } catch (error) {
        fail(error);
      }
    });

  approvals
    .command('consents')
    .description('consents in force (time-limited, session, standing)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const api = policyApi();
      try {
        const { active, recent } = await api.call('consents.list', {});
        if (opts.json) return printJson({ active, recent });
        if (!active.length) return void process.stdout.write('No consents in force.\n');
        process.stdout.write(
          table([
            ['ID', 'EFFECT', 'SCOPE', 'SERVER', 'TOOL', 'CLIENT', 'EXPIRES', 'BY'],
            ...active.map((c) => [c.id, c.effect, c.scope, c.server, c.tool, c.client ?? '*', c.expiresAt ?? '-', c.approver]),
          ]),
        );
      } catch (error) {
        api.close();
        fail(error);
      }
      api.close();
    });

  approvals
    .command('revoke')
    .description('revoke a consent (an "always" one removes its rule too)')
    .argument('<consent-id>')
    .action(async (id: string) => {
      const api = policyApi();
      try {
        const c = await api.call('consents.revoke', { id });
        process.stdout.write(`Revoked consent ${c.id} (${c.effect} ${c.server}/${c.tool}, ${c.scope}).\n`);
      } catch (error) {
        api.close();
        fail(error);
      }
      api.close();
    });
  return approvals;
}
