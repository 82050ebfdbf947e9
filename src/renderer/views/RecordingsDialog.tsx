import { AppBar, Button, Dialog, Toolbar, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { WhisperlineApp } from '../app';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';
import { RecordingsView } from './recordings/RecordingsView';

/** The QA player, full screen over the supervisor's desk: recordings this desk (or the web build's server) holds. */
export function RecordingsDialog({ app, open, onClose }: { app: WhisperlineApp; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const account = useStore(phoneStore, (s) => s.settings?.account ?? null);
  const author = account ? `${account.extension}@${account.domain}` : 'unknown';
  return (
    <Dialog fullScreen open={open} onClose={onClose} data-testid="recordings-dialog">
      <AppBar position="static" elevation={0}>
        <Toolbar variant="dense">
          <Typography variant="h6" sx={{ flex: 1 }}>
            {t('recordings.title')}
          </Typography>
          <Button color="inherit" data-testid="recordings-close" onClick={onClose}>
            {t('recordings.close')}
          </Button>
        </Toolbar>
      </AppBar>
      {open && <RecordingsView bridge={app.bridge} author={author} />}
    </Dialog>
  );
}
