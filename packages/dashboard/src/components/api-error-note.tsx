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

/** An error of a write, explained by its code where known; anything else as ErrorNote shows it. */
export function ApiErrorNote({ error }: { error: unknown }) {
  const { t } = useI18n();
  const key = error instanceof ApiError ? EXPLAINED[error.code] : undefined;
  if (!key) return <ErrorNote error={error} />;
  return (
    <div className="error" role="alert">
      {t(key, { message: (error as ApiError).message })}
    </div>
  );
}
