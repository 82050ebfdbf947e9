import { Button, Paper, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import type { Phone } from '../sip/phone';

/** Supervisor: pick an agent's extension and join their current call (listen first). */
export function SupervisePanel({ phone }: { phone: Phone }) {
  const [agent, setAgent] = useState('');
  return (
    <Paper variant="outlined" sx={{ p: 2 }}>
      <Typography variant="subtitle2">Supervise an agent</Typography>
      <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
        <TextField size="small" fullWidth placeholder="Agent extension" value={agent} onChange={(e) => setAgent(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'supervise-target' } }} />
        <Button variant="contained" color="secondary" data-testid="supervise-listen" disabled={!agent.trim()} onClick={() => void phone.supervision.supervise(agent, 'listen')}>
          Listen
        </Button>
      </Stack>
    </Paper>
  );
}
