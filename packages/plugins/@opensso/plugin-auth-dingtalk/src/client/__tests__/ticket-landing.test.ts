/**
 * The ticket landing: back from DingTalk on the page the person wanted, the plugin redeems the ticket during that page
 * load, before the host's router exists, and rewrites the address for it: the same page without the marker when it
 * worked, the sign-in page with the reason under the button when it did not. The host's API client is played by a
 * recorder; the request it is asked to send is the one NocoBase's SDK sends for `auth.signIn({}, name)`.
 */
import { describe, expect, it } from 'vitest';
import { QUERY } from '../../constants';
import { errorLandingParams, readErrorLanding } from '../../error-landing';
import { parseLanding } from '../landing';
import { parseLinkLanding } from '../links';
import {
  type ClientBase,
  failedLandingUrl,
  finishTicketLanding,
  type PageLocation,
  routerPath,
  signedInDestination,
  ticketLandingOf,
} from '../ticket-landing';

const ORIGIN = 'http://app.test';
const V1: ClientBase = { routerBase: '/', modern: false, page: { origin: ORIGIN, publicPath: '/' } };
const V1_SUB: ClientBase = { routerBase: '/nb/apps/sub1/', modern: false, page: { origin: ORIGIN, publicPath: '/nb/' } };
const V2: ClientBase = { routerBase: '/nb/v/', modern: true, page: { origin: ORIGIN, publicPath: '/nb/' } };

function at(path: string): PageLocation {
  const url = new URL(path, ORIGIN);
  return { origin: ORIGIN, pathname: url.pathname, search: url.search, hash: url.hash };
}

type Sent = { config: Record<string, unknown>; authenticator?: string; token?: string };

function host(client: ClientBase, path: string, answer: () => Promise<{ data: unknown }>) {
  const steps: string[] = [];
  const sent: Sent[] = [];
  const stored: { authenticator?: string; token?: string } = {};
  return {
    steps,
    sent,
    stored,
    host: {
      ...client,
      location: at(path),
      api: {
        request: async (config: object) => {
          steps.push('request');
          sent.push({ config: config as Record<string, unknown> });
          return answer();
        },
        auth: {
          setAuthenticator: (name: string) => {
            steps.push(`authenticator ${name}`);
            stored.authenticator = name;
          },
          setToken: (token: string) => {
            steps.push('token');
            stored.token = token;
          },
        },
      },
      replace: (url: string) => steps.push(`replace ${url}`),
      load: (url: string) => steps.push(`load ${url}`),
    },
  };
}

const refused = (code: string, detail?: string) => () =>
  Promise.reject({ response: { status: 401, data: { errors: [{ code, message: 'x', ...(detail ? { detail } : {}) }] } } });

describe('ticketLandingOf', () => {
  it("names the authenticator of a successful callback's marker, and nothing when an error came with it", () => {
    expect(ticketLandingOf('?dingtalk_signin=dt')).toBe('dt');
    expect(ticketLandingOf('?x=1&dingtalk_signin=dt')).toBe('dt');
    expect(ticketLandingOf('')).toBeUndefined();
    expect(ticketLandingOf('?dingtalk_signin=')).toBeUndefined();
    expect(ticketLandingOf('?dingtalk_signin=dt&dingtalk_error=TICKET_INVALID')).toBeUndefined();
  });
});

describe('routerPath', () => {
  it('is the path under the router base, as the router sees it', () => {
    expect(routerPath('/admin/x', '/')).toBe('/admin/x');
    expect(routerPath('/nb/apps/sub1/admin/x', '/nb/apps/sub1/')).toBe('/admin/x');
    expect(routerPath('/nb/apps/sub1', '/nb/apps/sub1/')).toBe('/');
    expect(routerPath('/elsewhere', '/nb/')).toBe('/elsewhere');
  });
});

