import { type ReactNode, useState } from 'react';
import { useI18n } from '../i18n.js';
import { useSession } from '../session.js';

/**
 * A link to a file export. Signed in by cookie, it is an ordinary link (the cookie authenticates the GET,
 * the browser downloads, "copy link" works). Signed in with an API key, which a link cannot carry, a click
 * fetches the file with the key and saves it from memory.
 */
export function DownloadLink({
  href,
  filename,
  children,
}: {
  href: string;
  filename: string;
  children: ReactNode;
}) {
  const { api } = useSession();
  const { t } = useI18n();
  const [failed, setFailed] = useState<string>();
  return (
    <span className="download">
      <a
        className="button"
        href={href}
        download={filename}
        onClick={async (event) => {
          setFailed(undefined);
          if (api.linksAuthenticate) return;
          event.preventDefault();
          try {
            const blob = await api.file(href);
            const url = URL.createObjectURL(blob);
            const save = document.createElement('a');
            save.href = url;
            save.download = filename;
            save.click();
            setTimeout(() => URL.revokeObjectURL(url), 10_000);
          } catch (error) {
            setFailed(error instanceof Error ? error.message : String(error));
          }
        }}
      >
        {children}
      </a>
      {failed && (
        <span className="error inline" role="alert">
          {t('errorPrefix', { message: failed })}
        </span>
      )}
    </span>
  );
}
