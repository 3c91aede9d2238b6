// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Project, User } from '../api.js';
import { fakeApi, Providers } from '../test-support.js';
import { UsersPage } from './users.js';

afterEach(cleanup);

const project = (id: string, name: string) => ({ id, name }) as Project;
const user = (over: Partial<User>): User => ({
  id: 'u2',
  email: 'analyst@example.com',
  name: 'analyst',
  role: 'analyst',
  allProjects: false,
  projectIds: ['p1'],
  createdAt: 0,
  ...over,
});

function server() {
  let users: User[] = [
    user({
      id: 'u1',
      email: 'admin@example.com',
      name: 'admin',
      role: 'admin',
      allProjects: true,
      projectIds: [],
    }),
    user({}),
  ];
  const api = fakeApi((r) => {
    if (r.path === '/api/v1/projects') return [project('p1', 'Clinic'), project('p2', 'Okna')];
    if (r.method === 'GET') return users;
    if (r.method === 'POST') {
      const body = r.body as Partial<User> & { email: string };
      const created = user({ id: 'u3', ...body });
      users = [...users, created];
      return { user: created, temporaryPassword: 'Gen3rated-Pass_16' };
    }
    if (r.method === 'PATCH') {
      users = users.map((u) => (r.path.endsWith(u.id) ? { ...u, ...(r.body as Partial<User>) } : u));
      return users.find((u) => r.path.endsWith(u.id));
    }
    users = users.filter((u) => !r.path.endsWith(u.id));
    return undefined;
  });
  return api;
}

describe('UsersPage', () => {
  it('lists users with their role and projects; one’s own row cannot be changed', async () => {
    render(
      <Providers api={server()}>
        <UsersPage />
      </Providers>,
    );
    const table = await screen.findByRole('table', { name: 'Users' });
    await waitFor(() => expect(table.textContent).toContain('Clinic'));
    const me = within(table).getByRole('row', { name: /admin@example.com/ });
    expect(me.textContent).toContain('you');
    expect(me.textContent).toContain('all projects');
    expect(within(me).queryByRole('button')).toBeNull();
    const other = within(table).getByRole('row', { name: /analyst@example.com/ });
    expect(other.textContent).toContain('analyst');
    expect(within(other).getByRole('button', { name: 'Change analyst@example.com' })).toBeTruthy();
  });

  it('invites a user to chosen projects and shows the generated password once', async () => {
    const api = server();
    render(
      <Providers api={api}>
        <UsersPage />
      </Providers>,
    );
    await screen.findByRole('table', { name: 'Users' });
    const form = screen.getByRole('group', { name: 'Invite a user' });
    fireEvent.change(within(form).getByLabelText('Email'), { target: { value: ' new@example.com ' } });
    fireEvent.change(within(form).getByLabelText('Role'), { target: { value: 'admin' } });
    fireEvent.click(within(form).getByLabelText('Okna'));
    fireEvent.click(within(form).getByRole('button', { name: 'Invite' }));
    expect(await screen.findByTestId('temporary-password')).toHaveProperty(
      'textContent',
      'Gen3rated-Pass_16',
    );
    expect(api.requests.find((r) => r.method === 'POST')?.body).toEqual({
      email: 'new@example.com',
      role: 'admin',
      allProjects: false,
      projectIds: ['p2'],
    });
    expect(screen.getByRole('status').textContent).toContain('new@example.com can sign in now.');
    await waitFor(() =>
      expect(screen.getByRole('table', { name: 'Users' }).textContent).toContain('new@example.com'),
    );
  });

  it('changes a role and projects, and removes a user after a confirmation', async () => {
    const api = server();
    render(
      <Providers api={api}>
        <UsersPage />
      </Providers>,
    );
    const table = await screen.findByRole('table', { name: 'Users' });
    fireEvent.click(await within(table).findByRole('button', { name: 'Change analyst@example.com' }));
    const edit = within(table).getByRole('group', { name: 'Change analyst@example.com' });
    expect(document.activeElement).toBe(within(edit).getByLabelText('Role'));
    fireEvent.change(within(edit).getByLabelText('Role'), { target: { value: 'admin' } });
    fireEvent.click(within(edit).getByLabelText('Okna'));
    fireEvent.click(within(edit).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.requests.find((r) => r.method === 'PATCH')).toEqual({
        method: 'PATCH',
        path: '/api/v1/users/u2',
        body: { role: 'admin', allProjects: false, projectIds: ['p1', 'p2'] },
      }),
    );
    await waitFor(() =>
      expect(within(table).getByRole('row', { name: /analyst@example.com/ }).textContent).toContain(
        'Clinic, Okna',
      ),
    );

    fireEvent.click(within(table).getByRole('button', { name: 'Remove analyst@example.com' }));
    expect(api.requests.some((r) => r.method === 'DELETE')).toBe(false);
    expect(document.activeElement?.textContent).toBe('Really remove analyst@example.com');
    fireEvent.click(within(table).getByRole('button', { name: 'Really remove analyst@example.com' }));
    await waitFor(() => expect(table.textContent).not.toContain('analyst@example.com'));
    expect(api.requests.find((r) => r.method === 'DELETE')?.path).toBe('/api/v1/users/u2');
  });

  it('speaks Russian', async () => {
    render(
      <Providers api={server()} lang="ru">
        <UsersPage />
      </Providers>,
    );
    expect(await screen.findByRole('heading', { name: 'Пользователи' })).toBeTruthy();
    // The invite form appears once users and projects have loaded, which may be after the heading.
    expect(await screen.findByRole('group', { name: 'Пригласить пользователя' })).toBeTruthy();
  });
});
