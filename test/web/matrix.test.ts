import { describe, expect, it } from 'vitest';
import { permissionGrid, togglePermission } from '../../web/src/features/roles/matrix.ts';

const catalogue = ['users.read', 'users.create', 'users.export', 'audit.read', 'audit.export', 'api_tokens.read', 'api_tokens.delete', 'reports.approve'];

describe('permissionGrid', () => {
  it('lays permissions out as resources × actions in the usual action order', () => {
    const grid = permissionGrid(catalogue);
    expect(grid.resources).toEqual(['users', 'audit', 'api_tokens', 'reports']);
    expect(grid.actions).toEqual(['read', 'create', 'delete', 'export', 'approve']);
    expect(grid.cell('users', 'create')).toBe('users.create');
    expect(grid.cell('audit', 'create')).toBeNull();
    expect(grid.cell('reports', 'approve')).toBe('reports.approve');
  });
});

describe('togglePermission', () => {
  it('grants reading a resource with any other action on it', () => {
    expect([...togglePermission(new Set(), 'users.create', true, catalogue)].sort()).toEqual(['users.create', 'users.read']);
  });

  it('takes every action on a resource away with reading it', () => {
    const next = togglePermission(new Set(['users.read', 'users.create', 'audit.read']), 'users.read', false, catalogue);
    expect([...next]).toEqual(['audit.read']);
  });

  it('takes away one action and keeps the rest', () => {
    const next = togglePermission(new Set(['users.read', 'users.create']), 'users.create', false, catalogue);
    expect([...next]).toEqual(['users.read']);
  });

  it('does not add a read permission the catalogue lacks', () => {
    expect([...togglePermission(new Set(), 'reports.approve', true, catalogue)]).toEqual(['reports.approve']);
  });
});
