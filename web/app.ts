/**
 * The web application: server-rendered pages with GOV.UK Frontend and MOJ Frontend, over the
 * Scrutineer API (docs/adr/0005-web-application.md). Every page works without JavaScript. Each
 * page calls the API with the signed-in person's token, so the API stays the one place that
 * decides who may see what. Pages send a strict Content-Security-Policy with a per-request nonce,
 * and `Cache-Control: no-store`: nothing of a case is kept by the browser.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import nunjucks from 'nunjucks';
import { ApiRefused, callApi } from './api.ts';
import { nominatingRoutes } from './routes/nominating.ts';
import { reviewingRoutes } from './routes/reviewing.ts';
import { csrfMatches, INACTIVITY_MS, type Session, SessionStore } from './sessions.ts';
import type { Provider } from './sign-in.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const MODULES = path.join(ROOT, 'node_modules');
const GOVUK = path.join(MODULES, 'govuk-frontend', 'dist');
const MOJ = path.join(MODULES, '@ministryofjustice', 'frontend');
const COOKIE = 'scrutineer_session';

export interface WebAppOptions {
  readonly apiUrl: string;
  readonly provider: Provider;
  /** The application's own address: its cookie is `Secure` unless it is plain http on loopback. */
  readonly publicUrl: string;
  readonly sessions?: SessionStore;
}

/** The files under /assets: GOV.UK Frontend's and MOJ Frontend's built CSS, JS, fonts and images. */
const ASSET_FILES: Readonly<Record<string, string>> = {
  'govuk-frontend.min.css': path.join(GOVUK, 'govuk', 'govuk-frontend.min.css'),
  'govuk-frontend.min.js': path.join(GOVUK, 'govuk', 'govuk-frontend.min.js'),
  'moj-frontend.min.css': path.join(MOJ, 'moj', 'moj-frontend.min.css'),
  'init.mjs': path.join(import.meta.dirname, 'assets', 'init.mjs'),
};
const ASSET_FOLDERS = ['fonts', 'images'];
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** What each role finds in the navigation; a person with several roles sees each. */
const NAVIGATION = [
  { href: '/my-cases', text: 'My cases', roles: ['panel_member', 'auditor'] },
  { href: '/nominations', text: 'My nominations', roles: ['isva', 'cps', 'police'] },
] as const;

export interface Env {
  Variables: { session: Session | undefined; nonce: string };
}

/** What each group of routes (web/routes/) is given to answer with pages. */
export interface PageKit {
  readonly app: Hono<Env>;
  readonly apiUrl: string;
  render(c: Context<Env>, view: string, context: Record<string, unknown>, status?: number): Response;
  message(
    c: Context<Env>,
    status: number,
    title: string,
    paragraphs: readonly string[],
    link?: { href: string; text: string },
  ): Response;
  notFound(c: Context<Env>): Response;
}

function assetPath(name: string): string | undefined {
  const direct = ASSET_FILES[name];
  if (direct) return direct;
  const [folder, ...rest] = name.split('/');
  if (!folder || !ASSET_FOLDERS.includes(folder) || rest.some((part) => part === '..' || part === ''))
    return undefined;
  return path.join(GOVUK, 'govuk', 'assets', folder, ...rest);
}

