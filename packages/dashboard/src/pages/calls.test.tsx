// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Call, Project } from '../api.js';
import { fakeApi, Providers } from '../test-support.js';
import { CallsPage, mergeCalls } from './calls.js';

afterEach(cleanup);

const project: Project = {
  id: 'p1',
  name: 'Clinic',
  timezone: 'Europe/Moscow',
  currency: 'RUB',
  country: 'RU',
  publicKey: 'pk',
  siteNumbers: [],
  defaultDestinationId: null,
  createdAt: 0,
};

let seq = 0;
function call(over: Partial<Call> = {}): Call {
  seq += 1;
  return {
    id: `0190000${seq}`,
    caller: '+79161234567',
    trackingNumber: '+74957654321',
    destination: '+74957778899',
    startedAt: 1_700_000_000_000 + seq * 60_000,
    answeredAt: null,
    endedAt: null,
    waitSeconds: 8,
    talkSeconds: 95,
    status: 'answered',
    recordingUrl: null,
    visitId: 'v1',
    poolId: 'pool1',
    staticChannelId: null,
    channel: 'paid',
    source: 'google',
    medium: 'cpc',
    confidence: 100,
    attribution: { rule: 'lease_active', confidence: 100, explanation: 'the page was open', candidates: [] },
    firstTimeCaller: true,
    isTarget: true,
    ...over,
  };
}

describe('CallsPage', () => {
  it('lists calls newest first and shows a new call on the next poll, without reload', async () => {
    const first = call();
    let server = [first];
    const api = fakeApi(() => server);
    render(
      <Providers api={api}>
        <CallsPage project={project} pollMs={50} />
      </Providers>,
    );
    const table = await screen.findByRole('table', { name: 'Calls' });
    expect(within(table).getAllByRole('row')).toHaveLength(2);
    expect(table.textContent).toContain('+7 (916) 123-45-67');
    expect(table.textContent).toContain('+7 (495) 765-43-21');
    expect(table.textContent).toContain('1:35');
    expect(table.textContent).toContain('100%');

    const second = call({ caller: '+79035550011', status: 'ringing', talkSeconds: null });
    server = [second, first];
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3), { timeout: 2000 });
    const rows = within(table).getAllByRole('row');
    expect(rows[1]?.textContent).toContain('+7 (903) 555-00-11');
    expect(rows[1]?.textContent).toContain('ringing');
  });

  it('sends the filters to the API', async () => {
    const api = fakeApi(() => []);
    render(
      <Providers api={api}>
        <CallsPage project={project} pollMs={60_000} />
      </Providers>,
    );
    await screen.findByText(/No calls yet/);
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'no-answer' } });
    fireEvent.change(screen.getByLabelText('Channel'), { target: { value: 'organic' } });
    fireEvent.change(screen.getByLabelText('Target'), { target: { value: 'true' } });
    await waitFor(() =>
      expect(api.requests.at(-1)?.query).toMatchObject({
        status: 'no-answer',
        channel: 'organic',
        target: 'true',
        limit: 50,
      }),
    );
    expect(api.requests.at(-1)?.path).toBe('/api/v1/projects/p1/calls');
  });

  it('opens the detail panel with the visit, the explanation and the confidence; Escape closes it', async () => {
    const c = call({
      confidence: 50,
      recordingUrl: 'https://rec.example/r1.mp3',
      attribution: {
        rule: 'lease_active',
        confidence: 50,
        explanation: 'two visitors shared the number',
        candidates: [
          { visitId: 'v1aaaaaaaa', weight: 1, shared: true },
          { visitId: 'v2bbbbbbbb', weight: 1, shared: true },
        ],
      },
    });
    const api = fakeApi((r) =>
      r.path.endsWith(`/calls/${c.id}`)
        ? {
            call: c,
            visit: {
              landing_url: 'https://clinic.example/?utm_source=google',
              utm_campaign: 'implants',
              channel: 'paid',
              source: 'google',
              medium: 'cpc',
            },
          }
        : [c],
    );
    render(
      <Providers api={api}>
        <CallsPage project={project} pollMs={60_000} />
      </Providers>,
    );
    const table = await screen.findByRole('table', { name: 'Calls' });
    expect(table.querySelector('audio')?.getAttribute('src')).toBe('https://rec.example/r1.mp3');
    fireEvent.click(within(table).getByRole('button', { name: /Call details/ }));
    const panel = await screen.findByRole('dialog', { name: 'Call details' });
    await waitFor(() => expect(panel.textContent).toContain('two visitors shared the number'));
    expect(panel.textContent).toContain('50%');
    expect(panel.textContent).toContain('https://clinic.example/?utm_source=google');
    expect(panel.textContent).toContain('implants');
    expect(panel.textContent).toContain('Candidate visits');
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Close');
    act(() => {
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('merges pages by id, newest first', () => {
    const a = call();
    const b = call();
    expect(mergeCalls([a], [b, { ...a, status: 'busy' }]).map((c) => [c.id, c.status])).toEqual([
      [b.id, 'answered'],
      [a.id, 'busy'],
    ]);
  });
});
