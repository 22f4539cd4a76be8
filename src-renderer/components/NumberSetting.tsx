// A whole-number setting: saved when the field is left or Enter is pressed, checked first, with what is
// wrong said under the field (an emptied field is not 0; 4.5 is not a number of days).
import { useState, type ReactNode } from 'react';
import { toApiError } from '../api/hooks.js';

export interface NumberSettingProps {
  label: ReactNode;
  hint: ReactNode;
  id: string;
  value: number;
  min: number;
  max?: number;
  disabled?: boolean;
  /** Saves the new value; throws when the engine refuses it. */
  save(value: number): Promise<unknown>;
}

export function NumberSetting({ label, hint, id, value, min, max, disabled, save }: NumberSettingProps) {
  const [text, setText] = useState<string | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const shown = text ?? String(value);
  const range = max === undefined ? `${min} or more` : `from ${min} to ${max}`;

  const commit = async () => {
    if (text === undefined) return;
    const trimmed = text.trim();
    const n = Number(trimmed);
    if (trimmed === '' || !Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
      setProblem(`Enter a whole number ${range}.`);
      return;
    }
    setProblem(undefined);
    if (n === value) return setText(undefined);
    setBusy(true);
    try {
      await save(n);
      setText(undefined);
    } catch (error) {
      setProblem(toApiError(error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <label className="field">
      {label}
      <span className="hint" id={`${id}-hint`}>
        {hint}
      </span>
      <span className="row">
        <input
          type="number"
          min={min}
          max={max}
          step={1}
          aria-describedby={`${id}-hint${problem ? ` ${id}-problem` : ''}`}
          aria-invalid={problem ? true : undefined}
          value={shown}
          disabled={disabled || busy}
          onChange={(e) => setText(e.target.value)}
          onBlur={() => void commit()}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void commit();
            if (e.key === 'Escape') {
              setText(undefined);
              setProblem(undefined);
            }
          }}
          style={{ width: 100 }}
        />
      </span>
      {problem ? (
        <span className="error" id={`${id}-problem`} role="alert">
          {problem}
        </span>
      ) : null}
    </label>
  );
}
