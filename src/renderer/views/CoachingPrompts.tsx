import { Alert, Button, IconButton, Stack, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { WhisperlineApp } from '../app';
import type { CallView } from '../store/phoneState';

/** Agent side: the supervisor's text prompts on this call, newest last; the customer never sees them. */
export function CoachingPrompts({ app, call }: { app: WhisperlineApp; call: CallView }) {
  const { t } = useTranslation();
  const open = call.prompts.filter((p) => !p.dismissed).slice(-3);
  if (!open.length) return null;
  const coaching = app.phone.supervision.coaching;
  return (
    <Stack spacing={1} sx={{ mt: 1.5 }}>
      {open.map((p) => (
        <Alert
          key={`${p.from}-${p.id}`}
          severity="info"
          variant="outlined"
          data-testid="coaching-prompt"
          data-prompt-id={p.id}
          action={
            <Stack direction="row" sx={{ alignItems: 'center' }}>
              <Button size="small" color="inherit" data-testid="coaching-ack" onClick={() => coaching.acknowledge(call.id, p.id)}>
                {t('coachingPrompts.gotIt')}
              </Button>
              <IconButton size="small" aria-label={t('coachingPrompts.close')} data-testid="coaching-dismiss" onClick={() => coaching.dismiss(call.id, p.id)}>
                ×
              </IconButton>
            </Stack>
          }
        >
          <Typography variant="body2" data-testid="coaching-text">
            {p.text}
          </Typography>
          <Typography variant="caption" color="text.secondary">
            {t('coachingPrompts.from', { from: p.from })}
          </Typography>
        </Alert>
      ))}
    </Stack>
  );
}
