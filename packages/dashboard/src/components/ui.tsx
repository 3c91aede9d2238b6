import { type ReactNode, useId, useState } from 'react';
import { useI18n } from '../i18n.js';

/** A label above its control; `hint` is read out with the control (aria-describedby). */
export function Field({
  label,
  hint,
  children,
}: {
  label: string;
  hint?: string;
  children: (props: { id: string; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(hint ? { 'aria-describedby': hintId } : {}) })}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** A labelled group of radio buttons: one choice of a few. */
export function RadioGroup<T extends string>({
  legend,
  name,
  options,
  value,
  onChange,
}: {
  legend: string;
  name: string;
  options: readonly { value: T; label: ReactNode }[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="choice">
          <input
            type="radio"
            name={name}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
          />
          <span>{option.label}</span>
        </label>
      ))}
    </fieldset>
  );
}

export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="error" role="alert">
      {t('errorPrefix', { message })}
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          {t('retry')}
        </button>
      )}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="muted" aria-live="polite">
      {t('loading')}
    </p>
  );
}

export function CopyButton({ text }: { text: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <>
      <button
        type="button"
        onClick={async () => {
          const copied = await copyText(text);
          setState(copied ? 'copied' : 'failed');
          if (copied) setTimeout(() => setState('idle'), 2000);
        }}
      >
        <span aria-live="polite">{state === 'copied' ? t('copied') : t('copy')}</span>
      </button>
      {state === 'failed' && (
        <span className="hint" role="alert">
          {t('copyFailed')}
        </span>
      )}
    </>
  );
}

/**
 * Copies through the clipboard API, which exists only on https and localhost; a self-hosted install is often
 * first set up over plain http, where the older copy command on a hidden text area still works. False when
 * neither did: the button must not say "Copied" then.
 */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (permissions, an insecure origin): try the older way.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  try {
    return copyBySelection();
  } finally {
    area.remove();
  }
}

/** document.execCommand('copy') on the current selection: deprecated, but the only way without the API. */
export function copyBySelection(): boolean {
  try {
    return typeof document.execCommand === 'function' && document.execCommand('copy');
  } catch {
    return false;
  }
}
