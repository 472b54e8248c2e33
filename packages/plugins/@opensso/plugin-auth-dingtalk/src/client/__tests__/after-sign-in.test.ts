import { describe, expect, it } from 'vitest';
import { afterSignInTarget, modernClientPrefix, routeInApp } from '../after-sign-in';

const ORIGIN = 'https://nocobase.example';
const ROOT = { origin: ORIGIN, publicPath: '/' };
const redirect = (value: string) => `?${new URLSearchParams({ redirect: value })}`;

describe('afterSignInTarget (checklist G1)', () => {
  it.each([
    'javascript:window.__pwned=1//v2/',
    'java\nscript:window.__pwned=1//v2/',
    'https://evil.example/v2/x',
    '//evil.example/v2',
    '/\\evil.example/v2/',
    '%2F%2Fevil.example/v2/',
    '/%5Cevil.example/v2/',
    '/.//evil.example/v2/',
  ])('G1 sends a hostile redirect %j to /admin through the router, never by address', (value) => {
    expect(afterSignInTarget(redirect(value), ROOT)).toEqual({ kind: 'route', path: '/admin' });
  });

  it('G1 goes to /admin without a redirect, and to a checked path (normalised) with one', () => {
    expect(afterSignInTarget('', ROOT)).toEqual({ kind: 'route', path: '/admin' });
    expect(afterSignInTarget(new URLSearchParams({ x: '1' }), ROOT)).toEqual({ kind: 'route', path: '/admin' });
    expect(afterSignInTarget(redirect('/admin/settings?tab=1'), ROOT)).toEqual({ kind: 'route', path: '/admin/settings?tab=1' });
    expect(afterSignInTarget(redirect('/admin/x/../y'), ROOT)).toEqual({ kind: 'route', path: '/admin/y' });
  });

  it("G1 loads a page of NocoBase's modern client by address, on this origin only", () => {
    expect(afterSignInTarget(redirect('/v/admin/abc?x=1'), ROOT)).toEqual({
      kind: 'document',
      url: `${ORIGIN}/v/admin/abc?x=1`,
    });
    expect(afterSignInTarget(redirect('/v'), ROOT)).toEqual({ kind: 'document', url: `${ORIGIN}/v` });
    // Under a public path, given with it (as the server's SSO redirects are) or without it (router-relative).
    const sub = { origin: ORIGIN, publicPath: '/nocobase/' };
    expect(afterSignInTarget(redirect('/nocobase/v/admin'), sub)).toEqual({ kind: 'document', url: `${ORIGIN}/nocobase/v/admin` });
    expect(afterSignInTarget(redirect('/v/admin'), sub)).toEqual({ kind: 'document', url: `${ORIGIN}/nocobase/v/admin` });
    expect(afterSignInTarget(redirect('/admin'), sub)).toEqual({ kind: 'route', path: '/admin' });
    // APP_MODERN_CLIENT_PREFIX renames the segment.
    const renamed = { ...ROOT, modernPrefix: '/v2/' };
    expect(afterSignInTarget(redirect('/v2/admin'), renamed)).toEqual({ kind: 'document', url: `${ORIGIN}/v2/admin` });
    expect(afterSignInTarget(redirect('/v/admin'), renamed)).toEqual({ kind: 'route', path: '/v/admin' });
  });

  it('G1 treats a v2 segment elsewhere, or a look-alike first segment, as a page of this client', () => {
    expect(afterSignInTarget(redirect('/admin/v2/x'), ROOT)).toEqual({ kind: 'route', path: '/admin/v2/x' });
    expect(afterSignInTarget(redirect('/vip/x'), ROOT)).toEqual({ kind: 'route', path: '/vip/x' });
  });
});

describe('modernClientPrefix', () => {
  it("reads APP_MODERN_CLIENT_PREFIX as NocoBase's gateway does, default v", () => {
    expect(modernClientPrefix(undefined)).toBe('v');
    expect(modernClientPrefix('')).toBe('v');
    expect(modernClientPrefix('  ')).toBe('v');
    expect(modernClientPrefix(42)).toBe('v');
    expect(modernClientPrefix('/modern/')).toBe('modern');
  });
});

describe('routeInApp: a modern-client page reached with the modern client\'s own router', () => {
  const origin = 'https://nocobase.example';
  it('is the address relative to the router basename, with its query and hash', () => {
    expect(routeInApp(`${origin}/v/admin`, origin, '/v/')).toBe('/admin');
    expect(routeInApp(`${origin}/v/admin/x?y=1#z`, origin, '/v')).toBe('/admin/x?y=1#z');
    expect(routeInApp(`${origin}/v`, origin, '/v/')).toBe('/');
    expect(routeInApp(`${origin}/nocobase/v/admin`, origin, '/nocobase/v/')).toBe('/admin');
    expect(routeInApp(`${origin}/admin`, origin, '/')).toBe('/admin');
  });

  it('is nothing outside the basename or the origin, so the page is loaded instead', () => {
    expect(routeInApp(`${origin}/admin`, origin, '/v/')).toBeUndefined();
    expect(routeInApp(`${origin}/vx/admin`, origin, '/v/')).toBeUndefined();
    expect(routeInApp('https://evil.example/v/admin', origin, '/v/')).toBeUndefined();
    expect(routeInApp('not a url', origin, '/v/')).toBeUndefined();
  });
});
