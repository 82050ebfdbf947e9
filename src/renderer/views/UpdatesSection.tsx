import { Alert, Button, LinearProgress, Stack, Tooltip, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { UpdateStatus } from '../../shared/bridge';

/** What the host puts before every message when IT manages updates (src/main/updates/updater.ts); shown here once, translated. */
const managedPrefix = /^Updates managed by your organisation\.\s*/;

/**
 * Settings → Updates: the state in the user's language, the host's reason where it varies (off,
 * unsupported, an error: it names IT's files and servers), and the one action that applies:
 * "Download update" (IT chose notify) or "Restart to update". Both wait while a call is up: a restart
 * ends the call, a download competes with its audio. Nothing to switch: IT or the defaults decide.
 */
export function UpdatesSection({ status, inCall, onInstall }: { status: UpdateStatus; inCall: boolean; onInstall(): void }) {
  const { t } = useTranslation('desktop');
  const managed = status.managedBy === 'organisation';
  const detail = ['disabled', 'unsupported', 'error'].includes(status.state) ? status.message.replace(managedPrefix, '') : null;
  const action = status.state === 'ready' ? 'restart' : status.state === 'available' ? 'download' : null;
  const busy = status.state === 'checking' || status.state === 'downloading';
  return (
    <Stack spacing={1} component="section" aria-labelledby="updates-title" data-testid="updates-section" data-state={status.state} data-managed-by={status.managedBy}>
      <Typography id="updates-title" variant="subtitle2" component="h3">
        {t('updates.title')}
      </Typography>
      {managed && (
        <Alert severity="info" data-testid="updates-managed">
          {t('updates.managed')}
        </Alert>
      )}
      <Typography variant="body2" role="status" data-testid="updates-status">
        {t(`updates.state.${status.state}`, { version: status.version ?? '' })}
      </Typography>
      {busy && <LinearProgress aria-hidden />}
      {detail && (
        <Typography variant="caption" data-testid="updates-detail">
          {detail}
        </Typography>
      )}
      {status.enabled && (
        <Typography variant="caption" data-testid="updates-channel">
          {t('updates.channel', { channel: status.channel })}
        </Typography>
      )}
      {action && (
        <>
          <Tooltip title={inCall ? t(`updates.${action}InCall`) : ''}>
            {/* A disabled button gets no pointer events: the span carries the tooltip. */}
            <span style={{ alignSelf: 'flex-start' }}>
              <Button variant="contained" size="small" disabled={inCall} onClick={onInstall} data-testid={`updates-${action}`} aria-describedby={inCall ? 'updates-wait' : undefined}>
                {t(`updates.${action}`)}
              </Button>
            </span>
          </Tooltip>
          {inCall && (
            <Typography id="updates-wait" variant="caption">
              {t(`updates.${action}InCall`)}
            </Typography>
          )}
        </>
      )}
    </Stack>
  );
}
