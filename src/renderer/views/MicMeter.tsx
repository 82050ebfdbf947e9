import { LinearProgress, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AudioEngine } from '../audio/engine';

/** Input level, so an agent sees at a glance that the headset microphone is live. */
export function MicMeter({ audio }: { audio: AudioEngine }) {
  const { t } = useTranslation();
  const [level, setLevel] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => {
      const db = audio.micLevelDb();
      setLevel(Number.isFinite(db) ? Math.max(0, Math.min(100, ((db + 60) / 60) * 100)) : 0);
    }, 100);
    return () => clearInterval(timer);
  }, [audio]);
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center', minWidth: 140 }}>
      <Typography variant="caption" color="text.secondary">
        {t('micMeter.mic')}
      </Typography>
      <LinearProgress aria-label={t('micMeter.level')} data-testid="mic-level" data-level={Math.round(level)} variant="determinate" value={level} sx={{ flex: 1, height: 6, borderRadius: 3 }} />
    </Stack>
  );
}