describe('finishTicketLanding', () => {
  it('redeems the ticket with auth:signIn, sets the token the host way, and keeps the page without the marker', async () => {
    const h = host(V1, '/admin/x?tab=1&dingtalk_signin=dt#h', async () => ({ data: { data: { token: 'T' } } }));
    expect(await finishTicketLanding(h.host)).toBe('signed-in');
    // The marker leaves the address before anything else (a reload must not replay it), then the token is set.
    expect(h.steps).toEqual(['replace /admin/x?tab=1#h', 'request', 'authenticator dt', 'token', 'replace /admin/x?tab=1#h']);
    expect(h.sent[0].config).toEqual({
      url: 'auth:signIn',
      method: 'post',
      headers: { 'X-Authenticator': 'dt' },
      data: {},
      skipNotify: true,
    });
    expect(h.stored).toEqual({ authenticator: 'dt', token: 'T' });
  });

  it('does nothing without a marker', async () => {
    const h = host(V1, '/admin?dingtalk_error=CANCELLED', async () => ({ data: {} }));
    expect(await finishTicketLanding(h.host)).toBe('none');
    expect(h.steps).toEqual([]);
  });

  it("turns a refused ticket into the sign-in page with the reason under that authenticator's button", async () => {
    const h = host(V1_SUB, '/nb/apps/sub1/admin/x?tab=1&dingtalk_signin=dt', refused('TICKET_INVALID'));
    expect(await finishTicketLanding(h.host)).toBe('failed');
    expect(h.stored).toEqual({});
    const last = new URL(h.steps.at(-1)!.replace('replace ', ''), ORIGIN);
    expect(last.pathname).toBe('/nb/apps/sub1/signin');
    expect(Object.fromEntries(last.searchParams)).toEqual({
      redirect: '/admin/x?tab=1',
      [QUERY.error]: 'TICKET_INVALID',
      [QUERY.authenticator]: 'dt',
    });
    // What the button on that page reads from it.
    expect(parseLanding(last.search, 'dt')).toEqual({ kind: 'error', code: 'TICKET_INVALID' });
    expect(parseLanding(last.search, 'other')).toEqual({ kind: 'none' });
  });

  it('keeps a detail of the closed lists, and shows a generic sentence for a failure without a known code', async () => {
    const denied = host(V1, '/admin?dingtalk_signin=dt', refused('CONFIG_INVALID', 'clientId'));
    await finishTicketLanding(denied.host);
    const url = new URL(denied.steps.at(-1)!.replace('replace ', ''), ORIGIN);
    expect(parseLanding(url.search, 'dt')).toEqual({ kind: 'error', code: 'CONFIG_INVALID', detail: 'clientId' });

    const down = host(V1, '/admin?dingtalk_signin=dt', () => Promise.reject(new Error('Network Error')));
    await finishTicketLanding(down.host);
    const generic = new URL(down.steps.at(-1)!.replace('replace ', ''), ORIGIN);
    expect(parseLanding(generic.search, 'dt')).toEqual({ kind: 'error', code: undefined });

    const empty = host(V1, '/admin?dingtalk_signin=dt', async () => ({ data: { data: {} } }));
    expect(await finishTicketLanding(empty.host)).toBe('failed');
    expect(empty.stored).toEqual({});
  });

  it("sends the modern client's failure to its own sign-in page, with the page from the site root as redirect", async () => {
    const h = host(V2, '/nb/v/admin/x?dingtalk_signin=dt', refused('TICKET_INVALID'));
    await finishTicketLanding(h.host);
    const last = new URL(h.steps.at(-1)!.replace('replace ', ''), ORIGIN);
    expect(last.pathname).toBe('/nb/v/signin');
    expect(last.searchParams.get('redirect')).toBe('/nb/v/admin/x');
  });
});

describe('a landing on the sign-in page (older versions, or a crafted link)', () => {
  it('goes on to the checked ?redirect= once signed in, never to a value the return-path rule refuses', () => {
    expect(signedInDestination(at('/signin?redirect=%2Fadmin%2Fx&dingtalk_signin=dt'), V1)).toEqual({ replace: '/admin/x' });
    expect(signedInDestination(at('/signin?redirect=javascript%3Aalert(1)%2F%2Fv2%2F&dingtalk_signin=dt'), V1)).toEqual({
      replace: '/admin',
    });
    expect(signedInDestination(at('/nb/apps/sub1/signin?dingtalk_signin=dt'), V1_SUB)).toEqual({ replace: '/nb/apps/sub1/admin' });
    // A page of the modern client from the v1 client's sign-in page: only a page load gets there.
    expect(signedInDestination(at('/signin?redirect=%2Fv%2Fadmin&dingtalk_signin=dt'), V1)).toEqual({ load: `${ORIGIN}/v/admin` });
    // The modern client's own pages stay in the same load.
    expect(signedInDestination(at('/nb/v/signin?redirect=%2Fnb%2Fv%2Fadmin&dingtalk_signin=dt'), V2)).toEqual({ replace: '/nb/v/admin' });
  });

  it('keeps its ?redirect= when the ticket is refused there', () => {
    const url = new URL(failedLandingUrl(at('/signin?redirect=%2Fadmin%2Fy&dingtalk_signin=dt'), V1, { authenticator: 'dt', code: 'TICKET_INVALID' }), ORIGIN);
    expect(url.pathname).toBe('/signin');
    expect(url.searchParams.get('redirect')).toBe('/admin/y');
  });
});

describe('the error landing, one reading for the sign-in button and the link landing', () => {
  it('reads back what the server writes, dropping what is not a known code or a detail of the closed lists', () => {
    const written = new URLSearchParams();
    for (const [key, value] of Object.entries(errorLandingParams({ code: 'DINGTALK_PERMISSION_DENIED', authenticator: 'dt', detail: 'Contact.User.mobile' }))) {
      if (value !== undefined) written.set(key, value);
    }
    expect(readErrorLanding(written)).toEqual({ code: 'DINGTALK_PERMISSION_DENIED', authenticator: 'dt', detail: 'Contact.User.mobile' });
    expect(errorLandingParams({ code: 'CANCELLED', detail: 'free text' })[QUERY.detail]).toBeUndefined();
    expect(readErrorLanding(new URLSearchParams({ [QUERY.error]: 'nope', [QUERY.detail]: 'a b' }))).toEqual({});
    expect(readErrorLanding(new URLSearchParams({ [QUERY.signin]: 'dt' }))).toBeUndefined();
    // Both readers agree on the same address.
    const search = `?${written.toString()}`;
    expect(parseLanding(search, 'dt')).toEqual({ kind: 'error', code: 'DINGTALK_PERMISSION_DENIED', detail: 'Contact.User.mobile' });
    expect(parseLinkLanding(search)).toEqual({ kind: 'error', code: 'DINGTALK_PERMISSION_DENIED', detail: 'Contact.User.mobile' });
  });
});
