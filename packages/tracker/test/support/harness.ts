import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { buildTracker } from '../../build.mjs';
import { launch, newContext, openSession, type Session } from './browser.js';
import { FakeServer, type FakeServerOptions, PHONE_PAGE } from './fake-server.js';

/**
 * What every tracker browser test file shares: the script built once, one Chromium, a shared context (cookies
 * cleared before each test; each test's server has a new port, so its origin and localStorage are new), and after
 * each test its sessions and fake servers closed, with no script or console error allowed in any of them.
 */
export function browserHarness() {
  let browser: Browser;
  let shared: BrowserContext;
  const sessions: Session[] = [];
  const servers: FakeServer[] = [];

  beforeAll(async () => {
    await buildTracker();
    browser = await launch();
    shared = await newContext(browser);
  });
  beforeEach(async () => {
    await shared.clearCookies();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    const open = sessions.splice(0);
    const errors = open.flatMap((session) => session.errors);
    for (const session of open) await session.close();
    for (const server of servers.splice(0)) await server.close();
    expect(errors).toEqual([]);
  });

  /** A fake Ringtrace server for this test, closed after it. */
  async function startServer(options?: FakeServerOptions): Promise<FakeServer> {
    const server = await new FakeServer(options).start();
    servers.push(server);
    return server;
  }

  return {
    startServer,
    /** A fake server that also serves PHONE_PAGE at /page. */
    async startPhoneServer(options?: FakeServerOptions): Promise<FakeServer> {
      const server = await startServer(options);
      server.pages.set('page', PHONE_PAGE);
      return server;
    },
    /** A page in the shared context, or with `own`, in a context of its own (own clock, own storage). */
    async newSession(own?: 'own context'): Promise<Session> {
      const session = await openSession(browser, own ? undefined : shared);
      sessions.push(session);
      return session;
    },
  };
}
