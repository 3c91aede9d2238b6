// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '../api.js';
import { fakeApi, PROJECT, Providers } from '../test-support.js';
import { CALL_ROW_HEIGHT, CallTable } from './call-table.js';
import { CallsPage, mergeCalls } from './calls.js';

afterEach(cleanup);

const project = PROJECT;

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
    // The player loads the recording through the server, never the provider's URL (it needs credentials).
    const played = `/api/v1/projects/${project.id}/calls/${c.id}/recording`;
    expect(table.querySelector('audio')?.getAttribute('src')).toBe(played);
    expect(table.querySelector('audio')?.getAttribute('preload')).toBe('none');
    fireEvent.click(within(table).getByRole('button', { name: /Call details/ }));
    const panel = await screen.findByRole('dialog', { name: 'Call details' });
    await waitFor(() => expect(panel.textContent).toContain('two visitors shared the number'));
    expect(panel.textContent).toContain('50%');
    expect(panel.textContent).toContain('https://clinic.example/?utm_source=google');
    expect(panel.textContent).toContain('implants');
    expect(panel.textContent).toContain('Candidate visits');
    expect(panel.querySelector('audio')?.getAttribute('src')).toBe(played);
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Close');
    act(() => {
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('signed in with an API key, fetches the recording with the key on a click and plays it from memory', async () => {
    const c = call({ recordingUrl: 'https://api.zadarma.com/v1/pbx/record/request/?call_id=1.rec' });
    const api = fakeApi((r) => (r.method === 'FILE' ? 'ID3…' : [c]), { linksAuthenticate: false });
    render(
      <Providers api={api}>
        <CallTable calls={[c]} project={project} selected={undefined} onSelect={() => undefined} />
      </Providers>,
    );
    const table = screen.getByRole('table', { name: 'Calls' });
    expect(table.querySelector('audio')).toBeNull();
    fireEvent.click(within(table).getByRole('button', { name: 'Play the recording' }));
    await waitFor(() => expect(table.querySelector('audio')?.getAttribute('src')).toMatch(/^blob:/));
    expect(api.requests.at(-1)).toEqual({
      method: 'FILE',
      path: `/api/v1/projects/${project.id}/calls/${c.id}/recording`,
    });
  });

  it('merges pages by id, newest first', () => {
    const a = call();
    const b = call();
    expect(mergeCalls([a], [b, { ...a, status: 'busy' }]).map((c) => [c.id, c.status])).toEqual([
      [b.id, 'answered'],
      [a.id, 'busy'],
    ]);
  });

  it('draws only the rows in view of 10,000 calls, and follows the scroll', () => {
    const calls = Array.from({ length: 10_000 }, (_, i) =>
      call({ id: `c${String(i).padStart(5, '0')}`, startedAt: 1_800_000_000_000 - i * 60_000 }),
    );
    const started = performance.now();
    render(
      <Providers api={fakeApi(() => [])}>
        <CallTable calls={calls} project={project} selected={undefined} onSelect={() => undefined} />
      </Providers>,
    );
    const rendered = () => Array.from(document.querySelectorAll('tr[data-call-id]'));
    const table = screen.getByRole('table', { name: 'Calls' });
    expect(table.getAttribute('aria-rowcount')).toBe('10001');
    expect(rendered().length).toBeGreaterThan(5);
    expect(rendered().length).toBeLessThan(60);
    expect(rendered()[0]?.getAttribute('data-call-id')).toBe('c00000');
    // The blank space below stands in for the other rows, so the scrollbar is the full list's.
    const spacer = table.querySelector('tbody tr:last-child td') as HTMLElement;
    expect(Number.parseInt(spacer.style.height, 10)).toBeGreaterThan(9_900 * CALL_ROW_HEIGHT);

    const box = screen.getByTestId('calls-scroll');
    act(() => {
      box.scrollTop = 5_000 * CALL_ROW_HEIGHT;
      fireEvent.scroll(box);
    });
    const ids = rendered().map((r) => r.getAttribute('data-call-id'));
    expect(ids).toContain('c05000');
    expect(ids).not.toContain('c00000');
    expect(ids.length).toBeLessThan(60);
    const row = table.querySelector('tr[data-call-id="c05000"]');
    expect(row?.getAttribute('aria-rowindex')).toBe('5002');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('loads older calls by itself when the table is scrolled to its end', async () => {
    const all = Array.from({ length: 1_200 }, (_, i) =>
      call({ id: `d${String(9_999 - i).padStart(5, '0')}`, startedAt: 1_800_000_000_000 - i * 60_000 }),
    );
    const api = fakeApi((r) => {
      const q = r.query as { limit: number; before?: string };
      const from = q.before ? all.findIndex((c) => c.id === q.before) + 1 : 0;
      return all.slice(from, from + q.limit);
    });
    render(
      <Providers api={api}>
        <CallsPage project={project} pollMs={60_000} />
      </Providers>,
    );
    const table = await screen.findByRole('table', { name: 'Calls' });
    await waitFor(() => expect(table.getAttribute('aria-rowcount')).toBe('51'));
    const box = screen.getByTestId('calls-scroll');
    const scrollTo = (row: number) =>
      act(() => {
        box.scrollTop = row * CALL_ROW_HEIGHT;
        fireEvent.scroll(box);
      });
    scrollTo(40);
    await waitFor(() => expect(table.getAttribute('aria-rowcount')).toBe('551'));
    expect(api.requests[1]?.query).toMatchObject({ limit: 500, before: all[49]?.id });
    scrollTo(540);
    await waitFor(() => expect(table.getAttribute('aria-rowcount')).toBe('1051'));
    scrollTo(1040);
    await waitFor(() => expect(table.getAttribute('aria-rowcount')).toBe('1201'));
    expect(api.requests).toHaveLength(4);
    expect(screen.queryByRole('button', { name: 'Older calls' })).toBeNull();
  });
});
