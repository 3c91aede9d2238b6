import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n.js';
import { copyBySelection, Field } from './ui.js';

type CopyState = 'idle' | 'copied' | 'selected';

/**
 * A value to paste elsewhere (a webhook URL) in a read-only field, with a copy button. The clipboard API exists
 * only on https and localhost, and a self-hosted install is often set up over plain http first: there the
 * button falls back to the older copy command, and if that fails too it selects the text for Ctrl+C.
 */
export function CopyField({
  label,
  value,
  hint,
  copyLabel,
}: {
  label: string;
  value: string;
  hint?: string;
  /** The button's accessible name, e.g. "Copy the events URL" (it should begin with the visible "Copy"). */
  copyLabel: string;
}) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<CopyState>('idle');
  useEffect(() => {
    if (state !== 'copied') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard API');
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      input.current?.focus();
      input.current?.select();
      setState(copyBySelection() ? 'copied' : 'selected');
    }
  };

  return (
    <Field label={label} {...(hint ? { hint } : {})}>
      {(p) => (
        <div className="copy-field">
          <input
            {...p}
            ref={input}
            readOnly
            spellCheck={false}
            value={value}
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" aria-label={copyLabel} onClick={copy}>
            {state === 'copied' ? t('copied') : t('copy')}
          </button>
          {/* "Copied" is already on the button, so only a screen reader needs it here; "selected" is for all. */}
          <span className={state === 'selected' ? 'hint' : 'sr-only'} aria-live="polite">
            {state === 'copied' ? t('copied') : state === 'selected' ? t('copySelected') : ''}
          </span>
        </div>
      )}
    </Field>
  );
}
