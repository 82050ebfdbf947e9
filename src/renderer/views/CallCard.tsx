import { Box, Button, Card, CardContent, Chip, Stack, TextField, Typography } from '@mui/material';
import { RecordingStrip } from './RecordingStrip';
import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { useElapsed } from './useElapsed';
import type { WhisperlineApp } from '../app';
import { RaiseHand } from './RaiseHand';
import { SupervisionBanner } from './SupervisionBanner';
import { CoachingPrompts } from './CoachingPrompts';
import type { CallView } from '../store/phoneState';

/** Translation keys of the call states. */
const stateLabel: Record<CallView['state'], string> = {
  ringing: 'callCard.state.ringing',
  dialing: 'callCard.state.dialing',
  active: 'callCard.state.active',
  held: 'callCard.state.held',
  transferring: 'callCard.state.transferring',
  ended: 'callCard.state.ended',
};

export function CallCard({ call, app, calls }: { call: CallView; app: WhisperlineApp; calls: CallView[] }) {
  const { t } = useTranslation();
  const phone = app.phone;
  const elapsed = useElapsed(call.answeredAt);
  const [target, setTarget] = useState('');
  const live = call.state === 'active' || call.state === 'held';
  // A consultation call we started for this one: offer to complete the attended transfer.
  const consult = calls.find((c) => c.consultFor === call.id && c.state === 'active');
  return (
    <Card variant="outlined" data-testid="call" data-call-id={call.id} data-state={call.state} data-remote={call.remoteName}>
      <CardContent>
        <Stack sx={{ alignItems: 'center', justifyContent: 'space-between' }} direction="row">
          <Box>
            <Typography variant="h6" data-testid="call-remote">
              {call.remoteName}
            </Typography>
            <Typography variant="caption" color="text.secondary">
              {call.remoteUri}
            </Typography>
          </Box>
          <Stack sx={{ alignItems: 'flex-end' }}>
            <Chip size="small" data-testid="call-state" label={t(stateLabel[call.state])} color={call.state === 'active' ? 'success' : call.state === 'ringing' ? 'warning' : 'default'} />
            <Typography variant="body2" role="timer" aria-live="off" sx={{ fontVariantNumeric: 'tabular-nums', mt: 0.5 }}>
              {elapsed}
            </Typography>
          </Stack>
        </Stack>
        {call.recording && <RecordingStrip call={call} app={app} />}
        {call.note && (
          <Typography variant="body2" color="text.secondary" data-testid="call-note">
            {call.note}
            {call.consultFor ? ` · ${t('callCard.consultation')}` : ''}
          </Typography>
        )}
        {call.consultFor && !call.note && (
          <Typography variant="body2" color="text.secondary">
            {t('callCard.consultationForHeld')}
          </Typography>
        )}
        <Stack direction="row" spacing={1} sx={{ mt: 1.5, flexWrap: 'wrap', rowGap: 1 }}>
          {call.state === 'ringing' && call.direction === 'inbound' && (
            <>
              <Button variant="contained" color="secondary" data-testid="answer" onClick={() => void phone.answer(call.id)}>
                {t('callCard.answer')}
              </Button>
              <Button variant="outlined" color="error" data-testid="decline" onClick={() => void phone.decline(call.id)}>
                {t('callCard.decline')}
              </Button>
            </>
          )}
          {call.state !== 'ringing' && (
            <Button variant="contained" color="error" data-testid="hangup" onClick={() => void phone.hangup(call.id)}>
              {t('callCard.hangUp')}
            </Button>
          )}
          {live && (
            <>
              <Button variant="outlined" data-testid="hold" onClick={() => void phone.hold(call.id, call.state !== 'held')}>
                {call.state === 'held' ? t('callCard.resume') : t('callCard.hold')}
              </Button>
              <Button variant={call.muted ? 'contained' : 'outlined'} color="warning" data-testid="mute" onClick={() => phone.setMuted(call.id, !call.muted)}>
                {call.muted ? t('callCard.unmute') : t('callCard.mute')}
              </Button>
            </>
          )}
        </Stack>
        {live && !call.consultFor && (
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mt: 1.5 }}>
            <TextField size="small" label={t('callCard.transferTo')} value={target} onChange={(e) => setTarget(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'transfer-target' } }} sx={{ flex: 1 }} />
            <Button size="small" data-testid="blind-transfer" disabled={!target.trim()} onClick={() => void phone.blindTransfer(call.id, target)}>
              {t('callCard.blind')}
            </Button>
            <Button
              size="small"
              data-testid="consult"
              disabled={!target.trim()}
              onClick={async () => {
                await phone.hold(call.id, true);
                await phone.dial(target, call.id);
              }}
            >
              {t('callCard.consult')}
            </Button>
          </Stack>
        )}
        {consult && (
          <Button sx={{ mt: 1 }} variant="contained" data-testid="complete-transfer" onClick={() => void phone.completeAttendedTransfer(call.id, consult.id)}>
            {t('callCard.completeTransfer', { name: consult.remoteName })}
          </Button>
        )}
        {live && call.kind === 'call' && !call.consultFor && (
          <Stack sx={{ mt: 1.5 }}>
            <RaiseHand app={app} />
          </Stack>
        )}
        <SupervisionBanner app={app} call={call} />
        <CoachingPrompts app={app} call={call} />
        {(call.dtmfSent || call.dtmfReceived) && (
          <Typography variant="caption" component="div" sx={{ mt: 1 }} color="text.secondary">
            {call.dtmfSent && (
              <span>
                <Trans t={t} i18nKey="callCard.dtmfSent" values={{ digits: call.dtmfSent }} components={{ b: <b data-testid="dtmf-sent" /> }} />{' '}
              </span>
            )}
            {call.dtmfReceived && (
              <span>
                <Trans t={t} i18nKey="callCard.dtmfReceived" values={{ digits: call.dtmfReceived }} components={{ b: <b data-testid="dtmf-received" /> }} />
              </span>
            )}
          </Typography>
        )}
      </CardContent>
    </Card>
  );
}
