import { type FormEvent, useState } from 'react';
import type { Pool, Project, StaticChannel, TrackingNumber } from '../api.js';
import { CopyButton, ErrorNote, Field, RadioGroup } from '../components/ui.js';
import { formatPhone } from '../format.js';
import { useI18n } from '../i18n.js';
import { useSession } from '../session.js';
import {
  createDynamicSetup,
  createStaticChannels,
  type DynamicSetup,
  installSnippet,
  listAllNumbers,
  type StaticChannelInput,
} from '../setup.js';
import { useAsync } from '../use-async.js';

type Scenario = 'static' | 'dynamic';
const OFFLINE_MEDIA = [
  'billboard',
  'radio',
  'tv',
  'print',
  'flyer',
  'car_wrap',
  'business_card',
  'map_listing',
  'event',
  'other',
];

export function SetupPage({
  project,
  origin = window.location.origin,
}: {
  project: Project;
  origin?: string;
}) {
  const { t } = useI18n();
  const [step, setStep] = useState(1);
  const [scenario, setScenario] = useState<Scenario>('dynamic');
  const [version, setVersion] = useState(0);
  const steps = [t('stepScenario'), t('stepDetails'), t('stepInstall')];

  return (
    <>
      <h1>{t('wizardTitle')}</h1>
      <ol className="steps" aria-label={t('wizardTitle')}>
        {steps.map((label, i) => (
          <li
            key={label}
            aria-current={step === i + 1 ? 'step' : undefined}
            className={step > i + 1 ? 'done' : ''}
          >
            <span className="num">{i + 1}</span> {label}
          </li>
        ))}
      </ol>
      {step === 1 && (
        <section className="card">
          <RadioGroup
            legend={t('stepScenario')}
            name="scenario"
            options={(['dynamic', 'static'] as const).map((kind) => ({
              value: kind,
              label: (
                <span>
                  <strong>{t(kind === 'static' ? 'scenarioStatic' : 'scenarioDynamic')}</strong>
                  <span className="hint">
                    {t(kind === 'static' ? 'scenarioStaticHelp' : 'scenarioDynamicHelp')}
                  </span>
                </span>
              ),
            }))}
            value={scenario}
            onChange={setScenario}
          />
          <div className="actions">
            <button type="button" className="primary" onClick={() => setStep(2)}>
              {t('next')}
            </button>
          </div>
        </section>
      )}
      {step === 2 && scenario === 'dynamic' && (
        <DynamicForm
          project={project}
          onBack={() => setStep(1)}
          onDone={() => {
            setVersion((v) => v + 1);
            setStep(3);
          }}
        />
      )}
      {step === 2 && scenario === 'static' && (
        <StaticForm
          project={project}
          onBack={() => setStep(1)}
          onDone={() => {
            setVersion((v) => v + 1);
            setStep(3);
          }}
        />
      )}
      {step === 3 && <Install project={project} origin={origin} />}
      <CurrentSetup project={project} version={version} />
      {step !== 3 && <Install project={project} origin={origin} compact />}
    </>
  );
}

