// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n.js';
import { SignIn } from './sign-in.js';

afterEach(cleanup);

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('SignIn', () => {
  it('posts email and password with the CSRF header and reports the user', async () => {
    const fetchImpl = vi.fn(async () =>
      json(200, { user: { kind: 'user', email: 'a@b.co', role: 'admin' } }),
    );
    const onSignedIn = vi.fn();
    render(
      <I18nProvider lang="en">
        <SignIn onSignedIn={onSignedIn} fetchImpl={fetchImpl as unknown as typeof fetch} />
      </I18nProvider>,
    );
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'a@b.co' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'secret password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalled());
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/auth/login');
    expect(init.method).toBe('POST');
    expect(init.headers).toMatchObject({ 'x-ringtrace-csrf': '1', 'content-type': 'application/json' });
    expect(JSON.parse(String(init.body))).toEqual({ email: 'a@b.co', password: 'secret password' });
    expect(onSignedIn.mock.calls[0]?.[1]).toEqual({ kind: 'cookie' });
  });

  it('shows the server’s refusal as an alert, in Russian after switching language', async () => {
    const fetchImpl = vi.fn(async () =>
      json(401, { error: { code: 'unauthorized', message: 'wrong email or password' } }),
    );
    render(
      <I18nProvider lang="en">
        <SignIn onSignedIn={() => undefined} fetchImpl={fetchImpl as unknown as typeof fetch} />
      </I18nProvider>,
    );
    fireEvent.change(screen.getByLabelText('Language'), { target: { value: 'ru' } });
    expect(screen.getByLabelText('Эл. почта')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Эл. почта'), { target: { value: 'a@b.co' } });
    fireEvent.change(screen.getByLabelText('Пароль'), { target: { value: 'nope nope nope' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Войти' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Не удалось войти: wrong email or password');
  });

  it('accepts a pasted API key and checks it with /auth/me as a Bearer token', async () => {
    const fetchImpl = vi.fn(async () => json(200, { kind: 'api_key', role: 'admin', email: null }));
    const onSignedIn = vi.fn();
    render(
      <I18nProvider lang="en">
        <SignIn onSignedIn={onSignedIn} fetchImpl={fetchImpl as unknown as typeof fetch} />
      </I18nProvider>,
    );
    fireEvent.change(screen.getByLabelText('API key'), { target: { value: ' rt_abcdefgh_xyz ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Use this key' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalled());
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/auth/me');
    expect(init.headers).toMatchObject({ authorization: 'Bearer rt_abcdefgh_xyz' });
    expect(onSignedIn.mock.calls[0]?.[1]).toEqual({ kind: 'key', key: 'rt_abcdefgh_xyz' });
  });

  it('says how long to wait after too many failed attempts', async () => {
    const fetchImpl = vi.fn(async () =>
      json(429, {
        error: {
          code: 'rate_limited',
          message: 'too many failed sign-ins for this account',
          details: { scope: 'account', retryAfterSeconds: 840 },
        },
      }),
    );
    render(
      <I18nProvider lang="ru">
        <SignIn onSignedIn={vi.fn()} fetchImpl={fetchImpl as unknown as typeof fetch} />
      </I18nProvider>,
    );
    fireEvent.change(screen.getByLabelText('Эл. почта'), { target: { value: 'a@b.co' } });
    fireEvent.change(screen.getByLabelText('Пароль'), { target: { value: 'secret password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Войти' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Не удалось войти: слишком много неудачных попыток. Повторите через 14 мин.',
    );
  });
});
