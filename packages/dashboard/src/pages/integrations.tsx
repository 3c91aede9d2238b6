import { useEffect, useRef, useState } from 'react';
import type { Project } from '../api.js';
import { ErrorNote, Loading } from '../components/ui.js';
import { useI18n } from '../i18n.js';
import { canWrite, useSession } from '../session.js';
import type { ProviderAccount } from '../telephony.js';
import { useAsync } from '../use-async.js';
import { ConnectProviderForm } from './connect-provider-form.js';
import { OutboundIntegrations } from './outbound-integrations.js';
import { AccountCard } from './provider-account-card.js';

/**
 * The project's integrations: its telephony provider accounts (what is connected, the webhook URLs to paste at
 * each provider, and for those who may change the project connect, edit and disconnect), then the outbound
 * integrations that calls are sent to (outbound-integrations.tsx). Each list is loaded once and then kept from
 * the API's answers to each change.
 */
export function IntegrationsPage({ project }: { project: Project }) {
  // A fresh page per project: the lists held below must never show another project's accounts.
  return (
    <>
      <ProviderAccounts key={project.id} project={project} />
      <OutboundIntegrations key={`outbound-${project.id}`} project={project} />
    </>
  );
}

function ProviderAccounts({ project }: { project: Project }) {
  const { t } = useI18n();
  const { api, me } = useSession();
  const writable = canWrite(me, project);
  const base = `/api/v1/projects/${project.id}/provider-accounts`;
  const loaded = useAsync(() => api.get<ProviderAccount[]>(base), [api, base]);
  const [accounts, setAccounts] = useState<ProviderAccount[]>();
  const [notice, setNotice] = useState<string>();
  const [fresh, setFresh] = useState<string>();
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (loaded.data) setAccounts(loaded.data);
  }, [loaded.data]);

  const replace = (changed: ProviderAccount) =>
    setAccounts((list) => list?.map((a) => (a.id === changed.id ? changed : a)));

  return (
    <>
      <h1>{t('navIntegrations')}</h1>
      <section aria-labelledby="telephony-title">
        <h2 id="telephony-title" ref={title} tabIndex={-1}>
          {t('telephonyProviders')}
        </h2>
        <p className="muted">{t('telephonyLead')}</p>
        {!writable && <p className="muted">{t('providersReadOnly')}</p>}
        <p className="muted" role="status">
          {notice}
        </p>
        {!accounts && loaded.loading && <Loading />}
        {!accounts && <ErrorNote error={loaded.error} onRetry={loaded.reload} />}
        {accounts?.length === 0 && <p className="empty">{t('noProviderAccounts')}</p>}
        {accounts?.map((account) => (
          <AccountCard
            key={account.id}
            account={account}
            project={project}
            writable={writable}
            focusOnMount={account.id === fresh}
            onSaved={(changed) => {
              replace(changed);
              setNotice(t('providerSaved', { name: changed.name }));
            }}
            onDisconnected={() => {
              setAccounts((list) => list?.filter((a) => a.id !== account.id));
              setNotice(t('providerDisconnected', { name: account.name }));
              // The focused confirm button went with the card: keep the focus in the list.
              title.current?.focus();
            }}
          />
        ))}
      </section>
      {writable && accounts && (
        <ConnectProviderForm
          project={project}
          onConnected={(account) => {
            setAccounts((list) => [...(list ?? []), account]);
            setFresh(account.id);
            setNotice(t('providerConnected', { name: account.name }));
          }}
        />
      )}
    </>
  );
}
