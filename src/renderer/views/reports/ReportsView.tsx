import { Alert, Box, Button, LinearProgress, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OrgReportAnswer, WhisperlineBridge } from '../../../shared/bridge';
import { lastDays, maxReportDays, type ReportResult } from '../../../shared/org/report';
import { DailyChart, OutcomesChart } from './ReportCharts';
import { formatters } from './reportFormat';
import { buildQuery, mergeTeams, rangeProblem, type RangeProblem, type TeamOption } from './reportModel';
import { ReportTables } from './ReportTables';
import { SummaryCards } from './SummaryCards';

/** `loading` keeps the last report on screen (dimmed) until the new one is there. */
type RunState = { status: 'idle' } | { status: 'loading'; report: ReportResult | null } | { status: 'error'; reason: string } | { status: 'ok'; report: ReportResult };

const rangeMessages: Record<RangeProblem, string> = { invalid: 'reports.range.invalid', order: 'reports.range.order', tooLong: 'reports.range.tooLong' };

/** Team reports from the org service: a date range, an optional team, and what the service answers. */
export function ReportsView({ bridge }: { bridge: WhisperlineBridge }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const fmt = useMemo(() => formatters(language), [language]);
  const [initial] = useState(() => lastDays(30));
  const [from, setFrom] = useState(initial.from);
  const [to, setTo] = useState(initial.to);
  const [team, setTeam] = useState('');
  const [teams, setTeams] = useState<TeamOption[]>([]);
  const [state, setState] = useState<RunState>({ status: 'idle' });
  // Only the latest run may land: an earlier, slower answer must not replace a newer one.
  const latest = useRef(0);
  const problem = rangeProblem(from, to);
  const problemId = useId();

  const run = async () => {
    if (problem) return;
    const id = ++latest.current;
    setState((s) => ({ status: 'loading', report: s.status === 'ok' || s.status === 'loading' ? s.report : null }));
    let answer: OrgReportAnswer;
    try {
      answer = await bridge.orgReport(buildQuery(from, to, team));
    } catch (e) {
      // The bridge promises not to throw; a host that does still gets its reason shown.
      answer = { ok: false, reason: e instanceof Error ? e.message : String(e) };
    }
    if (id !== latest.current) return;
    if (answer.ok) {
      setState({ status: 'ok', report: answer.report });
      setTeams((known) => mergeTeams(known, answer.report, language));
    } else setState({ status: 'error', reason: answer.reason });
  };

  const report = state.status === 'ok' || state.status === 'loading' ? state.report : null;
  const dateInput = (testId: string, label: string, value: string, set: (v: string) => void) => (
    <TextField
      type="date"
      size="small"
      label={label}
      value={value}
      onChange={(e) => set(e.target.value)}
      error={problem !== null}
      slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': testId, 'aria-describedby': problem ? problemId : undefined } }}
    />
  );
  return (
    <Stack spacing={2} sx={{ p: 2 }} data-testid="reports-view" data-state={state.status}>
      <Box
        component="form"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <Stack direction="row" useFlexGap spacing={1.5} sx={{ flexWrap: 'wrap', alignItems: 'flex-start' }}>
          {dateInput('reports-from', t('reports.from'), from, setFrom)}
          {dateInput('reports-to', t('reports.to'), to, setTo)}
          <TextField
            select
            size="small"
            label={t('reports.team')}
            value={team}
            onChange={(e) => setTeam(e.target.value)}
            sx={{ minWidth: 200 }}
            slotProps={{ inputLabel: { shrink: true }, select: { displayEmpty: true, SelectDisplayProps: { 'data-testid': 'reports-team' } as object } }}
          >
            <MenuItem value="">{t('reports.allTeams')}</MenuItem>
            {teams.map((o) => (
              <MenuItem key={o.id} value={o.id} data-testid="reports-team-option" data-value={o.id}>
                {o.name}
              </MenuItem>
            ))}
          </TextField>
          <Button type="submit" variant="contained" data-testid="reports-run" disabled={problem !== null || state.status === 'loading'} sx={{ height: 40 }}>
            {state.status === 'loading' ? t('reports.running') : t('reports.run')}
          </Button>
        </Stack>
        {problem && (
          <Typography id={problemId} variant="body2" color="error" role="alert" sx={{ mt: 0.5 }} data-testid="reports-range-problem">
            {t(rangeMessages[problem], { days: maxReportDays })}
          </Typography>
        )}
      </Box>
      {state.status === 'loading' && <LinearProgress aria-label={t('reports.loading')} />}
      {state.status === 'error' && (
        <Alert severity="error" data-testid="reports-error">
          {t('reports.error', { reason: state.reason })}
        </Alert>
      )}
      {state.status === 'idle' && (
        <Typography variant="body2" color="text.secondary">
          {t('reports.hint')}
        </Typography>
      )}
      {report && (
        <Stack spacing={2} sx={{ opacity: state.status === 'loading' ? 0.5 : 1 }} aria-busy={state.status === 'loading'}>
          <SummaryCards report={report} fmt={fmt} />
          <Stack direction="row" useFlexGap sx={{ flexWrap: 'wrap', gap: 2 }}>
            <OutcomesChart report={report} fmt={fmt} />
            <DailyChart report={report} fmt={fmt} language={language} />
          </Stack>
          <ReportTables report={report} fmt={fmt} language={language} />
          <ReportFooter report={report} language={language} />
        </Stack>
      )}
    </Stack>
  );
}

function ReportFooter({ report, language }: { report: ReportResult; language: string }) {
  const { t } = useTranslation();
  const at = new Date(report.generatedAt);
  const when = Number.isNaN(at.getTime()) ? report.generatedAt : new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'medium' }).format(at);
  const scopes = { own: t('reports.scope.own'), teams: t('reports.scope.teams'), all: t('reports.scope.all') };
  return (
    <Typography variant="caption" color="text.secondary" component="p" data-testid="reports-footer" data-scope={report.scope}>
      {t('reports.footer', { at: when, ms: new Intl.NumberFormat(language).format(Math.round(report.queryMs)), scope: scopes[report.scope] ?? report.scope })}
    </Typography>
  );
}
