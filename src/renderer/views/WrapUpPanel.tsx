import { Button, FormControlLabel, MenuItem, Paper, Radio, RadioGroup, TextField, FormLabel, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { WhisperlineApp } from '../app';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';

export const dispositions = ['Question answered', 'Order / sale', 'Complaint', 'Technical support', 'Callback promised', 'Wrong number', 'Other'];

/** Translation keys of the dispositions; the value saved (and reported) stays the English one above. */
const dispositionKeys: Record<string, string> = {
  'Question answered': 'wrapUp.dispositions.questionAnswered',
  'Order / sale': 'wrapUp.dispositions.orderSale',
  Complaint: 'wrapUp.dispositions.complaint',
  'Technical support': 'wrapUp.dispositions.technicalSupport',
  'Callback promised': 'wrapUp.dispositions.callbackPromised',
  'Wrong number': 'wrapUp.dispositions.wrongNumber',
  Other: 'wrapUp.dispositions.other',
};

/** A disposition as shown: translated when it is one of ours, as saved otherwise. */
export function dispositionLabel(disposition: string, t: TFunction): string {
  const key = Object.hasOwn(dispositionKeys, disposition) ? dispositionKeys[disposition] : undefined;
  return key ? t(key) : disposition;
}

export function WrapUpPanel({ app }: { app: WhisperlineApp }) {
  const { t } = useTranslation();
  const wrapUpFor = useStore(phoneStore, (s) => s.wrapUpFor);
  const [disposition, setDisposition] = useState(dispositions[0]);
  const [resolved, setResolved] = useState<'yes' | 'no'>('yes');
  const [note, setNote] = useState('');
  const [saving, setSaving] = useState(false);
  if (!wrapUpFor) return null;
  const save = async () => {
    setSaving(true);
    const ok = await app.submitWrapUp(wrapUpFor.callId, { disposition, resolved: resolved === 'yes', note });
    setSaving(false);
    if (ok) {
      setNote('');
      setResolved('yes');
      setDisposition(dispositions[0]);
    }
  };
  return (
    // A panel, not a modal: a call that is still live (a second call, a transfer) stays in reach.
    <Paper variant="outlined" data-testid="wrapup" sx={{ p: 2, borderColor: 'primary.main' }}>
      <Typography variant="subtitle1">{t('wrapUp.title', { remote: wrapUpFor.remote })}</Typography>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <TextField select label={t('wrapUp.disposition')} value={disposition} onChange={(e) => setDisposition(e.target.value)} slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'wrapup-disposition' } as object } }}>
            {dispositions.map((d) => (
              <MenuItem key={d} value={d}>
                {dispositionLabel(d, t)}
              </MenuItem>
            ))}
          </TextField>
          <div>
            <FormLabel>{t('wrapUp.resolvedQuestion')}</FormLabel>
            <RadioGroup row value={resolved} onChange={(e) => setResolved(e.target.value as 'yes' | 'no')}>
              <FormControlLabel value="yes" control={<Radio slotProps={{ input: { 'data-testid': 'wrapup-resolved-yes' } as object }} />} label={t('wrapUp.yes')} />
              <FormControlLabel value="no" control={<Radio slotProps={{ input: { 'data-testid': 'wrapup-resolved-no' } as object }} />} label={t('wrapUp.no')} />
            </RadioGroup>
          </div>
          <TextField label={t('wrapUp.note')} multiline minRows={2} value={note} onChange={(e) => setNote(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'wrapup-note', maxLength: 2000 } }} />
          <Button variant="contained" data-testid="wrapup-save" disabled={saving} onClick={() => void save()} sx={{ alignSelf: 'flex-end' }}>
            {t('wrapUp.save')}
          </Button>
        </Stack>
    </Paper>
  );
}