export function createWebApp(options: WebAppOptions): Hono<Env> {
  const sessions = options.sessions ?? new SessionStore();
  const secure = !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(new URL(options.publicUrl).origin);
  const views = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([path.join(import.meta.dirname, 'views'), GOVUK, MOJ]),
    { autoescape: true, throwOnUndefined: false },
  );
  const app = new Hono<Env>();

  const render = (c: Context<Env>, view: string, context: Record<string, unknown>, status = 200) => {
    const session = c.get('session');
    const roles = session?.user?.roles ?? [];
    const navigation = NAVIGATION.filter((item) => item.roles.some((role) => roles.includes(role))).map(
      (item) => ({ href: item.href, text: item.text, active: c.req.path === item.href }),
    );
    const html = views.render(view, {
      ...context,
      cspNonce: c.get('nonce'),
      user: session?.user,
      csrfToken: session?.csrfToken,
      navigation: session?.user ? navigation : [],
    });
    return c.html(html, status as 200);
  };

  /** A page that says one thing: a heading, a few paragraphs and where to go next. */
  const message = (
    c: Context<Env>,
    status: number,
    title: string,
    paragraphs: readonly string[],
    link?: { href: string; text: string },
  ) => render(c, 'message.njk', { title, paragraphs, ...(link ? { link } : {}) }, status);

  const notFound = (c: Context<Env>) =>
    message(
      c,
      404,
      'Page not found',
      ['If you typed the web address, check it is correct.', 'If you pasted it, check you copied all of it.'],
      { href: '/', text: 'Go to your work' },
    );

  app.get('/assets/*', async (c) => {
    const file = assetPath(c.req.path.slice('/assets/'.length));
    const body = file ? await readFile(file).catch(() => undefined) : undefined;
    if (!file || !body) return c.text('Not found', 404);
    return c.body(body, 200, {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'public, max-age=3600',
      'x-content-type-options': 'nosniff',
    });
  });

  // Every page: its session, a nonce for the one inline script GOV.UK's template has, and headers.
  app.use('*', async (c, next) => {
    if (c.req.path.startsWith('/assets/')) return next();
    const nonce = randomBytes(16).toString('base64');
    c.set('nonce', nonce);
    c.set('session', sessions.find(getCookie(c, COOKIE)));
    await next();
    c.header(
      'content-security-policy',
      `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self'; img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
    );
    c.header('cache-control', 'no-store');
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('x-frame-options', 'DENY');
  });

  // A form posted without its session's CSRF token changes nothing.
  app.use('*', async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const session = c.get('session');
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    if (!session || !csrfMatches(session, form._csrf)) {
      return message(
        c,
        403,
        'Sorry, there is a problem',
        ['The form had expired or did not come from this service, so nothing was changed.'],
        { href: '/', text: 'Start again' },
      );
    }
    return next();
  });

  const cookieOptions = {
    httpOnly: true,
    secure,
    sameSite: 'Lax' as const,
    path: '/',
    maxAge: INACTIVITY_MS / 1000,
  };

  app.get('/', (c) => {
    const session = c.get('session');
    if (!session?.user) return render(c, 'start.njk', { title: 'Scrutineer' });
    return render(c, 'home.njk', { title: 'Your work' });
  });

  app.get('/sign-in', async (c) => {
    const { url, pending } = await options.provider.begin();
    const session = sessions.create();
    session.pending = pending;
    setCookie(c, COOKIE, session.id, cookieOptions);
    return c.redirect(url, 302);
  });

  app.get('/auth/callback', async (c) => {
    const session = c.get('session');
    const pending = session?.pending;
    if (!session || !pending) return c.redirect('/', 302);
    try {
      const user = await options.provider.finish(new URL(c.req.url), pending);
      // A new session id once signed in, so an id seen before sign-in is worth nothing after.
      sessions.end(session.id);
      const signedIn = sessions.create();
      signedIn.user = user;
      setCookie(c, COOKIE, signedIn.id, cookieOptions);
      // The API learns who signed in (and their roles), as the CLI's whoami does.
      await callApi(options.apiUrl, user.idToken, 'GET', '/me').catch(() => undefined);
      return c.redirect('/', 302);
    } catch {
      sessions.end(session.id);
      deleteCookie(c, COOKIE, { path: '/' });
      return message(
        c,
        400,
        'Sorry, you could not be signed in',
        ['The sign-in did not complete. Try again.'],
        {
          href: '/sign-in',
          text: 'Sign in',
        },
      );
    }
  });

  app.post('/sign-out', (c) => {
    const session = c.get('session') as Session;
    sessions.end(session.id);
    deleteCookie(c, COOKIE, { path: '/' });
    return c.redirect(session.user ? options.provider.signOutUrl(session.user.idToken) : '/signed-out', 302);
  });

  app.get('/signed-out', (c) =>
    message(c, 200, 'You have signed out', ['Your session has ended.'], {
      href: '/sign-in',
      text: 'Sign in again',
    }),
  );

  const kit: PageKit = { app, apiUrl: options.apiUrl, render, message, notFound };
  reviewingRoutes(kit);
  nominatingRoutes(kit);

  app.notFound(notFound);
  app.onError((error, c) => {
    if (error instanceof ApiRefused && error.status === 404) return notFound(c);
    if (error instanceof ApiRefused && error.status === 401) {
      const session = c.get('session');
      if (session) sessions.end(session.id);
      return c.redirect('/sign-in', 302);
    }
    if (error instanceof ApiRefused && error.status === 403) return notFound(c);
    console.error('[web] request failed:', error instanceof Error ? error.name : 'error');
    return message(c, 500, 'Sorry, there is a problem with the service', ['Try again later.']);
  });
  return app;
}
