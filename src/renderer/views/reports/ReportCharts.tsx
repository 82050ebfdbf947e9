import { Box, Paper, Typography, useTheme } from '@mui/material';
import { BarChart } from '@mui/x-charts/BarChart';
import { useId, useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { derive, type ReportResult } from '../../../shared/org/report';
import { durationTicks, type Formatters } from './reportFormat';
import { fillDays } from './reportModel';

/**
 * Coached against not coached, and calls per day. The charts are a picture of the tables below,
 * which are their text alternative; each chart is also a figure with a name and a one-line summary.
 */

// Blue against orange: told apart with every common colour-vision deficiency, and in high contrast.
function useGroupColours() {
  const theme = useTheme();
  return { coached: theme.palette.primary.main, notCoached: theme.palette.warning.main };
}

function useChartLocale() {
  const { t } = useTranslation();
  return { noData: t('reports.chart.noData'), loading: t('reports.loading') };
}

function Section({ testId, title, children }: { testId: string; title: string; children: ReactNode }) {
  const id = useId();
  return (
    <Paper variant="outlined" component="section" aria-labelledby={id} sx={{ p: 1.5, flex: '1 1 380px', minWidth: 0 }} data-testid={testId}>
      <Typography id={id} variant="subtitle2" component="h3">
        {title}
      </Typography>
      {children}
    </Paper>
  );
}

// Read by screen readers, not shown (in sx a bare 1 would mean 100 %).
const hidden = { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clipPath: 'inset(50%)', whiteSpace: 'nowrap' } as const;

/**
 * The chart's name and summary on a figure around it: MUI X Charts' own `title`/`desc` land as
 * aria-label on a div with role="none", which assistive technology ignores (axe: aria-prohibited-attr).
 */
function Figure({ label, desc, children }: { label: string; desc: string; children: ReactNode }) {
  const id = useId();
  return (
    <Box role="figure" aria-label={label} aria-describedby={id} sx={{ position: 'relative' }}>
      {children}
      <Box id={id} sx={hidden}>
        {desc}
      </Box>
    </Box>
  );
}

export function OutcomesChart({ report, fmt }: { report: ReportResult; fmt: Formatters }) {
  const { t } = useTranslation();
  const colours = useGroupColours();
  const localeText = useChartLocale();
  const c = derive(report.totals.coached);
  const n = derive(report.totals.notCoached);
  const coachedLabel = t('reports.group.coached');
  const notCoachedLabel = t('reports.group.notCoached');
  const rates = [t('reports.metric.fcr'), t('reports.metric.transferRate'), t('reports.metric.escalationRate')];
  // Rates and seconds share no axis: two charts, same colours, same order, one legend.
  const percent = (v: number | null) => fmt.percent(v);
  const duration = (v: number | null) => fmt.duration(v);
  const describe = (d: typeof c) =>
    `${rates[0]} ${fmt.percent(d.fcr)}, ${rates[1]} ${fmt.percent(d.transferRate)}, ${rates[2]} ${fmt.percent(d.escalationRate)}, ${t('reports.metric.aht')} ${fmt.duration(d.ahtSeconds)}`;
  const desc = `${coachedLabel}: ${describe(c)}. ${notCoachedLabel}: ${describe(n)}.`;
  const ahtTicks = durationTicks(Math.max(c.ahtSeconds ?? 0, n.ahtSeconds ?? 0));
  return (
    <Section testId="reports-chart-outcomes" title={t('reports.chart.outcomes')}>
      {/* Horizontal bars: the metric names (long in German) get the room of a whole axis. */}
      <Figure label={t('reports.chart.rates')} desc={desc}>
        <BarChart
          height={210}
          layout="horizontal"
          localeText={localeText}
          yAxis={[{ scaleType: 'band', data: rates, width: 'auto' }]}
          xAxis={[{ min: 0, valueFormatter: (v: number) => fmt.axisPercent(v) }]}
          series={[
            { label: coachedLabel, data: [c.fcr, c.transferRate, c.escalationRate], color: colours.coached, valueFormatter: percent },
            { label: notCoachedLabel, data: [n.fcr, n.transferRate, n.escalationRate], color: colours.notCoached, valueFormatter: percent },
          ]}
        />
      </Figure>
      <Figure label={t('reports.metric.aht')} desc={desc}>
        <BarChart
          height={110}
          layout="horizontal"
          hideLegend
          localeText={localeText}
          yAxis={[{ scaleType: 'band', data: [t('reports.col.aht')], width: 'auto' }]}
          xAxis={[{ min: 0, max: ahtTicks[ahtTicks.length - 1], tickInterval: ahtTicks, valueFormatter: (v: number) => fmt.duration(v) }]}
          series={[
            { label: coachedLabel, data: [c.ahtSeconds], color: colours.coached, valueFormatter: duration },
            { label: notCoachedLabel, data: [n.ahtSeconds], color: colours.notCoached, valueFormatter: duration },
          ]}
        />
      </Figure>
    </Section>
  );
}

export function DailyChart({ report, fmt, language }: { report: ReportResult; fmt: Formatters; language: string }) {
  const { t } = useTranslation();
  const colours = useGroupColours();
  const localeText = useChartLocale();
  const days = useMemo(() => fillDays(report.daily, report.query.from, report.query.to), [report]);
  // Dates are UTC days (YYYY-MM-DD): shown in the app's language, read in UTC so none shifts by one.
  const dayFormat = useMemo(() => new Intl.DateTimeFormat(language, { day: 'numeric', month: 'short', timeZone: 'UTC' }), [language]);
  const label = (day: string) => {
    const d = new Date(`${day}T00:00:00Z`);
    return Number.isNaN(d.getTime()) ? day : dayFormat.format(d);
  };
  const count = (v: number | null) => fmt.count(v);
  const coached = days.reduce((s, d) => s + d.coached, 0);
  const notCoached = days.reduce((s, d) => s + d.notCoached, 0);
  const desc = t('reports.chart.dailyDesc', { days: days.length, coached: fmt.count(coached), notCoached: fmt.count(notCoached) });
  return (
    <Section testId="reports-chart-daily" title={t('reports.chart.daily')}>
      <Figure label={t('reports.chart.daily')} desc={desc}>
        <BarChart
          height={240}
          localeText={localeText}
          xAxis={[{ scaleType: 'band', data: days.map((d) => d.day), valueFormatter: (day: string) => label(day) }]}
          yAxis={[{ min: 0, tickMinStep: 1 }]}
          series={[
            { label: t('reports.group.coached'), data: days.map((d) => d.coached), stack: 'calls', color: colours.coached, valueFormatter: count },
            { label: t('reports.group.notCoached'), data: days.map((d) => d.notCoached), stack: 'calls', color: colours.notCoached, valueFormatter: count },
          ]}
        />
      </Figure>
    </Section>
  );
}
