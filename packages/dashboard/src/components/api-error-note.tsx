import { ApiError } from '../api.js';
import { type MessageKey, useI18n } from '../i18n.js';
import { ErrorNote } from './ui.js';

/**
 * API error codes the dashboard explains in the user's language. The server's messages are English; a
 * validation message names the field and the problem ("allowedSources: "x" is not an IP address…"), so those
 * texts quote it as {message}.
 */
const EXPLAINED: Record<string, MessageKey> = {
  validation_failed: 'errValidation',
  bad_request: 'errValidation',
  forbidden: 'errForbidden',
  not_found: 'errNotFound',
  unauthorized: 'errUnauthorized',
  rate_limited: 'errRateLimited',
};

/**
 * An error of a write, explained by its code where known; anything else as ErrorNote shows it. `notFound` names
 * what went missing (default: a provider account).
 */
export function ApiErrorNote({ error, notFound }: { error: unknown; notFound?: MessageKey }) {
  const { t } = useI18n();
  const code = error instanceof ApiError ? error.code : undefined;
  const key = code === 'not_found' && notFound ? notFound : code ? EXPLAINED[code] : undefined;
  if (!key) return <ErrorNote error={error} />;
  return (
    <div className="error" role="alert">
      {t(key, { message: (error as ApiError).message })}
    </div>
  );
}
