import { Button, ButtonGroup, Card, CardContent, Chip, Stack, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { WhisperlineApp } from '../app';
import { CoachingPanel } from './CoachingPanel';
import { pushToTalkKey, toggleTalkKey } from '../input/talkKeys';
import { phoneStore, type CallView } from '../store/phoneState';
import { useStore } from '../store/createStore';
import { supervisionModes, type SupervisionMode } from '../../shared/supervision/modes';

/** Translation keys of the modes' buttons. */
const labels: Record<SupervisionMode, string> = { listen: 'supervisionMode.listen', whisper: 'supervisionMode.whisper', barge: 'supervisionMode.barge', takeover: 'supervisionMode.takeover' };
/** What the agent's app said of the call's recording (README → Recording). */
const recordingLabels = { recording: 'supervisionCard.recording.recording', paused: 'supervisionCard.recording.paused', failed: 'supervisionCard.recording.failed' } as const;

/** Supervisor side: one supervised agent, the mode, talk controls, leave. */
export function SupervisionCard({ call, app }: { call: CallView; app: WhisperlineApp }) {
  const { t } = useTranslation();
  const phone = app.phone;
  const sup = call.supervising!;
  // Live once the agent's app has confirmed the leg, not merely once something answered it.
  const live = call.state === 'active' && sup.confirmed;
  const micCarried = sup.mode === 'whisper' || sup.mode === 'barge';
  const talking = micCarried && (sup.talk || sup.ptt);
  // The same buttons on every path; what this PBX cannot do is disabled with the reason.
  useStore(phoneStore, (s) => s.orgPolicy);
  const caps = phone.supervision.capabilities(sup.agent);
  return (
    <Card variant="outlined" data-testid="supervision" data-state={live ? 'active' : 'joining'} data-mode={sup.mode} sx={{ borderColor: 'secondary.main' }}>
      <CardContent>
        <Stack direction="row" sx={{ justifyContent: 'space-between', alignItems: 'center' }}>
          <Typography variant="h6">{t('supervisionCard.title', { agent: sup.agent })}</Typography>
          <Stack direction="row" spacing={1}>
            {sup.recording && (
              <Chip
                size="small"
                variant="outlined"
                data-testid="agent-recording"
                data-state={sup.recording.state}
                label={t(recordingLabels[sup.recording.state])}
                title={sup.recording.reason ?? undefined}
                color={sup.recording.state === 'failed' ? 'warning' : 'default'}
              />
            )}
            <Chip size="small" data-testid="supervision-state" label={live ? t(labels[sup.mode]) : t('supervisionCard.joining')} color={live ? 'secondary' : 'default'} />
          </Stack>
        </Stack>
        {call.note && (
          <Typography variant="body2" color="text.secondary">
            {call.note}
          </Typography>
        )}
        <ButtonGroup size="small" sx={{ mt: 1.5 }} disabled={!live}>
          {supervisionModes.map((m) => (
            <Button
              key={m}
              data-testid={`mode-${m}`}
              disabled={!live || !caps[m].available}
              title={caps[m].reason}
              variant={sup.mode === m ? 'contained' : 'outlined'}
              onClick={() => void phone.supervision.setSupervisionMode(call.id, m)}
            >
              {t(labels[m])}
            </Button>
          ))}
        </ButtonGroup>
        {supervisionModes
          .filter((m) => !caps[m].available)
          .map((m) => (
            <Typography key={m} variant="caption" color="text.secondary" component="div" data-testid={`mode-${m}-reason`}>
              {t(labels[m])}: {caps[m].reason}
            </Typography>
          ))}
        <Stack direction="row" spacing={1} sx={{ mt: 1.5, alignItems: 'center' }}>
          <Button size="small" data-testid="talk-toggle" disabled={!micCarried} variant={sup.talk ? 'contained' : 'outlined'} onClick={() => phone.supervision.setSupervisorTalk(call.id, { talk: !sup.talk })}>
            {sup.talk ? t('supervisionCard.micOn') : t('supervisionCard.micOff')}
          </Button>
          <Button
            size="small"
            data-testid="push-to-talk"
            disabled={!micCarried}
            variant={sup.ptt ? 'contained' : 'outlined'}
            onPointerDown={() => phone.supervision.setSupervisorTalk(call.id, { ptt: true })}
            onPointerUp={() => phone.supervision.setSupervisorTalk(call.id, { ptt: false })}
            onPointerLeave={() => sup.ptt && phone.supervision.setSupervisorTalk(call.id, { ptt: false })}
          >
            {t('supervisionCard.pushToTalk', { key: pushToTalkKey })}
          </Button>
          <Typography variant="caption" color={talking ? 'success.main' : 'text.secondary'} data-testid="supervisor-mic-state">
            {talking ? (sup.mode === 'whisper' ? t('supervisionCard.agentHears') : t('supervisionCard.agentAndCustomerHear')) : t('supervisionCard.silent')}
          </Typography>
          <Button size="small" color="error" data-testid="leave" onClick={() => void phone.hangup(call.id)} sx={{ ml: 'auto' }}>
            {t('supervisionCard.leave')}
          </Button>
        </Stack>
        <Typography variant="caption" color="text.secondary" component="div" sx={{ mt: 0.5 }}>
          {app.bridge.host === 'electron' ? t('supervisionCard.toggleHintGlobal', { key: toggleTalkKey }) : t('supervisionCard.toggleHint', { key: toggleTalkKey })}
        </Typography>
        <CoachingPanel app={app} call={call} />
      </CardContent>
    </Card>
  );
}
