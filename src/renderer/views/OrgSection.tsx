import { Alert, Button, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhisperlineApp } from '../app';
import type { AuditCheck, OrgPolicyStatus, SupervisorKeyInfo } from '../../shared/bridge';

/** Settings → Organisation: the org policy in force, this desk's audit trail, and the desk's public key for IT to enrol. */
export function OrgSection({ app, open, supervisor }: { app: WhisperlineApp; open: boolean; supervisor: boolean }) {
  const { t } = useTranslation();
  const [policy, setPolicy] = useState<OrgPolicyStatus | null>(null);
  const [key, setKey] = useState<SupervisorKeyInfo | { error: string } | null>(null);
  const [audit, setAudit] = useState<AuditCheck | null>(null);
  const [checks, setChecks] = useState(0);

  useEffect(() => {
    if (!open) return;
    let live = true;
    void app.orgPolicy().then((p) => live && setPolicy(p));
    // Every desk has a key: supervisors sign their requests with it, and every desk its uploads to the org service.
    app.supervisorKey().then(
      (k) => live && setKey(k),
      (e: Error) => live && setKey({ error: t('org.keyError', { reason: e.message }) }),
    );
    return () => {
      live = false;
    };
  }, [open, supervisor, checks]); // eslint-disable-line react-hooks/exhaustive-deps

  const verifyAudit = () =>
    void app.verifyAudit().then(setAudit, (e: Error) => setAudit({ ok: false, entries: 0, message: t('org.auditError', { reason: e.message }) }));

  return (
    <Stack spacing={1} data-testid="org-section">
      <Typography variant="subtitle2" sx={{ pt: 1 }}>
        {t('org.title')}
      </Typography>
      {policy && (
        <Alert severity={policy.state === 'active' ? 'success' : 'info'} data-testid="org-policy" data-state={policy.state}>
          {policy.state === 'active' ? policy.summary : policy.reason}
        </Alert>
      )}
      {policy?.state === 'active' && (
        <Typography variant="caption" data-testid="org-agent-notice">
          {policy.policy.agentNotice.notifyAgent ? t('org.agentsShown') : t('org.agentsNotShown')}{' '}
          {policy.policy.agentNotice.allowDecline ? t('org.mayDecline') : t('org.mayNotDecline')}
        </Typography>
      )}
      <Stack direction="row" spacing={1}>
        {/* IT may have installed or replaced the policy a moment ago. */}
        <Button size="small" data-testid="org-policy-refresh" onClick={() => setChecks((n) => n + 1)}>
          {t('org.checkPolicy')}
        </Button>
        <Button size="small" data-testid="audit-verify" onClick={verifyAudit}>
          {t('org.verifyAudit')}
        </Button>
      </Stack>
      {audit && (
        <Alert severity={audit.ok ? 'success' : 'error'} data-testid="audit-result" data-state={audit.ok ? 'intact' : 'broken'} data-entries={audit.entries}>
          {audit.message}
        </Alert>
      )}
      {key && 'error' in key && <Alert severity="error">{key.error}</Alert>}
      {key && !('error' in key) && (
        <>
          <TextField
            size="small"
            label={t(supervisor ? 'org.publicKey' : 'org.deskKey', { fingerprint: key.fingerprint })}
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
