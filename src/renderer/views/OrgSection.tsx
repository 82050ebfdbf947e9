import { Alert, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { WhisperlineApp } from '../app';
import type { OrgPolicyStatus, SupervisorKeyInfo } from '../../shared/bridge';

/** Settings → Organisation: the org policy in force, and a supervisor's public key for IT to enrol. */
export function OrgSection({ app, open, supervisor }: { app: WhisperlineApp; open: boolean; supervisor: boolean }) {
  const [policy, setPolicy] = useState<OrgPolicyStatus | null>(null);
  const [key, setKey] = useState<SupervisorKeyInfo | { error: string } | null>(null);

  useEffect(() => {
    if (!open) return;
    let live = true;
    void app.orgPolicy().then((p) => live && setPolicy(p));
    if (supervisor) {
      app.supervisorKey().then(
        (k) => live && setKey(k),
        (e: Error) => live && setKey({ error: `Your supervision key could not be made: ${e.message}` }),
      );
    }
    return () => {
      live = false;
    };
  }, [open, supervisor]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <Stack spacing={1} data-testid="org-section">
      <Typography variant="subtitle2" sx={{ pt: 1 }}>
        Organisation
      </Typography>
      {policy && (
        <Alert severity={policy.state === 'active' ? 'success' : 'info'} data-testid="org-policy" data-state={policy.state}>
          {policy.state === 'active' ? policy.summary : policy.reason}
        </Alert>
      )}
      {supervisor && key && 'error' in key && <Alert severity="error">{key.error}</Alert>}
      {supervisor && key && !('error' in key) && (
        <>
          <TextField
            size="small"
            label={`Your supervision key (fingerprint ${key.fingerprint}): give it to IT to enrol`}
            value={key.publicKey}
            slotProps={{ htmlInput: { readOnly: true, 'data-testid': 'supervisor-public-key', 'data-fingerprint': key.fingerprint } }}
            onFocus={(e) => e.target.select()}
          />
          {key.note && <Typography variant="caption">{key.note}</Typography>}
        </>
      )}
    </Stack>
  );
}
