// Approvals: the calls that wait for a person, newest on top, answered by click or keyboard.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AnswerChoiceInput, ApprovalView } from '../../shared/policy.js';
import { toApiError, useApi, type Query } from '../api/hooks.js';
import type { ApiRequestError } from '../api/transport.js';
import { ApprovalCard, CHOICES, choicesFor } from '../components/ApprovalCard.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { Icon } from '../components/Icon.js';
import { StandingAnswers } from '../components/StandingAnswers.js';
import { useFocusFallback } from '../useFocusFallback.js';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

export function ApprovalsScreen({ pending, focusId }: { pending: Query<ApprovalView[]>; focusId?: string }) {
  const api = useApi();
  const list = useMemo(() => pending.data ?? [], [pending.data]);
  const [selectedId, setSelectedId] = useState<string | undefined>(focusId);
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [error, setError] = useState<ApiRequestError | undefined>(undefined);
  const [argsOpen, setArgsOpen] = useState<Record<string, boolean>>({});
  const [announce, setAnnounce] = useState('');

  useEffect(() => {
    if (focusId) setSelectedId(focusId);
  }, [focusId]);

  // The desktop app's notifications open a card.
  useEffect(() => window.warden?.onOpenApproval?.((id) => setSelectedId(id)), []);

  const selected = list.find((a) => a.id === selectedId) ?? list[0];

  // An answered card leaves with the button that had focus: focus goes to the list, without holding
  // the next card's timeout (as focusing that card would).
  const cardsRef = useFocusFallback<HTMLElement>(list);

  const answer = useCallback(
    async (approval: ApprovalView, choice: AnswerChoiceInput) => {
      setBusy(approval.id);
      setError(undefined);
      try {
        await api.client['approvals.answer']({ id: approval.id, via: 'ui', ...choice });
        const label = CHOICES.find((c) => c.choice.effect === choice.effect && c.choice.scope === (choice.scope ?? 'once'))?.label ?? choice.effect;
        setAnnounce(`${label}: ${approval.tool} on ${approval.server}`);
        // Only the answered card goes: calls that arrived while the answer was on its way stay (the
        // list this answer started from may already be old).
        pending.set((current) => (current ?? []).filter((a) => a.id !== approval.id));
        const rest = list.filter((a) => a.id !== approval.id);
        const index = list.findIndex((a) => a.id === approval.id);
        setSelectedId(rest[Math.min(index, rest.length - 1)]?.id);
      } catch (err) {
        setError(toApiError(err));
        pending.reload();
      } finally {
        setBusy(undefined);
      }
    },
    [api, list, pending],
  );

  // While the person reads or edits a card, the engine pauses that approval's timeout (and resumes it,
  // with the time that was left, when they let go). An approval answered meanwhile is simply gone.
  const hold = useCallback(
    (approval: ApprovalView, held: boolean) => {
      // The new deadline comes back with the `approvals.changed` event.
      api.client['approvals.hold']({ id: approval.id, held }).catch(() => undefined);
    },
    [api],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target) || !selected) return;
      const index = list.indexOf(selected);
      if (e.key === 'j' || e.key === 'ArrowDown') {
        const next = list[Math.min(list.length - 1, index + 1)];
        if (next) setSelectedId(next.id);
        e.preventDefault();
        return;
      }
      if (e.key === 'k' || e.key === 'ArrowUp') {
        const prev = list[Math.max(0, index - 1)];
        if (prev) setSelectedId(prev.id);
        e.preventDefault();
        return;
      }
      if (e.key === 'e') {
        setArgsOpen((o) => ({ ...o, [selected.id]: !o[selected.id] }));
        e.preventDefault();
        return;
      }
      const choice = choicesFor(selected).find((c) => c.key === e.key && !!c.shift === e.shiftKey);
      if (choice && !busy) {
        e.preventDefault();
        void answer(selected, choice.choice);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [list, selected, busy, answer]);

  return (
    <div className="stack">
      <div className="screen-head">
        <div>
          <h1>Approvals</h1>
          <p className="muted">
            Calls that wait for you. Keys: <kbd>a</kbd> allow once, <kbd>s</kbd> session, <kbd>5</kbd> 5 minutes, <kbd>h</kbd> 1 hour, <kbd>d</kbd> deny, <kbd>⇧A</kbd> always allow,{' '}
            <kbd>⇧D</kbd> always deny, <kbd>j</kbd>/<kbd>k</kbd> next/previous, <kbd>e</kbd> arguments.
          </p>
        </div>
      </div>
      <p className="sr-only" role="status" aria-live="polite">
        {announce}
      </p>
      <ErrorNote error={error ?? pending.error} />
      {!pending.loading && list.length === 0 ? (
        <div className="panel empty" role="status">
          <Icon name="check" size={40} />
          <h2>Nothing waits for you</h2>
          <p>When a client calls a tool that needs your approval, it appears here and the call waits.</p>
        </div>
      ) : null}
      <section className="cards" aria-label="Waiting calls" ref={cardsRef} tabIndex={-1}>
        {list.map((approval) => (
          <ApprovalCard
            key={approval.id}
            approval={approval}
            selected={approval.id === selected?.id}
            busy={busy === approval.id}
            onSelect={() => setSelectedId(approval.id)}
            onAnswer={(choice) => void answer(approval, choice)}
            onHold={(held) => hold(approval, held)}
            argsOpen={argsOpen[approval.id] ?? true}
            onArgsToggle={(open) => setArgsOpen((o) => ({ ...o, [approval.id]: open }))}
          />
        ))}
      </section>
      <StandingAnswers />
    </div>
  );
}
