import { Button, Chip, Stack, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { WhisperlineApp } from '../app';
import type { CallView } from '../store/phoneState';

/** Translation keys of the recording states. */
const label = { recording: 'recordingStrip.recording', paused: 'recordingStrip.paused', failed: 'recordingStrip.failed' } as const;

/**
 * The agent's view of a call's recording: that it is recorded (when the policy says to tell the
 * agent), PCI pause/resume for card numbers, and why it stopped if it did.
 */
export function RecordingStrip({ call, app }: { call: CallView; app: WhisperlineApp }) {
  const { t } = useTranslation();
  const rec = call.recording;
  if (!rec) return null;
  // Without the notice the agent is not told, unless there is something to act on (pause, failure).
  if (!rec.notice && !rec.mayPause && rec.state !== 'failed') return null;
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mt: 1 }} data-testid="recording" data-state={rec.state}>
      <Chip
        size="small"
        variant={rec.state === 'recording' ? 'filled' : 'outlined'}
        color={rec.state === 'recording' ? 'error' : rec.state === 'paused' ? 'warning' : 'default'}
        label={t(label[rec.state])}
        aria-live="polite"
      />
      {rec.mayPause && rec.state !== 'failed' && (
        <Button size="small" data-testid="recording-pause" onClick={() => app.recording.setPaused(call.id, rec.state !== 'paused')}>
          {rec.state === 'paused' ? t('recordingStrip.resume') : t('recordingStrip.pause')}
        </Button>
      )}
      {rec.state === 'failed' && rec.reason && (
        <Typography variant="caption" color="text.secondary">
          {rec.reason}
        </Typography>
      )}
    </Stack>
  );
}
