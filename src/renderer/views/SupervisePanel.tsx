import { Button, Paper, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Phone } from '../sip/phone';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';

/** Supervisor: pick an agent's extension and join their current call (listen first). */
export function SupervisePanel({ phone }: { phone: Phone }) {
  const { t } = useTranslation();
  const [agent, setAgent] = useState('');
  // Re-rendered when the policy changes; the buttons offer only what it allows on this agent.
  useStore(phoneStore, (s) => s.orgPolicy);
  const listen = agent.trim() ? phone.supervision.capabilities(agent.trim()).listen : null;
  return (
    <Paper variant="outlined" sx={{ p: 2 }}>
      <Typography variant="subtitle2">{t('supervisePanel.title')}</Typography>
      <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
        <TextField size="small" fullWidth placeholder={t('supervisePanel.agentPlaceholder')} value={agent} onChange={(e) => setAgent(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'supervise-target' } }} />
        <Button variant="contained" color="secondary" data-testid="supervise-listen" disabled={!listen?.available} title={listen?.reason} onClick={() => void phone.supervision.supervise(agent, 'listen')}>
          {t('supervisionMode.listen')}
        </Button>
      </Stack>
      {listen && !listen.available && (
        <Typography variant="caption" color="text.secondary" data-testid="supervise-unavailable">
          {listen.reason}
        </Typography>
      )}
    </Paper>
  );
}
