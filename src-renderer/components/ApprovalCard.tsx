// One waiting call: who asks, for what, why it waits, what changed, and the person's choices.
import { useEffect, useId, useRef, useState } from 'react';
import type { AnswerChoiceInput, ApprovalView, ArgConstraint } from '../../shared/policy.js';
import { clientLabel } from '../../shared/client-label.js';
import { Countdown } from './Countdown.js';
import { JsonView } from './JsonView.js';

export interface ChoiceDef {
  key: string;
  shift?: boolean;
  label: string;
  choice: AnswerChoiceInput;
  tone: 'allow' | 'deny' | 'plain';
}

/** The guardian's choices, with their keyboard shortcuts. */
export const CHOICES: ChoiceDef[] = [
  { key: 'a', label: 'Allow once', choice: { effect: 'allow', scope: 'once' }, tone: 'allow' },
  { key: 's', label: 'Allow for this session', choice: { effect: 'allow', scope: 'session' }, tone: 'plain' },
  { key: '5', label: 'Allow 5 minutes', choice: { effect: 'allow', scope: '5m' }, tone: 'plain' },
  { key: 'h', label: 'Allow 1 hour', choice: { effect: 'allow', scope: '1h' }, tone: 'plain' },
  { key: 'A', shift: true, label: 'Always allow', choice: { effect: 'allow', scope: 'always' }, tone: 'plain' },
  { key: 'd', label: 'Deny', choice: { effect: 'deny', scope: 'once' }, tone: 'deny' },
  { key: 'D', shift: true, label: 'Always deny', choice: { effect: 'deny', scope: 'always' }, tone: 'plain' },
];

/** The choices this approval offers: no "always allow" where the engine would refuse it. */
export function choicesFor(approval: ApprovalView): ChoiceDef[] {
  return approval.noAlwaysAllow ? CHOICES.filter((c) => !(c.choice.effect === 'allow' && c.choice.scope === 'always')) : CHOICES;
}

function scalarArgs(args: Record<string, unknown>): Array<[string, string]> {
  return Object.entries(args).filter((e): e is [string, string] => typeof e[1] === 'string');
}

export interface ApprovalCardProps {
  approval: ApprovalView;
  selected: boolean;
  busy: boolean;
  onSelect(): void;
  onAnswer(choice: AnswerChoiceInput): void;
  /** The person is reading or editing: keep the call waiting. */
  onHold(held: boolean): void;
  argsOpen: boolean;
  onArgsToggle(open: boolean): void;
}

