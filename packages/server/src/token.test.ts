import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './testing.ts';
import { checkBearer, resolveAdminToken } from './token.ts';

const dir = tempDir('modelgate-token-');
let counter = 0;
function cwd(): string {
  const path = join(dir, `cwd-${++counter}`);
  mkdirSync(path);
  return path;
}

describe('the admin token', () => {
  it('comes from MODELGATE_ADMIN_TOKEN first', async () => {
    const token = await resolveAdminToken({
      env: { MODELGATE_ADMIN_TOKEN: ' s3cret\n' },
      file: 'ignored',
      cwd: cwd(),
    });
    expect(token).toEqual({ token: 's3cret', source: 'MODELGATE_ADMIN_TOKEN', generated: false });
  });

  it('then from the file given, which must exist and hold a token', async () => {
    const here = cwd();
    writeFileSync(join(here, 'token'), 'from-file\n', { mode: 0o644 });
    const token = await resolveAdminToken({ env: {}, file: 'token', cwd: here });
    expect(token).toEqual({ token: 'from-file', source: join(here, 'token'), generated: false });
    // A token anyone on the machine could read is tightened to its owner.
    expect(statSync(join(here, 'token')).mode & 0o777).toBe(0o600);
    await expect(resolveAdminToken({ env: {}, file: 'missing', cwd: here })).rejects.toThrow(
      /admin token file .*missing not found/,
    );
    writeFileSync(join(here, 'empty'), '\n');
    await expect(resolveAdminToken({ env: {}, file: 'empty', cwd: here })).rejects.toThrow(
      /admin token file .*empty is empty/,
    );
  });

  it('else is generated into .modelgate/admin-token (mode 0600) and reused by the next start', async () => {
    const here = cwd();
    const first = await resolveAdminToken({ env: {}, cwd: here });
    const path = join(here, '.modelgate', 'admin-token');
    expect(first).toMatchObject({ source: path, generated: true });
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(path, 'utf8').trim()).toBe(first.token);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = await resolveAdminToken({ env: { MODELGATE_ADMIN_TOKEN: '' }, cwd: here });
    expect(second).toEqual({ token: first.token, source: path, generated: false });
  });

  it('gives servers started together in one directory the same token', async () => {
    const here = cwd();
    const tokens = await Promise.all(
      Array.from({ length: 8 }, () => resolveAdminToken({ env: {}, cwd: here })),
    );
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(tokens.filter((t) => t.generated)).toHaveLength(1);
  });

  it('is checked as a bearer token', () => {
    expect(checkBearer(undefined, 'abc')).toBe('missing');
    expect(checkBearer('Basic abc', 'abc')).toBe('missing');
    expect(checkBearer('Bearer abd', 'abc')).toBe('wrong');
    expect(checkBearer('Bearer abcd', 'abc')).toBe('wrong');
    expect(checkBearer('Bearer abc', 'abc')).toBe('ok');
    expect(checkBearer('bearer  abc ', 'abc')).toBe('ok');
  });
});
