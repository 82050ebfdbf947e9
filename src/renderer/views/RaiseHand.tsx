import { Button, Stack, TextField } from '@mui/material';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhisperlineApp } from '../app';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';

/** Agent, on a live call: ask the team's supervisors for help (their boards highlight the call). */
export function RaiseHand({ app }: { app: WhisperlineApp }) {
  const { t } = useTranslation();
  const hand = useStore(phoneStore, (s) => s.raisedHand);
  const [reason, setReason] = useState('');
  if (hand) {
    return (
      <Button size="small" variant="contained" color="warning" data-testid="lower-hand" onClick={() => app.setRaisedHand(null)}>
        {hand.reason ? t('raiseHand.askingWithReason', { reason: hand.reason }) : t('raiseHand.asking')}
      </Button>
    );
  }
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
      <TextField size="small" placeholder={t('raiseHand.reasonPlaceholder')} value={reason} onChange={(e) => setReason(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'hand-reason', maxLength: 140 } }} sx={{ flex: 1 }} />
      <Button
        size="small"
        data-testid="raise-hand"
        onClick={() => {
          app.setRaisedHand(reason);
          setReason('');
        }}
      >
        {t('raiseHand.ask')}
      </Button>
    </Stack>
  );
}
