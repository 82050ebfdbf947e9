import { Alert, Button, Stack } from '@mui/material';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhisperlineApp } from '../app';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';

/** A sip:/tel: link from another app: nothing is dialled until the agent says so. */
export function DialRequestPrompt({ app }: { app: WhisperlineApp }) {
  const request = useStore(phoneStore, (s) => s.dialRequest);
  const { t } = useTranslation('desktop');
  const callButton = useRef<HTMLButtonElement>(null);
  // The agent came here from a link: Enter calls, Escape cancels, without reaching for the mouse.
  useEffect(() => {
    if (request) callButton.current?.focus();
  }, [request]);
  if (!request) return null;
  return (
    <Alert
      severity="info"
      data-testid="dial-request"
      onKeyDown={(e) => e.key === 'Escape' && app.desktop.cancelDial()}
      action={
        <Stack direction="row" spacing={1}>
          <Button ref={callButton} variant="contained" color="secondary" size="small" onClick={() => void app.desktop.confirmDial()}>
            {t('dialRequest.call')}
          </Button>
          <Button color="inherit" size="small" onClick={() => app.desktop.cancelDial()}>
            {t('dialRequest.cancel')}
          </Button>
        </Stack>
      }
    >
      <strong>{t('dialRequest.ask', { target: request.display })}</strong> {t('dialRequest.from')}
    </Alert>
  );
}
