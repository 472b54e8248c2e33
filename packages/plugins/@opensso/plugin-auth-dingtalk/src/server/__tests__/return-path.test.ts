import { describe, expect, it } from 'vitest';
import { sanitizeReturnPath } from '../return-path';

describe('sanitizeReturnPath (checklist B1)', () => {
  it.each([
    ['/admin', '/admin'],
    ['/admin/settings/auth?x=1#y', '/admin/settings/auth?x=1#y'],
    ['/admin/%E4%B8%AD', '/admin/%E4%B8%AD'],
  ])('B1 keeps the app path %s', (input, expected) => {
    expect(sanitizeReturnPath(input)).toBe(expected);
  });

  it.each([
    ['protocol-relative', '//evil.example'],
    ['backslash', '/\\evil.example'],
    ['absolute URL', 'https://evil.example/admin'],
    ['encoded slashes', '%2F%2Fevil.example'],
    ['encoded slashes after a slash', '/%2Fevil.example'],
    ['encoded backslash', '/%5Cevil.example'],
    ['javascript scheme', 'javascript:alert(1)'],
    ['CR/LF', '/admin\r\nSet-Cookie: x=1'],
    ['tab', '/\t/evil.example'],
    ['relative path', 'admin'],
    ['empty', ''],
    ['not a string', ['/admin']],
    ['malformed escape', '/admin%E0%A4%A'],
    ['too long', `/${'a'.repeat(3000)}`],
  ])('B1 falls back to /admin for %s', (_label, input) => {
    expect(sanitizeReturnPath(input)).toBe('/admin');
  });
});
