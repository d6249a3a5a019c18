import { ForbiddenException, Logger } from '@nestjs/common';
import type { Identity } from '../auth/identity';
import type { AccessEntry, AccessLogFilter, AccessLogRepository } from './access-log.repository';
import { AccessLogService, bounded } from './access-log.service';

class MemoryAccessLog implements AccessLogRepository {
  readonly entries: AccessEntry[] = [];
  failing = false;

  append(entry: AccessEntry): Promise<void> {
    if (this.failing) return Promise.reject(new Error('table is gone'));
    this.entries.push(entry);
    return Promise.resolve();
  }

  list(filter: AccessLogFilter, page: { limit: number; before?: string }): Promise<AccessEntry[]> {
    return Promise.resolve(
      [...this.entries]
        .reverse()
        .filter((e) => filter.name === undefined || e.name === filter.name)
        .filter((e) => page.before === undefined || e.id < page.before)
        .slice(0, page.limit),
    );
  }
}

const ALICE: Identity = {
  name: 'alice',
  via: 'password',
  groups: ['dev'],
  visibility: { all: false, clusters: ['dev'] },
  admin: false,
};
const ADMIN: Identity = { ...ALICE, name: 'root', admin: true };

describe('bounded', () => {
  it('keeps short texts and cuts long ones to the limit, ellipsis included', () => {
    expect(bounded('abc', 3)).toBe('abc');
    expect(bounded('abcd', 3)).toBe('ab…');
    expect(bounded('', 3)).toBe('');
  });

  it('counts characters, never splitting a surrogate pair', () => {
    const text = '😀'.repeat(10);
    const cut = bounded(text, 4);
    expect(Array.from(cut)).toEqual(['😀', '😀', '😀', '…']);
    expect(cut).toBe('😀😀😀…');
  });
});

describe('AccessLogService', () => {
  it('records who, how, what and from where, each bounded', async () => {
    const repository = new MemoryAccessLog();
    const service = new AccessLogService(repository);
    await service.record(ALICE, 'search', {
      target: `/api/v1/events?q=${'a'.repeat(3000)}`,
      clientAddress: '10.0.0.7',
      userAgent: 'u'.repeat(600),
    });
    const [entry] = repository.entries;
    expect(entry).toMatchObject({ name: 'alice', via: 'password', action: 'search' });
    expect(entry.target).toHaveLength(2048);
    expect(entry.userAgent).toHaveLength(512);
    expect(entry.clientAddress).toBe('10.0.0.7');
    expect(Date.parse(entry.at)).toBeLessThanOrEqual(Date.now());
    expect(entry.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('records a failed login under the name that was tried, with no details', async () => {
    const repository = new MemoryAccessLog();
    await new AccessLogService(repository).record(
      { name: 'mallory', via: 'password' },
      'login-failed',
    );
    expect(repository.entries[0]).toMatchObject({
      name: 'mallory',
      action: 'login-failed',
      target: '',
      clientAddress: '',
      userAgent: '',
    });
  });

  it('a write that fails is logged and does not fail the caller', async () => {
    const repository = new MemoryAccessLog();
    repository.failing = true;
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await expect(
        new AccessLogService(repository).record(ALICE, 'export'),
      ).resolves.toBeUndefined();
      expect(error).toHaveBeenCalledWith(
        'could not record export by "alice": Error: table is gone',
      );
    } finally {
      error.mockRestore();
    }
  });

  it('lists for administrators only, newest first, a page at a time', async () => {
    const repository = new MemoryAccessLog();
    const service = new AccessLogService(repository);
    for (let i = 0; i < 5; i++) {
      await service.record(ALICE, 'search', { target: `/?n=${i}` });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await expect(service.list(ALICE, {}, { limit: 10 })).rejects.toBeInstanceOf(ForbiddenException);
    const first = await service.list(ADMIN, {}, { limit: 3 });
    expect(first.items.map((e) => e.target)).toEqual(['/?n=4', '/?n=3', '/?n=2']);
    expect(first.nextCursor).toBe(first.items[2].id);
    const second = await service.list(ADMIN, {}, { limit: 3, cursor: first.nextCursor! });
    expect(second.items.map((e) => e.target)).toEqual(['/?n=1', '/?n=0']);
    expect(second.nextCursor).toBeNull();
  });
});
