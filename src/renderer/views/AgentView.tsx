import { Alert, AppBar, Box, Button, Chip, Container, IconButton, MenuItem, Paper, Select, Stack, TextField, Toolbar, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
// Initialises i18next (English and German) before the first render of any view.
import '../i18n';
import type { WhisperlineApp } from '../app';
import { useStore } from '../store/createStore';
import { dismissNotice, phoneStore } from '../store/phoneState';
import { CallCard } from './CallCard';
import { Dialpad } from './Dialpad';
import { HistoryList } from './HistoryList';
import { MicMeter } from './MicMeter';
import { RegistrationChip } from './RegistrationChip';
import { SettingsDialog } from './SettingsDialog';
import { SupervisePanel } from './SupervisePanel';
import { TeamBoard } from './TeamBoard';
import { RejoinOffers } from './RejoinOffers';
import { SupervisionCard } from './SupervisionCard';
import { WrapUpPanel } from './WrapUpPanel';
import { RecordingsDialog } from './RecordingsDialog';
import { ReportsDialog } from './ReportsDialog';
import { EvaluationsDialog, useUnacknowledgedCount } from './EvaluationsDialog';
import { DialRequestPrompt } from './DialRequestPrompt';

export function AgentView({ app }: { app: WhisperlineApp }) {
  const calls = useStore(phoneStore, (s) => s.calls);
  const notices = useStore(phoneStore, (s) => s.notices);
  const agentState = useStore(phoneStore, (s) => s.agentState);
  const registration = useStore(phoneStore, (s) => s.registration);
  const settings = useStore(phoneStore, (s) => s.settings);
  const [number, setNumber] = useState('');
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [recordingsOpen, setRecordingsOpen] = useState(false);
  const [reportsOpen, setReportsOpen] = useState(false);
  const [evaluationsOpen, setEvaluationsOpen] = useState(false);
  const unacknowledged = useUnacknowledgedCount(app);
  const { t } = useTranslation();

  useEffect(() => {
    // First run: nothing to sign in with yet, so open settings.
    if (settings && !settings.account) setSettingsOpen(true);
  }, [settings]);

  const activeCall = calls.find((c) => c.state === 'active' && c.kind === 'call');
  const onKey = (k: string) => {
    if (activeCall) app.phone.sendDtmf(activeCall.id, k);
    else setNumber((n) => n + k);
  };
  const dial = async () => {
    if (await app.phone.dial(number)) setNumber('');
  };

  return (
    <Box sx={{ minHeight: '100vh', bgcolor: (theme) => (theme.palette.contrastThreshold >= 7 ? 'background.default' : '#f5f6fa') }}>
      <AppBar position="static" elevation={0}>
        <Toolbar variant="dense" sx={{ gap: 1 }}>
          <Typography variant="h6" noWrap sx={{ flex: 1 }}>
            Whisperline
          </Typography>
          {settings?.role === 'supervisor' && <Chip size="small" label={t('agent.supervisor')} sx={{ bgcolor: 'white' }} />}
          <RegistrationChip />
          {settings?.account && (
            <Button
              size="small"
              color="inherit"
              data-testid="sign-toggle"
              onClick={() => void (registration.state === 'registered' || registration.state === 'reconnecting' ? app.signOut() : app.signIn())}
            >
              {registration.state === 'registered' || registration.state === 'reconnecting' ? t('agent.signOut') : t('agent.signIn')}
            </Button>
          )}
          <Select
            size="small"
            value={agentState}
            onChange={(e) => app.setAgentState(e.target.value as typeof agentState)}
            sx={{ bgcolor: 'white', height: 30, minWidth: 120 }}
            SelectDisplayProps={{ 'data-testid': 'agent-state', 'aria-label': t('agent.agentState') } as object}
          >
            <MenuItem value="ready">{t('agentState.ready')}</MenuItem>
            <MenuItem value="not-ready">{t('agentState.notReady')}</MenuItem>
            <MenuItem value="wrap-up">{t('agentState.wrapUp')}</MenuItem>
          </Select>
          {/* QA evaluators sign in with role supervisor too: they score calls from the recordings. */}
          {settings?.role === 'supervisor' && (
            <Button size="small" color="inherit" data-testid="open-recordings" onClick={() => setRecordingsOpen(true)}>
              {t('agent.recordings')}
            </Button>
          )}
          {settings?.role === 'supervisor' && (
            <Button size="small" color="inherit" data-testid="open-reports" onClick={() => setReportsOpen(true)}>
              {t('agent.reports')}
            </Button>
          )}
          <Button
            size="small"
            color="inherit"
            data-testid="open-evaluations"
            aria-label={unacknowledged.count > 0 ? t('agent.evaluationsUnacknowledged', { count: unacknowledged.count }) : undefined}
            onClick={() => setEvaluationsOpen(true)}
          >
            {t('agent.evaluations')}
            {unacknowledged.count > 0 && (
              <Chip size="small" label={unacknowledged.count} data-testid="evaluations-unacknowledged" data-count={unacknowledged.count} sx={{ ml: 0.75, height: 18, bgcolor: 'white' }} />
            )}
          </Button>
          <IconButton color="inherit" aria-label={t('agent.settings')} data-testid="open-settings" onClick={() => setSettingsOpen(true)}>
            ⚙
          </IconButton>
        </Toolbar>
      </AppBar>
      <Container maxWidth="sm" sx={{ py: 2 }}>
        <Stack spacing={1.5}>
          {registration.message && registration.state !== 'registered' && (
            <Alert severity={registration.state === 'failed' ? 'error' : 'info'} data-testid="registration-message">
              {registration.message}
            </Alert>
          )}
          {notices.map((n) => (
            <Alert key={n.id} severity={n.severity} onClose={() => dismissNotice(n.id)} data-testid="notice" data-severity={n.severity}>
              {n.text}
            </Alert>
          ))}
          <DialRequestPrompt app={app} />
          <WrapUpPanel app={app} />
          {settings?.role === 'supervisor' && <TeamBoard phone={app.phone} />}
          {settings?.role === 'supervisor' && <RejoinOffers phone={app.phone} />}
          {settings?.role === 'supervisor' && <SupervisePanel phone={app.phone} />}
          {calls.map((c) =>
            c.kind === 'supervising' ? <SupervisionCard key={c.id} call={c} app={app} /> : <CallCard key={c.id} call={c} app={app} calls={calls} />,
          )}
          <Paper variant="outlined" sx={{ p: 2 }}>
            <Stack spacing={1.5}>
              <Stack direction="row" spacing={1}>
                <TextField
                  size="small"
                  fullWidth
                  placeholder={t('agent.dialPlaceholder')}
                  value={number}
                  onChange={(e) => setNumber(e.target.value)}
                  onKeyDown={(e) => e.key === 'Enter' && void dial()}
                  slotProps={{ htmlInput: { 'data-testid': 'dial-input', 'aria-label': t('agent.dialLabel') } }}
                />
                <Button variant="contained" color="secondary" data-testid="dial" disabled={!number.trim()} onClick={() => void dial()}>
                  {t('agent.call')}
                </Button>
              </Stack>
              <Dialpad onKey={onKey} />
              <MicMeter audio={app.audio} />
            </Stack>
          </Paper>
          <Paper variant="outlined" sx={{ p: 2 }}>
            <Typography variant="subtitle2">{t('agent.recentCalls')}</Typography>
            <HistoryList onRedial={(uri) => setNumber(uri)} />
          </Paper>
        </Stack>
      </Container>
      <SettingsDialog app={app} open={settingsOpen} onClose={() => setSettingsOpen(false)} />
      <RecordingsDialog app={app} open={recordingsOpen} onClose={() => setRecordingsOpen(false)} />
      <ReportsDialog app={app} open={reportsOpen} onClose={() => setReportsOpen(false)} />
      <EvaluationsDialog app={app} open={evaluationsOpen} onClose={() => setEvaluationsOpen(false)} onChanged={unacknowledged.recount} />
    </Box>
  );
}
