import { AppBar, Button, Dialog, ToggleButton, ToggleButtonGroup, Toolbar, Typography } from '@mui/material';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhisperlineBridge } from '../../shared/bridge';
import type { WhisperlineApp } from '../app';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';
import { RecordingsView } from './recordings/RecordingsView';

/**
 * The same bridge, with the recordings read from the org service instead of this desk: the list,
 * the player and the QA scorecard work unchanged on recordings other desks sent.
 */
function orgRecordingsBridge(bridge: WhisperlineBridge, commentsElsewhere: string): WhisperlineBridge {
  return {
    ...bridge,
    listRecordings: async () => {
      const a = await bridge.orgRecordings({});
      if (!a.ok) throw new Error(a.reason);
      return a.recordings;
    },
    readRecording: (id) => bridge.orgRecording(id),
    readRecordingTrack: (id, track) => bridge.orgRecordingTrack(id, track),
    addRecordingComment: async () => ({ ok: false, reason: commentsElsewhere }),
  };
}

/** The QA player, full screen over the supervisor's desk: recordings this desk (or the web build's server) holds, or the organisation's. */
export function RecordingsDialog({ app, open, onClose }: { app: WhisperlineApp; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const account = useStore(phoneStore, (s) => s.settings?.account ?? null);
  const author = account ? `${account.extension}@${account.domain}` : 'unknown';
  const [source, setSource] = useState<'desk' | 'org'>('desk');
  const orgBridge = useMemo(() => orgRecordingsBridge(app.bridge, t('recordings.orgComments')), [app.bridge, t]);
  return (
    <Dialog fullScreen open={open} onClose={onClose} data-testid="recordings-dialog">
      <AppBar position="static" elevation={0}>
        <Toolbar variant="dense">
          <Typography variant="h6" sx={{ flex: 1 }}>
            {t('recordings.title')}
          </Typography>
          <ToggleButtonGroup
            size="small"
            exclusive
            value={source}
            onChange={(_, v: 'desk' | 'org' | null) => v && setSource(v)}
            aria-label={t('recordings.source')}
            sx={{ mr: 2, bgcolor: 'white' }}
          >
            <ToggleButton value="desk" data-testid="recordings-source-desk">
              {t('recordings.sourceDesk')}
            </ToggleButton>
            <ToggleButton value="org" data-testid="recordings-source-org">
              {t('recordings.sourceOrg')}
            </ToggleButton>
          </ToggleButtonGroup>
          <Button color="inherit" data-testid="recordings-close" onClick={onClose}>
            {t('recordings.close')}
          </Button>
        </Toolbar>
      </AppBar>
      {open && <RecordingsView key={source} bridge={source === 'org' ? orgBridge : app.bridge} author={author} commentsNote={source === 'org' ? t('recordings.orgComments') : undefined} />}
    </Dialog>
  );
}
