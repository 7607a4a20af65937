import { describe, expect, it } from 'vitest';
import { treeOrder } from '../../web/src/features/organizations/tree.ts';

const org = (id: string, parentId: string | null, name: string) => ({ id, parentId, name });

describe('treeOrder', () => {
  it('puts parents before children and sorts siblings by name', () => {
    const rows = treeOrder([org('b', 'isp', 'Reseller B'), org('a1', 'a', 'Sub A1'), org('isp', null, 'ISP'), org('a', 'isp', 'Reseller A'), org('card', 'a', 'Card A')]);
    expect(rows.map((r) => [r.item.id, r.level])).toEqual([
      ['isp', 0],
      ['a', 1],
      ['card', 2],
      ['a1', 2],
      ['b', 1],
    ]);
  });

  it('starts a tree at an organization whose parent is not in the list', () => {
    const rows = treeOrder([org('a1', 'a', 'Sub A1'), org('b', 'isp', 'Reseller B'), org('x', 'a1', 'Card X')]);
    expect(rows.map((r) => [r.item.id, r.level])).toEqual([
      ['b', 0],
      ['a1', 0],
      ['x', 1],
    ]);
  });

  it('returns nothing for no organizations', () => {
    expect(treeOrder([])).toEqual([]);
  });
});
