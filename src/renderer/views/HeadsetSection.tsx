import { Box, Button, Stack, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { HeadsetStatus } from '../headset/headsetControl';

/** The text for a status: a key under `headset.*` in the `desktop` namespace, and its values. */
export function headsetStatusText(status: HeadsetStatus): { key: string; values: Record<string, string> } {
  const name = status.deviceName;
  const values: Record<string, string> = { detail: status.detail ?? status.message };
  if (name) values.name = name;
  switch (status.state) {
    case 'unsupported':
      return { key: 'headset.unsupported', values };
    case 'none':
      return { key: status.reason === 'not-chosen' ? 'headset.notChosen' : 'headset.none', values };
    case 'connected':
      return { key: 'headset.connected', values };
    case 'disconnected':
      return { key: 'headset.disconnected', values };
    case 'error':
      if (status.reason === 'no-telephony') return { key: 'headset.noTelephony', values };
      if (status.reason === 'open-failed') return { key: 'headset.openFailed', values };
      return { key: 'headset.requestFailed', values };
  }
}

/** Settings → Headset buttons: which headset answers and hangs up calls, and a button to choose one. */
export function HeadsetSection({ status, onConnect }: { status: HeadsetStatus; onConnect(): void }) {
  const { t } = useTranslation('desktop');
  const { key, values } = headsetStatusText(status);
  const text = t(key, { ...values, name: values.name ?? t('headset.unnamedDevice') });
  return (
    <Stack spacing={1} data-testid="headset-section">
      <Typography variant="subtitle2" sx={{ pt: 1 }}>
        {t('headset.title')}
      </Typography>
      <Typography variant="body2" color="text.secondary">
        {t('headset.intro')}
      </Typography>
      <Typography
        variant="body2"
        role="status"
        aria-live="polite"
        data-testid="headset-status"
        data-state={status.state}
        data-device={status.deviceName ?? ''}
      >
        {text}
      </Typography>
      <Box>
        {/* requestDevice needs the click's user gesture: onConnect must call it straight away. */}
        <Button size="small" variant="outlined" data-testid="headset-connect" disabled={status.state === 'unsupported'} onClick={onConnect}>
          {t('headset.connect')}
        </Button>
      </Box>
    </Stack>
  );
}