export function ApprovalCard({ approval, selected, busy, onSelect, onAnswer, onHold, argsOpen, onArgsToggle }: ApprovalCardProps) {
  const headingId = useId();
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  const [editing, setEditing] = useState(false);
  const [constraint, setConstraint] = useState<ArgConstraint | undefined>(undefined);
  const ref = useRef<HTMLElement>(null);
  const held = hovered || focused || editing;

  useEffect(() => {
    onHold(held);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [held]);

  useEffect(() => {
    if (selected && ref.current && !ref.current.contains(document.activeElement)) ref.current.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  const textArgs = scalarArgs(approval.arguments);
  const firstArg = textArgs[0];

  return (
    <article
      ref={ref}
      className={`card risk-${approval.risk}${selected ? ' selected' : ''}`}
      aria-labelledby={headingId}
      data-approval-id={approval.id}
      data-created-at={approval.createdAt}
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
      onFocus={() => {
        setFocused(true);
        onSelect();
      }}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFocused(false);
      }}
      onClick={onSelect}
    >
      <div className="card-head">
        <div className="stack" style={{ gap: 4, flex: 1, minWidth: 0 }}>
          <h2 className="card-title" id={headingId}>
            <code>{approval.server}</code> wants to run <code>{approval.tool}</code>
          </h2>
          <p className="card-meta">
            Asked by {clientLabel(approval.client)} · server tier <span className={`pill ${approval.tier}`}>{approval.tier}</span> · risk{' '}
            <span className={`pill ${approval.risk}`}>{approval.risk}</span>
            {approval.waiting > 1 ? ` · ${approval.waiting} identical calls wait` : ''}
          </p>
        </div>
        <Countdown createdAt={approval.createdAt} expiresAt={approval.expiresAt} paused={held} />
      </div>

      {approval.reasons.length ? (
        <div>
          <h3 className="sr-only">Why it waits</h3>
          <ul className="reasons">
            {approval.reasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </div>
      ) : null}

      {approval.flags.length ? (
        <div className="changes" role="note" aria-label="Suspicious tool description">
          <strong>This tool’s description looks suspicious.</strong>
          <ul className="reasons">
            {approval.flags.map((f, i) => (
              <li key={i}>
                <span className="pill flag">{f.kind}</span> {f.message} <code>{f.excerpt}</code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {approval.pinChanges.length ? (
        <div className="changes" role="note" aria-label="What changed in the tool">
          <strong>The tool’s definition changed since you approved it.</strong>{' '}
          {approval.noAlwaysAllow
            ? 'Your answer lets this call through and the tool keeps asking; only “Always allow” accepts a new definition, and it is not offered here.'
            : '“Always allow” accepts the new definition; other answers let this call through and keep asking.'}
          {approval.pinChanges.map((c, i) => (
            <div key={i}>
              <p>
                <span className="pill changed">{c.field}</span> {c.summary}
              </p>
              <div className="diff">
                <pre aria-label={`${c.field} before`}>{c.before}</pre>
                <pre aria-label={`${c.field} after`}>{c.after}</pre>
              </div>
            </div>
          ))}
        </div>
      ) : null}

      <JsonView value={approval.arguments} label={`Arguments (${Object.keys(approval.arguments).length})`} open={argsOpen} onToggle={onArgsToggle} />

      {editing && firstArg && !approval.noAlwaysAllow ? (
        <fieldset>
          <legend>Always allow only when…</legend>
          <div className="row">
            <select
              aria-label="Argument"
              value={constraint?.arg ?? firstArg[0]}
              onChange={(e) => {
                const value = approval.arguments[e.target.value];
                setConstraint({ arg: e.target.value, op: constraint?.op === 'equals' ? 'equals' : 'prefix', value: String(value ?? '') } as ArgConstraint);
              }}
            >
              {textArgs.map(([name]) => (
                <option key={name}>{name}</option>
              ))}
            </select>
            <select
              aria-label="Condition"
              value={constraint?.op ?? 'prefix'}
              onChange={(e) => setConstraint({ ...(constraint ?? { arg: firstArg[0], value: firstArg[1] }), op: e.target.value } as ArgConstraint)}
            >
              <option value="prefix">lies under the folder</option>
              <option value="equals">equals</option>
            </select>
            <input
              type="text"
              aria-label="Value"
              value={String(constraint?.value ?? firstArg[1])}
              onChange={(e) => setConstraint({ ...(constraint ?? { arg: firstArg[0], op: 'prefix' }), value: e.target.value } as ArgConstraint)}
            />
            <button
              type="button"
              className="primary"
              disabled={busy}
              onClick={() => onAnswer({ effect: 'allow', scope: 'always', when: [constraint ?? { arg: firstArg[0], op: 'prefix', value: firstArg[1] }] })}
            >
              Always allow with this condition
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </fieldset>
      ) : null}

      <div className="choices" role="group" aria-label={`Answer for ${approval.tool}`}>
        {choicesFor(approval).map((c) => (
          <button
            key={c.label}
            type="button"
            className={c.tone === 'plain' ? undefined : c.tone}
            disabled={busy}
            aria-keyshortcuts={c.shift ? `Shift+${c.key}` : c.key}
            onClick={(e) => {
              e.stopPropagation();
              onAnswer(c.choice);
            }}
          >
            {c.label}
            {selected ? <kbd aria-hidden="true">{c.shift ? `⇧${c.key}` : c.key}</kbd> : null}
          </button>
        ))}
        {firstArg && !approval.noAlwaysAllow ? (
          <button type="button" className="link" onClick={() => setEditing(true)} disabled={busy || editing}>
            Always allow with a condition…
          </button>
        ) : null}
      </div>
      {approval.noAlwaysAllow ? (
        <p className="muted" role="note">
          No “Always allow” here: {approval.noAlwaysAllow}
        </p>
      ) : null}
    </article>
  );
}
