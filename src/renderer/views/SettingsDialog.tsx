import { OrgSection } from './OrgSection';
import { PbxProfileFields, profileFormOf, storedProfileOf, type PbxProfileForm } from './PbxProfileFields';
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { WhisperlineApp } from '../app';
import { accountSchema, defaultSettings, type Settings } from '../../shared/settings';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';

type Form = { server: string; domain: string; extension: string; authUser: string; displayName: string; password: string };

export function SettingsDialog({ app, open, onClose }: { app: WhisperlineApp; open: boolean; onClose: () => void }) {
  const settings = useStore(phoneStore, (s) => s.settings) ?? defaultSettings;
  const hasPassword = useStore(phoneStore, (s) => s.hasPassword);
  const devices = useStore(phoneStore, (s) => s.devices);
  const [form, setForm] = useState<Form>({ server: '', domain: '', extension: '', authUser: '', displayName: '', password: '' });
  const [audio, setAudio] = useState(settings.audio);
  const [dtmfMode, setDtmfMode] = useState(settings.dtmfMode);
  const [role, setRole] = useState(settings.role);
  const [pbx, setPbx] = useState<PbxProfileForm>(profileFormOf(undefined));
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    const a = settings.account;
    setForm({ server: a?.server ?? 'ws://127.0.0.1:5066', domain: a?.domain ?? '', extension: a?.extension ?? '', authUser: a?.authUser ?? '', displayName: a?.displayName ?? '', password: '' });
    setAudio(settings.audio);
    setDtmfMode(settings.dtmfMode);
    setRole(settings.role);
    setPbx(profileFormOf(a?.pbxProfile));
    setError(null);
    void app.refreshDevices(false);
  }, [open]); // eslint-disable-line react-hooks/exhaustive-deps

  const field = (key: keyof Form, label: string, extra: object = {}) => (
    <TextField size="small" label={label} value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })} slotProps={{ htmlInput: { 'data-testid': `settings-${key}` } }} {...extra} />
  );
  const deviceSelect = (key: keyof Settings['audio'], label: string, list: { deviceId: string; label: string }[]) => (
    <TextField
      select
      size="small"
      label={label}
      value={audio[key] ?? ''}
      onChange={(e) => setAudio({ ...audio, [key]: e.target.value || null })}
      slotProps={{ select: { displayEmpty: true, SelectDisplayProps: { 'data-testid': `settings-${key}` } as object }, inputLabel: { shrink: true } }}
    >
      <MenuItem value="">System default</MenuItem>
      {list.map((d) => (
        <MenuItem key={d.deviceId} value={d.deviceId}>
          {d.label}
        </MenuItem>
      ))}
    </TextField>
  );

  const save = async () => {
    const { password, ...accountInput } = form;
    const stored = storedProfileOf(pbx);
    if (stored.error) {
      setError(stored.error);
      return;
    }
    const parsed = accountSchema.safeParse({ ...accountInput, pbxProfile: stored.value });
    if (!parsed.success) {
      setError(parsed.error.issues[0].message);
      return;
    }
    if (!password && !hasPassword) {
      setError('Enter the SIP password.');
      return;
    }
    setError(null);
    onClose();
    await app.saveSettings({ ...settings, account: parsed.data, audio, dtmfMode, role }, password || null);
  };

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm" data-testid="settings">
      <DialogTitle>Settings</DialogTitle>
      <DialogContent>
        <Stack spacing={1.5} sx={{ pt: 1 }}>
          <Typography variant="subtitle2">SIP account</Typography>
          {field('server', 'Server (ws:// or wss:// URL)')}
          {field('domain', 'SIP domain')}
          <Stack direction="row" spacing={1}>
            {field('extension', 'Extension')}
            {field('authUser', 'Auth user (if not the extension)')}
          </Stack>
          {field('displayName', 'Display name')}
          {field('password', hasPassword ? 'Password (leave empty to keep)' : 'Password', { type: 'password' })}
          <Typography variant="subtitle2" sx={{ pt: 1 }}>
            Audio
          </Typography>
          {deviceSelect('micId', 'Microphone', devices.inputs)}
          {deviceSelect('headsetId', 'Headset (call audio)', devices.outputs)}
          {deviceSelect('ringerId', 'Ringer (incoming calls)', devices.outputs)}
          <TextField select size="small" label="DTMF" value={dtmfMode} onChange={(e) => setDtmfMode(e.target.value as Settings['dtmfMode'])} slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'settings-dtmf' } as object } }}>
            <MenuItem value="rfc4733">RTP events (RFC 4733)</MenuItem>
            <MenuItem value="info">SIP INFO</MenuItem>
          </TextField>
          <Typography variant="subtitle2" sx={{ pt: 1 }}>
            Supervision
          </Typography>
          <PbxProfileFields form={pbx} onChange={setPbx} />
          <TextField select size="small" label="This desk is used by" value={role} onChange={(e) => setRole(e.target.value as Settings['role'])} slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'settings-role' } as object } }}>
            <MenuItem value="agent">An agent</MenuItem>
            <MenuItem value="supervisor">A supervisor</MenuItem>
          </TextField>
          <OrgSection app={app} open={open} supervisor={role === 'supervisor'} />
          {error && (
            <Alert severity="error" data-testid="settings-error">
              {error}
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" data-testid="settings-save" onClick={() => void save()}>
          Save and sign in
        </Button>
      </DialogActions>
    </Dialog>
  );
}
