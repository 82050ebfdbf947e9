import { Alert, Box, Button, Slider, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { WhisperlineApp } from '../app';
import type { CallView } from '../store/phoneState';

/** Translation keys: the supervisor's name in bold, then what they are doing. */
const modeText = { listen: 'supervisionBanner.listen', whisper: 'supervisionBanner.whisper', barge: 'supervisionBanner.barge' } as const;

/** Agent side: who supervises this call, whether they are speaking, talk-back and volume. */
export function SupervisionBanner({ app, call }: { app: WhisperlineApp; call: CallView }) {
  const { t } = useTranslation();
  const sup = call.supervisedBy;
  const [speaking, setSpeaking] = useState(false);
  useEffect(() => {
    if (!sup) return;
    const timer = setInterval(() => setSpeaking(app.phone.supervision.supervisorLevelDb(call.id) > -45), 150);
    return () => clearInterval(timer);
  }, [app, call.id, sup]);
  // The org policy decides whether a silent listener is shown; a voice the agent hears always is.
  if (!sup || (sup.mode === 'listen' && !sup.notice.notifyAgent)) return null;
  return (
    <Alert severity={sup.mode === 'listen' ? 'info' : 'success'} icon={false} data-testid="supervised-banner" data-mode={sup.mode} sx={{ mt: 1.5 }}>
      <Stack spacing={1}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
          <Box
            data-testid="supervisor-speaking"
            data-speaking={speaking}
            sx={{ width: 10, height: 10, borderRadius: '50%', bgcolor: speaking ? 'success.main' : 'grey.400', transition: 'background-color 120ms' }}
          />
          <Typography variant="body2">
            <Trans t={t} i18nKey={modeText[sup.mode]} values={{ name: sup.supervisor }} components={{ b: <b /> }} />
          </Typography>
        </Stack>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
          <Button
            size="small"
            variant={call.talkBack ? 'contained' : 'outlined'}
            data-testid="talk-back"
            onPointerDown={() => app.phone.supervision.setTalkBack(call.id, true)}
            onPointerUp={() => app.phone.supervision.setTalkBack(call.id, false)}
            onPointerLeave={() => call.talkBack && app.phone.supervision.setTalkBack(call.id, false)}
          >
            {t('supervisionBanner.talkBack', { name: sup.supervisor })}
          </Button>
          {sup.mode === 'whisper' && sup.notice.allowDecline && (
            <Button size="small" color="inherit" data-testid="decline-whisper" onClick={() => void app.phone.supervision.declineWhisper(call.id)}>
              {t('supervisionBanner.declineCoaching')}
            </Button>
          )}
        </Stack>
        {sup.mode !== 'listen' && (
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
            <Typography variant="caption">{t('supervisionBanner.volume')}</Typography>
            <Slider
              size="small"
              min={0}
              max={2}
              step={0.1}
              defaultValue={app.phone.supervision.supervisorVolume}
              onChangeCommitted={(_e, v) => void app.setSupervisorVolume(v as number)}
              sx={{ maxWidth: 160 }}
              slotProps={{ input: { 'data-testid': 'supervisor-volume' } as object }}
            />
          </Stack>
        )}
      </Stack>
    </Alert>
  );
}
