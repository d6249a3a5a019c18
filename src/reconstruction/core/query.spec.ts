import { Query } from './query';

describe('Query', () => {
  it.each([
    'command=sh&command=-c&command=ls%20-la%20%2Ftmp&container=app&stdin=true',
    'labelSelector=app%3Dweb%2Ctier%21%3Ddb&limit=500&fieldSelector=a+b',
    'a&b=&=c&&d=1=2&e=%E2%9C%93&f=%ZZ&g=%E0%A4%A&h=%2',
    '',
  ])('reads %j as URLSearchParams does', (raw) => {
    const ours = new Query(raw);
    const reference = new URLSearchParams(raw);
    for (const name of new Set([...reference.keys(), 'missing', 'command', 'a'])) {
      expect({ name, all: ours.getAll(name), one: ours.get(name), has: ours.has(name) }).toEqual({
        name,
        all: reference.getAll(name),
        one: reference.get(name),
        has: reference.has(name),
      });
    }
  });
});
