import { Box, Button, CssBaseline, Stack, ThemeProvider, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import '../i18n';
import type { CallAction, HostCallState } from '../../shared/bridge';
import { useElapsed } from './useElapsed';
import { themeFor } from './theme';

/**
 * The always-on-top mini call window: caller, time and the call buttons, for an agent working in
 * the CRM. It holds no phone of its own; the agent's window publishes its state and carries out
 * the buttons (through the host, or in the web build a BroadcastChannel).
 */
export function MiniCallView({ state, act }: { state: HostCallState | null; act: (action: CallAction) => void }) {
  const { t, i18n } = useTranslation('desktop');
  const elapsed = useElapsed(state?.active?.connectedAt ?? null);
  const highContrast = state?.display.highContrast ?? false;
  const active = state?.active ?? null;
  const incoming = state?.incoming ?? null;
  return (
    <ThemeProvider theme={themeFor(highContrast, i18n.language === 'de' ? 'de' : 'en')}>
      <CssBaseline />
      <Box component="main" sx={{ p: 1.5 }} aria-label={t('mini.title')}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline', mb: 1 }}>
          <Typography component="h1" variant="subtitle1" noWrap sx={{ flex: 1, fontWeight: 600 }} data-testid="mini-peer">
            {incoming ? t('mini.incoming', { caller: incoming.caller }) : active ? active.peer : t('mini.idle')}
          </Typography>
          {active && (
            <Typography variant="body2" role="timer" aria-live="off" data-testid="mini-timer">
              {active.onHold ? t('mini.onHold') : elapsed}
            </Typography>
          )}
        </Stack>
        <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
          {incoming && (
            <>
              <Button variant="contained" color="secondary" size="small" onClick={() => act('answer')}>
                {t('mini.answer')}
              </Button>
              {!active && (
                <Button variant="outlined" color="error" size="small" onClick={() => act('decline')}>
                  {t('mini.decline')}
                </Button>
              )}
            </>
          )}
          {active && (
            <>
              <Button variant="contained" color="error" size="small" onClick={() => act('hangup')}>
                {t('mini.hangup')}
              </Button>
              {!active.onHold && (
                <Button variant="outlined" size="small" aria-pressed={active.muted} onClick={() => act('toggle-mute')}>
                  {t(active.muted ? 'mini.unmute' : 'mini.mute')}
                </Button>
              )}
              {active.connectedAt !== null && (
                <Button variant="outlined" size="small" onClick={() => act('toggle-hold')}>
                  {t(active.onHold ? 'mini.resume' : 'mini.hold')}
                </Button>
              )}
            </>
          )}
          <Button size="small" onClick={() => act('show')}>
            {t('mini.show')}
          </Button>
        </Stack>
      </Box>
    </ThemeProvider>
  );
}
