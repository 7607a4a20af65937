import { Checkbox, Table } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { permissionGrid, togglePermission } from './matrix.ts';

/** Checkboxes of resource × action; also used to pick an API token's scopes. */
export function PermissionMatrix(props: {
  catalogue: readonly string[];
  selected: ReadonlySet<string>;
  onChange?: (next: Set<string>) => void;
}) {
  const { t } = useTranslation();
  const grid = permissionGrid(props.catalogue);
  const resourceName = (r: string) => t(`permissions.resource.${r}`, { defaultValue: r });
  const actionName = (a: string) => t(`permissions.action.${a}`, { defaultValue: a });
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table withTableBorder withColumnBorders>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('permissions.resourceHeader')}</Table.Th>
            {grid.actions.map((a) => (
              <Table.Th key={a} ta="center">
                {actionName(a)}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {grid.resources.map((r) => (
            <Table.Tr key={r}>
              <Table.Td fw={500}>{resourceName(r)}</Table.Td>
              {grid.actions.map((a) => {
                const key = grid.cell(r, a);
                return (
                  <Table.Td key={a}>
                    {key && (
                      <Checkbox
                        style={{ display: 'flex', justifyContent: 'center' }}
                        aria-label={`${resourceName(r)}: ${actionName(a)}`}
                        checked={props.selected.has(key)}
                        disabled={!props.onChange}
                        onChange={(e) => props.onChange?.(togglePermission(props.selected, key, e.currentTarget.checked, props.catalogue))}
                      />
                    )}
                  </Table.Td>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
