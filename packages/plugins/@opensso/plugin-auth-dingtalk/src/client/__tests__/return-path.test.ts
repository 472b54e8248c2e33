/**
 * The return-path rule the browser bundle shares with the server (src/return-path.ts), run here in the client's
 * test project: what the sign-in page's `?redirect=` may become once signed in (checklists B1, G1, G5).
 */
import { describe, expect, it } from 'vitest';
import { sanitizeReturnPath } from '../../return-path';

describe('sanitizeReturnPath, as the browser bundle uses it', () => {
  it.each([
    ['javascript: with a v2 segment', 'javascript:window.__pwned=1//v2/'],
    ['javascript: split by a newline', 'java\nscript:window.__pwned=1//v2/'],
    ['javascript: split by a tab', 'java\tscript:alert(1)'],
    ['javascript: upper case', 'JavaScript:alert(1)'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['another origin', 'https://evil.example/v2/x'],
    ['a protocol-relative URL', '//evil.example/v2'],
    ['a backslash', '/\\evil'],
    ['a backslash and a slash', '\\/evil.example'],
    ['encoded slashes', '%2F%2Fevil.example'],
    ['encoded slashes after a slash', '/%2F%2Fevil.example/v2'],
    ['an encoded backslash', '/%5Cevil'],
    ['an encoded newline in the scheme', 'java%0Ascript:alert(1)'],
    ['a dot segment', '/.//evil.example/v2/'],
    ['an encoded dot segment', '/%2e//evil.example'],
    ['an empty value', ''],
    ['no value', null],
  ])('G1 falls back to /admin for %s', (_label, input) => {
    expect(sanitizeReturnPath(input)).toBe('/admin');
  });

  it.each([
    ['/admin', '/admin'],
    ['/admin/settings?tab=1#top', '/admin/settings?tab=1#top'],
    ['/v/admin/x', '/v/admin/x'],
    ['/x/../admin?from=g1', '/admin?from=g1'],
    ['/admin/x/..', '/admin/'],
  ])('G1 keeps the app path %s as %s', (input, expected) => {
    expect(sanitizeReturnPath(input)).toBe(expected);
  });
});
