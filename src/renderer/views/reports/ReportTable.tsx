import { Box, Table, TableBody, TableCell, TableContainer, TableHead, TableRow, TableSortLabel, Typography } from '@mui/material';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Formatters } from './reportFormat';
import { nextSort, sortRows, type SortState } from './reportModel';

export type Figure = 'count' | 'duration' | 'percent';

export interface ReportColumn {
  field: string;
  /** Translated header text. */
  label: string;
  figure: Figure;
}

/** One row as the table shows it: figures worked out once, not on every comparison of a sort. */
export interface ReportTableRow {
  key: string;
  name: string;
  /** The SIP identity or team id, under the name. */
  identity: string;
  values: Record<string, number | null>;
}

interface Props {
  kind: 'teams' | 'agents' | 'supervisors';
  /** Accessible name of the table. */
  label: string;
  nameLabel: string;
  columns: ReportColumn[];
  rows: ReportTableRow[];
  fmt: Formatters;
  language: string;
  /** Held by the parent, so a table keeps its order while another tab is shown. */
  sort: SortState;
  onSort: (sort: SortState) => void;
}

/** A report table: a header per column that sorts by it (again: the other way), rows without a figure last. */
export function ReportTable({ kind, label, nameLabel, columns, rows, fmt, language, sort, onSort }: Props) {
  const { t } = useTranslation();
  const sorted = useMemo(
    () => sortRows(rows, (r) => (sort.field === 'name' ? r.name || r.identity : (r.values[sort.field] ?? null)), sort.direction, language),
    [rows, sort, language],
  );
  const header = (field: string, text: string, numeric: boolean) => (
    <TableCell key={field} align={numeric ? 'right' : 'left'} sortDirection={sort.field === field ? sort.direction : false}>
      <TableSortLabel
        active={sort.field === field}
        direction={sort.field === field ? sort.direction : 'asc'}
        onClick={() => onSort(nextSort(sort, field))}
        data-testid={`reports-sort-${field}`}
      >
        {text}
      </TableSortLabel>
    </TableCell>
  );
  return (
    <TableContainer sx={{ maxWidth: '100%', overflowX: 'auto' }}>
      <Table size="small" aria-label={label} data-testid={`reports-table-${kind}`} data-sort={`${sort.field}:${sort.direction}`}>
        <TableHead>
          <TableRow>
            {header('name', nameLabel, false)}
            {columns.map((c) => header(c.field, c.label, true))}
          </TableRow>
        </TableHead>
        <TableBody>
          {sorted.map((r) => (
            <TableRow key={r.key} hover data-testid={`reports-row-${kind}`} data-key={r.key}>
              <TableCell component="th" scope="row" data-field="name">
                <Box>{r.name || r.identity}</Box>
                {r.name && r.identity !== r.name && (
                  <Typography variant="caption" color="text.secondary">
                    {r.identity}
                  </Typography>
                )}
              </TableCell>
              {columns.map((c) => {
                const v = r.values[c.field] ?? null;
                return (
                  <TableCell key={c.field} align="right" data-field={c.field} data-value={v ?? ''} sx={{ whiteSpace: 'nowrap' }}>
                    {fmt[c.figure](v)}
                  </TableCell>
                );
              })}
            </TableRow>
          ))}
          {sorted.length === 0 && (
            <TableRow>
              <TableCell colSpan={columns.length + 1} data-testid={`reports-empty-${kind}`}>
                {t('reports.table.empty')}
              </TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
