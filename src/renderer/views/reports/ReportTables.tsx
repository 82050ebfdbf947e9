import { Box, Button, Stack, Tab, Tabs } from '@mui/material';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { derive, qaScore, talkShare, type OutcomeSums, type QaSums, type ReportResult } from '../../../shared/org/report';
import { reportCsv, reportCsvFileName, type ReportTableKind } from '../../../shared/org/reportCsv';
import { downloadText } from '../download';
import type { Formatters } from './reportFormat';
import type { SortState } from './reportModel';
import { ReportTable, type ReportColumn, type ReportTableRow } from './ReportTable';

const kinds: ReportTableKind[] = ['teams', 'agents', 'supervisors'];

/** The figures of a team's or agent's row, coached and not coached beside the whole, and its QA score. */
function outcomeValues(row: { all: OutcomeSums; coached: OutcomeSums; notCoached: OutcomeSums; qa: QaSums }): Record<string, number | null> {
  const all = derive(row.all);
  const coached = derive(row.coached);
  const notCoached = derive(row.notCoached);
  return {
    calls: all.calls,
    aht: all.ahtSeconds,
    hold: all.avgHoldSeconds,
    transferRate: all.transferRate,
    escalationRate: all.escalationRate,
    fcr: all.fcr,
    fcrCoached: coached.fcr,
    fcrNotCoached: notCoached.fcr,
    ahtCoached: coached.ahtSeconds,
    ahtNotCoached: notCoached.ahtSeconds,
    evaluations: row.qa.evaluations,
    qaScore: qaScore(row.qa),
  };
}

function useTables(report: ReportResult) {
  const { t } = useTranslation();
  const outcomeColumns: ReportColumn[] = [
    { field: 'calls', label: t('reports.col.calls'), figure: 'count' },
    { field: 'aht', label: t('reports.col.aht'), figure: 'duration' },
    { field: 'hold', label: t('reports.col.hold'), figure: 'duration' },
    { field: 'transferRate', label: t('reports.col.transferRate'), figure: 'percent' },
    { field: 'escalationRate', label: t('reports.col.escalationRate'), figure: 'percent' },
    { field: 'fcr', label: t('reports.col.fcr'), figure: 'percent' },
    { field: 'fcrCoached', label: t('reports.col.fcrCoached'), figure: 'percent' },
    { field: 'fcrNotCoached', label: t('reports.col.fcrNotCoached'), figure: 'percent' },
    { field: 'ahtCoached', label: t('reports.col.ahtCoached'), figure: 'duration' },
    { field: 'ahtNotCoached', label: t('reports.col.ahtNotCoached'), figure: 'duration' },
    { field: 'evaluations', label: t('reports.col.evaluations'), figure: 'count' },
    { field: 'qaScore', label: t('reports.col.qaScore'), figure: 'percent' },
  ];
  const rows = useMemo(
    () => ({
      teams: report.teams.map((r): ReportTableRow => ({ key: r.team, name: r.name, identity: r.team, values: { agents: r.agents, ...outcomeValues(r) } })),
      agents: report.agents.map((r): ReportTableRow => ({ key: r.agent, name: r.name, identity: r.agent, values: outcomeValues(r) })),
      supervisors: report.supervisors.map(
        (r): ReportTableRow => ({
          key: r.supervisor,
          name: r.name,
          identity: r.supervisor,
          values: {
            sessions: r.sessions,
            agents: r.agents,
            sessionTime: r.sessionSeconds,
            talkTime: r.talkSeconds,
            talkShare: talkShare(r),
            prompts: r.prompts,
            acknowledged: r.acknowledged,
          },
        }),
      ),
    }),
    [report],
  );
  return {
    teams: { nameLabel: t('reports.col.team'), columns: [{ field: 'agents', label: t('reports.col.agents'), figure: 'count' } as ReportColumn, ...outcomeColumns], rows: rows.teams },
    agents: { nameLabel: t('reports.col.agent'), columns: outcomeColumns, rows: rows.agents },
    supervisors: {
      nameLabel: t('reports.col.supervisor'),
      columns: [
        { field: 'sessions', label: t('reports.col.sessions'), figure: 'count' },
        { field: 'agents', label: t('reports.col.agents'), figure: 'count' },
        { field: 'sessionTime', label: t('reports.col.sessionTime'), figure: 'duration' },
        { field: 'talkTime', label: t('reports.col.talkTime'), figure: 'duration' },
        { field: 'talkShare', label: t('reports.col.talkShare'), figure: 'percent' },
        { field: 'prompts', label: t('reports.col.prompts'), figure: 'count' },
        { field: 'acknowledged', label: t('reports.col.acknowledged'), figure: 'count' },
      ] as ReportColumn[],
      rows: rows.supervisors,
    },
  };
}

const initialSort: SortState = { field: 'name', direction: 'asc' };

/** Teams, agents and supervisors as tabs; each table sortable and exported as CSV. */
export function ReportTables({ report, fmt, language }: { report: ReportResult; fmt: Formatters; language: string }) {
  const { t } = useTranslation();
  const [tab, setTab] = useState<ReportTableKind>('teams');
  const [sorts, setSorts] = useState<Record<ReportTableKind, SortState>>({ teams: initialSort, agents: initialSort, supervisors: initialSort });
  const tables = useTables(report);
  const titles: Record<ReportTableKind, string> = { teams: t('reports.tab.teams'), agents: t('reports.tab.agents'), supervisors: t('reports.tab.supervisors') };
  const table = tables[tab];
  return (
    <Box>
      <Tabs value={tab} onChange={(_e, v: ReportTableKind) => setTab(v)} aria-label={t('reports.tab.label')}>
        {kinds.map((k) => (
          <Tab key={k} value={k} label={titles[k]} id={`reports-tab-${k}`} aria-controls={`reports-panel-${k}`} data-testid={`reports-tab-${k}`} />
        ))}
      </Tabs>
      {/* Only the shown table is in the page: one set of sort headers and rows for tests and screen readers. */}
      <Box role="tabpanel" id={`reports-panel-${tab}`} aria-labelledby={`reports-tab-${tab}`} sx={{ pt: 1 }}>
        <Stack direction="row" sx={{ justifyContent: 'flex-end', mb: 1 }}>
          <Button size="small" variant="outlined" data-testid={`reports-export-${tab}`} onClick={() => downloadText(reportCsv(tab, report), reportCsvFileName(tab, report.query))}>
            {t('reports.export')}
          </Button>
        </Stack>
        <ReportTable
          key={tab}
          kind={tab}
          label={titles[tab]}
          nameLabel={table.nameLabel}
          columns={table.columns}
          rows={table.rows}
          fmt={fmt}
          language={language}
          sort={sorts[tab]}
          onSort={(s) => setSorts((all) => ({ ...all, [tab]: s }))}
        />
      </Box>
    </Box>
  );
}