function DynamicForm({
  project,
  onBack,
  onDone,
}: {
  project: Project;
  onBack(): void;
  onDone(pool: Pool): void;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const [s, setS] = useState<DynamicSetup>({
    siteNumber: project.siteNumbers[0] ?? '',
    poolName: 'Site',
    utmSource: '',
    numbers: '',
    holdMinutes: 15,
    exhaustionPolicy: 'reuse_oldest',
    fallbackNumber: '',
    forwardKind: 'phone',
    forwardTarget: '',
  });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof DynamicSetup>(k: K, v: DynamicSetup[K]) =>
    setS((prev) => ({ ...prev, [k]: v }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onDone(await createDynamicSetup(api, project, s));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card grid-form" onSubmit={submit} aria-label={t('scenarioDynamic')}>
      <Field label={t('replaceNumber')} hint={t('replaceHelp')}>
        {(p) => (
          <input
            {...p}
            type="tel"
            required
            value={s.siteNumber}
            onChange={(e) => set('siteNumber', e.target.value)}
          />
        )}
      </Field>
      <Field label={t('poolName')}>
        {(p) => (
          <input {...p} required value={s.poolName} onChange={(e) => set('poolName', e.target.value)} />
        )}
      </Field>
      <Field label={t('onlySource')} hint={t('allVisitors')}>
        {(p) => (
          <input
            {...p}
            placeholder="yandex"
            value={s.utmSource}
            onChange={(e) => set('utmSource', e.target.value)}
          />
        )}
      </Field>
      <Field label={t('poolNumbers')}>
        {(p) => (
          <textarea
            {...p}
            required
            rows={4}
            placeholder={'+7 495 765-43-21\n+7 495 765-43-22'}
            value={s.numbers}
            onChange={(e) => set('numbers', e.target.value)}
          />
        )}
      </Field>
      <Field label={t('holdMinutes')}>
        {(p) => (
          <input
            {...p}
            type="number"
            min={1}
            max={10080}
            required
            value={s.holdMinutes}
            onChange={(e) => set('holdMinutes', Number(e.target.value))}
          />
        )}
      </Field>
      <RadioGroup
        legend={t('whenExhausted')}
        name="policy"
        options={[
          { value: 'reuse_oldest', label: t('reuseOldest') },
          { value: 'fallback', label: t('useFallback') },
        ]}
        value={s.exhaustionPolicy}
        onChange={(policy) => set('exhaustionPolicy', policy)}
      />
      {s.exhaustionPolicy === 'fallback' && (
        <Field label={t('fallbackNumber')}>
          {(p) => (
            <input
              {...p}
              type="tel"
              required
              value={s.fallbackNumber}
              onChange={(e) => set('fallbackNumber', e.target.value)}
            />
          )}
        </Field>
      )}
      <RadioGroup
        legend={t('forwardTo')}
        name="forward"
        options={[
          { value: 'phone', label: t('forwardPhone') },
          { value: 'sip', label: t('forwardSip') },
        ]}
        value={s.forwardKind}
        onChange={(kind) => set('forwardKind', kind)}
      />
      <Field label={t('forwardTarget')}>
        {(p) => (
          <input
            {...p}
            placeholder={s.forwardKind === 'sip' ? 'sip:reception@pbx.example.ru' : '+7 495 777-88-99'}
            value={s.forwardTarget}
            onChange={(e) => set('forwardTarget', e.target.value)}
          />
        )}
      </Field>
      <div className="actions">
        <button type="button" onClick={onBack}>
          {t('back')}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {t('createSetup')}
        </button>
      </div>
      <ErrorNote error={error} />
    </form>
  );
}

const emptyChannel = (): StaticChannelInput => ({
  name: '',
  kind: 'offline',
  offlineMedium: 'billboard',
  source: '',
  medium: '',
  number: '',
});

function StaticForm({ project, onBack, onDone }: { project: Project; onBack(): void; onDone(): void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [rows, setRows] = useState<StaticChannelInput[]>([emptyChannel()]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const update = (i: number, patch: Partial<StaticChannelInput>) =>
    setRows((prev) => prev.map((r, j) => (i === j ? { ...r, ...patch } : r)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await createStaticChannels(api, project, rows);
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card" onSubmit={submit} aria-label={t('scenarioStatic')}>
      {rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity before they are saved
        <fieldset key={i} className="grid-form channel-row">
          <legend>
            {t('channels')} {i + 1}
          </legend>
          <Field label={t('channelName')}>
            {(p) => (
              <input {...p} required value={row.name} onChange={(e) => update(i, { name: e.target.value })} />
            )}
          </Field>
          <Field label={t('trackingNumber')}>
            {(p) => (
              <input
                {...p}
                type="tel"
                required
                value={row.number}
                onChange={(e) => update(i, { number: e.target.value })}
              />
            )}
          </Field>
          <Field label={t('channelKind')}>
            {(p) => (
              <select
                {...p}
                value={row.kind}
                onChange={(e) => update(i, { kind: e.target.value as 'online' | 'offline' })}
              >
                <option value="offline">{t('offline')}</option>
                <option value="online">{t('online')}</option>
              </select>
            )}
          </Field>
          {row.kind === 'offline' ? (
            <Field label={t('offlineMedium')}>
              {(p) => (
                <select
                  {...p}
                  value={row.offlineMedium}
                  onChange={(e) => update(i, { offlineMedium: e.target.value })}
                >
                  {OFFLINE_MEDIA.map((m) => (
                    <option key={m} value={m}>
                      {m.replace('_', ' ')}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ) : (
            <>
              <Field label={t('source')}>
                {(p) => (
                  <input {...p} value={row.source} onChange={(e) => update(i, { source: e.target.value })} />
                )}
              </Field>
              <Field label={t('medium')}>
                {(p) => (
                  <input {...p} value={row.medium} onChange={(e) => update(i, { medium: e.target.value })} />
                )}
              </Field>
            </>
          )}
          {rows.length > 1 && (
            <div className="actions">
              <button type="button" onClick={() => setRows((prev) => prev.filter((_, j) => j !== i))}>
                {t('remove')}
              </button>
            </div>
          )}
        </fieldset>
      ))}
      <div className="actions">
        <button type="button" onClick={() => setRows((prev) => [...prev, emptyChannel()])}>
          {t('addChannel')}
        </button>
        <span className="spacer" />
        <button type="button" onClick={onBack}>
          {t('back')}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {t('createSetup')}
        </button>
      </div>
      <ErrorNote error={error} />
    </form>
  );
}

export function Install({
  project,
  origin,
  compact = false,
}: {
  project: Project;
  origin: string;
  compact?: boolean;
}) {
  const { t } = useI18n();
  const snippet = installSnippet(origin, project.publicKey);
  return (
    <section className="card" aria-labelledby="install-title">
      <h2 id="install-title">{t('installTitle')}</h2>
      <p>{t('installLead')}</p>
      <div className="snippet">
        <code data-testid="snippet">{snippet}</code>
        <CopyButton text={snippet} />
      </div>
      {!compact && (
        <ul className="install-list">
          <li>{t('installHtml')}</li>
          <li>{t('installTilda')}</li>
          <li>{t('installWordPress')}</li>
          <li>{t('installGtm')}</li>
        </ul>
      )}
    </section>
  );
}

function CurrentSetup({ project, version }: { project: Project; version: number }) {
  const { t } = useI18n();
  const { api } = useSession();
  const base = `/api/v1/projects/${project.id}`;
  const state = useAsync(async () => {
    const [pools, channels, numbers] = await Promise.all([
      api.get<Pool[]>(`${base}/pools`),
      api.get<StaticChannel[]>(`${base}/static-channels`),
      listAllNumbers(api, project.id),
    ]);
    return { pools, channels, numbers: new Map<string, TrackingNumber>(numbers.map((n) => [n.id, n])) };
  }, [api, base, version]);
  if (!state.data || (state.data.pools.length === 0 && state.data.channels.length === 0)) return null;
  const { pools, channels, numbers } = state.data;
  return (
    <section className="card" aria-labelledby="current-setup">
      <h2 id="current-setup">{t('currentSetup')}</h2>
      {pools.length > 0 && (
        <>
          <h3>{t('pools')}</h3>
          <ul>
            {pools.map((p) => (
              <li key={p.id}>
                <strong>{p.name}</strong> —{' '}
                {p.numberIds.map((id) => formatPhone(numbers.get(id)?.number)).join(', ')}
              </li>
            ))}
          </ul>
        </>
      )}
      {channels.length > 0 && (
        <>
          <h3>{t('staticChannels')}</h3>
          <ul>
            {channels.map((c) => (
              <li key={c.id}>
                <strong>{c.name}</strong> — {formatPhone(numbers.get(c.numberId)?.number)} ({c.source} /{' '}
                {c.medium})
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
