import { Paper, Stack, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { derive, qaScore, type ReportResult } from '../../../shared/org/report';
import type { Formatters } from './reportFormat';

function Card({ label, value, testId, dataValue, children }: { label: string; value: string; testId: string; dataValue: number | null; children?: ReactNode }) {
  return (
    <Paper variant="outlined" sx={{ p: 1.5, flex: '1 1 160px', minWidth: 160 }} data-testid={testId} data-value={dataValue ?? ''}>
      <Typography variant="caption" color="text.secondary" component="h3">
        {label}
      </Typography>
      <Typography variant="h5" component="p">
        {value}
      </Typography>
      {children}
    </Paper>
  );
}

/** The headline figures of the whole report, and coached against not coached side by side. */
export function SummaryCards({ report, fmt }: { report: ReportResult; fmt: Formatters }) {
  const { t } = useTranslation();
  const all = derive(report.totals.all);
  const coached = derive(report.totals.coached);
  const notCoached = derive(report.totals.notCoached);
  const qa = qaScore(report.totals.qa);
  const line = (text: string) => (
    <Typography variant="body2" color="text.secondary">
      {text}
    </Typography>
  );
  return (
    <Stack direction="row" useFlexGap sx={{ flexWrap: 'wrap', gap: 1.5 }}>
      <Card label={t('reports.summary.calls')} value={fmt.count(all.calls)} testId="reports-total-calls" dataValue={all.calls}>
        {line(t('reports.summary.handled', { value: fmt.count(report.totals.all.handled) }))}
      </Card>
      <Card label={t('reports.summary.aht')} value={fmt.duration(all.ahtSeconds)} testId="reports-total-aht" dataValue={all.ahtSeconds}>
        {line(t('reports.summary.hold', { value: fmt.duration(all.avgHoldSeconds) }))}
      </Card>
      <Card label={t('reports.summary.fcr')} value={fmt.percent(all.fcr)} testId="reports-total-fcr" dataValue={all.fcr} />
      <Card label={t('reports.summary.escalation')} value={fmt.percent(all.escalationRate)} testId="reports-total-escalation" dataValue={all.escalationRate} />
      <Card label={t('reports.summary.qaScore')} value={fmt.percent(qa)} testId="reports-qa-score" dataValue={qa}>
        {line(t('reports.summary.evaluations', { count: report.totals.qa.evaluations }))}
      </Card>
      <Paper variant="outlined" sx={{ p: 1.5, flex: '2 1 320px' }} data-testid="reports-total-coaching">
        <Typography variant="caption" color="text.secondary" component="h3">
          {t('reports.summary.coaching')}
        </Typography>
        <Stack direction="row" spacing={3}>
          {(
            [
              ['coached', coached, t('reports.group.coached')],
              ['notCoached', notCoached, t('reports.group.notCoached')],
            ] as const
          ).map(([key, d, label]) => (
            <div key={key} data-testid={`reports-total-${key}`} data-value={d.calls}>
              <Typography variant="subtitle2" component="p">
                {label}: {t('reports.summary.callsValue', { value: fmt.count(d.calls) })}
              </Typography>
              {line(t('reports.summary.fcrValue', { value: fmt.percent(d.fcr) }))}
              {line(t('reports.summary.ahtValue', { value: fmt.duration(d.ahtSeconds) }))}
            </div>
          ))}
        </Stack>
      </Paper>
    </Stack>
  );
}
