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

  it.each([
    ['a dot segment before a double slash', '/.//evil.example/x'],
    ['an encoded dot segment', '/%2e//evil.example/x'],
    ['an encoded upper-case dot segment', '/%2E//evil.example/x'],
    ['a dot-dot segment', '/admin/..//evil.example'],
    ['an encoded dot-dot segment', '/admin/%2e%2e//evil.example'],
    ['dot-dot segments above the root', '/a/../..//evil.example/x'],
    ['a dot-dot segment before an encoded slash', '/%2e%2e/%2fevil.example'],
    ['an encoded dot-dot segment and encoded slashes', '/admin/%2E%2E%2F%2Fevil.example'],
  ])('G5 falls back to /admin for %s', (_label, input) => {
    expect(sanitizeReturnPath(input)).toBe('/admin');
  });

  it.each([
    ['/admin/./settings', '/admin/settings'],
    ['/admin/x/../y?z=1#h', '/admin/y?z=1#h'],
    ['/admin/%2e/x', '/admin/x'],
    ['/admin/a%2e/x', '/admin/a%2e/x'],
  ])('G5 returns the normalised path it checked: %s is %s', (input, expected) => {
    expect(sanitizeReturnPath(input)).toBe(expected);
  });
});
