import { MenuItem, Stack, TextField } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { t as translate } from '../i18n';
import { builtInProfiles, pbxProfileIds, resolveProfile, type PbxProfileId } from '../../shared/pbx/profiles';
import type { MixMode } from '../../shared/supervision/modes';

/** The PBX profile as the settings form edits it. */
export interface PbxProfileForm {
  id: PbxProfileId;
  /** Custom profile: dial codes and in-call digits for listen, whisper, barge, comma separated. */
  codes: string;
  digits: string;
  spiedLeg: 'agent' | 'customer';
}

const modes: MixMode[] = ['listen', 'whisper', 'barge'];
const split = (text: string) => text.split(',').map((s) => s.trim());
const perMode = (text: string) => Object.fromEntries(modes.map((m, i) => [m, split(text)[i]]).filter(([, v]) => v));

export function profileFormOf(stored: unknown): PbxProfileForm {
  const { profile } = resolveProfile(stored);
  return {
    id: profile.id,
    codes: modes.map((m) => profile.dial?.[m] ?? '').join(', '),
    digits: modes.map((m) => profile.digits?.[m] ?? '').join(', '),
    spiedLeg: profile.spiedLeg ?? 'agent',
  };
}

/** What is saved: a built-in id, or a profile object where the admin changed something; or why not. */
export function storedProfileOf(form: PbxProfileForm): { value: unknown; error?: string } {
  let value: unknown = form.id;
  if (form.id === 'custom') {
    value = { ...builtInProfiles.custom, dial: perMode(form.codes), digits: perMode(form.digits) };
  } else if (form.id === 'freeswitch-eavesdrop' && form.spiedLeg !== 'agent') {
    value = { ...builtInProfiles['freeswitch-eavesdrop'], spiedLeg: form.spiedLeg };
  }
  const { error } = resolveProfile(value);
  return error ? { value, error: translate('pbx.profileError', { reason: error }) } : { value };
}

/** Settings → how supervision works on this account's PBX. */
export function PbxProfileFields({ form, onChange }: { form: PbxProfileForm; onChange(f: PbxProfileForm): void }) {
  const { t } = useTranslation();
  const profile = builtInProfiles[form.id];
  return (
    <Stack spacing={1.5}>
      <TextField
        select
        size="small"
        label={t('pbx.profile')}
        value={form.id}
        onChange={(e) => onChange({ ...form, id: e.target.value as PbxProfileId })}
        helperText={profile.setting}
        slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'settings-pbx-profile' } as object } }}
      >
        {pbxProfileIds.map((id) => (
          <MenuItem key={id} value={id} data-testid={`pbx-profile-${id}`}>
            {builtInProfiles[id].label}
          </MenuItem>
        ))}
      </TextField>
      {form.id === 'custom' && (
        <>
          <TextField size="small" label={t('pbx.dialCodes')} placeholder="*222{ext}, *223{ext}, *224{ext}" value={form.codes} onChange={(e) => onChange({ ...form, codes: e.target.value })} slotProps={{ htmlInput: { 'data-testid': 'settings-pbx-codes' } }} />
          <TextField size="small" label={t('pbx.inCallDigits')} placeholder="4, 5, 6" value={form.digits} onChange={(e) => onChange({ ...form, digits: e.target.value })} slotProps={{ htmlInput: { 'data-testid': 'settings-pbx-digits' } }} />
        </>
      )}
      {form.id === 'freeswitch-eavesdrop' && (
        <TextField select size="small" label={t('pbx.spiedLeg')} value={form.spiedLeg} onChange={(e) => onChange({ ...form, spiedLeg: e.target.value as 'agent' | 'customer' })}>
          <MenuItem value="agent">{t('pbx.spiedLegAgent')}</MenuItem>
          <MenuItem value="customer">{t('pbx.spiedLegCustomer')}</MenuItem>
        </TextField>
      )}
    </Stack>
  );
}
