import { OrgSection } from './OrgSection';
import { AppearanceSection } from './AppearanceSection';
import { UpdatesSection } from './UpdatesSection';
import { HeadsetSection } from './HeadsetSection';
import { DiagnosticsSection } from './DiagnosticsSection';
import { pageLog } from '../diagnostics/pageLog';
import { desktopStore } from '../store/desktopState';
import { PbxProfileFields, profileFormOf, storedProfileOf, type PbxProfileForm } from './PbxProfileFields';
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhisperlineApp } from '../app';
import { accountSchema, defaultSettings, type Settings } from '../../shared/settings';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';

type Form = { server: string; domain: string; extension: string; authUser: string; displayName: string; password: string };

export function SettingsDialog({ app, open, onClose }: { app: WhisperlineApp; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const settings = useStore(phoneStore, (s) => s.settings) ?? defaultSettings;
  const hasPassword = useStore(phoneStore, (s) => s.hasPassword);
  const devices = useStore(phoneStore, (s) => s.devices);
  const update = useStore(desktopStore, (s) => s.update);
  const headset = useSyncExternalStore(app.desktop.headset.subscribe, () => app.desktop.headset.status);
  const inCall = useStore(phoneStore, (s) => s.calls.some((c) => c.state !== 'ended'));
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
      <MenuItem value="">{t('settings.systemDefault')}</MenuItem>
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
      setError(t('settings.enterPassword'));
      return;
    }
    setError(null);
    onClose();
    await app.saveSettings({ ...settings, account: parsed.data, audio, dtmfMode, role }, password || null);
  };

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm" data-testid="settings">
      <DialogTitle>{t('settings.title')}</DialogTitle>
      <DialogContent>
        <Stack spacing={1.5} sx={{ pt: 1 }}>
          <Typography variant="subtitle2">{t('settings.sipAccount')}</Typography>
          {field('server', t('settings.server'))}
          {field('domain', t('settings.domain'))}
          <Stack direction="row" spacing={1}>
            {field('extension', t('settings.extension'))}
            {field('authUser', t('settings.authUser'))}
          </Stack>
          {field('displayName', t('settings.displayName'))}
          {field('password', hasPassword ? t('settings.passwordKeep') : t('settings.password'), { type: 'password' })}
          <Typography variant="subtitle2" sx={{ pt: 1 }}>
            {t('settings.audio')}
          </Typography>
          {deviceSelect('micId', t('settings.microphone'), devices.inputs)}
          {deviceSelect('headsetId', t('settings.headset'), devices.outputs)}
          {deviceSelect('ringerId', t('settings.ringer'), devices.outputs)}
          <TextField select size="small" label="DTMF" value={dtmfMode} onChange={(e) => setDtmfMode(e.target.value as Settings['dtmfMode'])} slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'settings-dtmf' } as object } }}>
            <MenuItem value="rfc4733">{t('settings.dtmfRfc4733')}</MenuItem>
            <MenuItem value="info">SIP INFO</MenuItem>
          </TextField>
          <Typography variant="subtitle2" sx={{ pt: 1 }}>
            {t('settings.supervision')}
          </Typography>
          <PbxProfileFields form={pbx} onChange={setPbx} />
          <TextField select size="small" label={t('settings.role')} value={role} onChange={(e) => setRole(e.target.value as Settings['role'])} slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'settings-role' } as object } }}>
            <MenuItem value="agent">{t('settings.roleAgent')}</MenuItem>
            <MenuItem value="supervisor">{t('settings.roleSupervisor')}</MenuItem>
          </TextField>
          <OrgSection app={app} open={open} supervisor={role === 'supervisor'} />
          <HeadsetSection status={headset} onConnect={() => void app.desktop.headset.connect()} />
          <AppearanceSection app={app} />
          {update && <UpdatesSection status={update} inCall={inCall} onInstall={() => void app.desktop.installUpdate()} />}
          <DiagnosticsSection collect={() => app.bridge.collectLogs(pageLog.lines())} />
          {error && (
            <Alert severity="error" data-testid="settings-error">
              {error}
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('actions.cancel')}</Button>
        <Button variant="contained" data-testid="settings-save" onClick={() => void save()}>
          {t('settings.save')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
