import { loginUrl, safeNext } from './login-next';

describe('safeNext', () => {
  it.each([
    ['/', '/'],
    ['/overview?cluster=prod&verb=delete', '/overview?cluster=prod&verb=delete'],
    ['/users/system%3Aadmin#top', '/users/system%3Aadmin#top'],
    ['/events/../overview', '/overview'],
  ])('keeps the console path %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it.each([
    '//evil.example/x',
    '/\\evil.example',
    '\\\\evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '/.//evil.example',
    '/\tevil',
    'overview',
    '',
    `/${'a'.repeat(2048)}`,
  ])('sends %j to / instead', (next) => {
    expect(safeNext(next)).toBe('/');
  });

  it('ignores what is not a single string', () => {
    expect(safeNext(['/a', '/b'])).toBe('/');
    expect(safeNext(undefined)).toBe('/');
  });
});

describe('loginUrl', () => {
  it('carries the page to come back to, encoded', () => {
    expect(loginUrl('/')).toBe('/login');
    expect(loginUrl('/overview?cluster=prod')).toBe('/login?next=%2Foverview%3Fcluster%3Dprod');
  });
});
