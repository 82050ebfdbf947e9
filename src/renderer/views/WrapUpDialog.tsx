import { Button, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, MenuItem, Radio, RadioGroup, TextField, FormLabel, Stack } from '@mui/material';
import { useState } from 'react';
import type { WhisperlineApp } from '../app';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';

export const dispositions = ['Question answered', 'Order / sale', 'Complaint', 'Technical support', 'Callback promised', 'Wrong number', 'Other'];

export function WrapUpDialog({ app }: { app: WhisperlineApp }) {
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
    <Dialog open fullWidth maxWidth="xs" data-testid="wrapup">
      <DialogTitle>Wrap-up: {wrapUpFor.remote}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <TextField select label="Disposition" value={disposition} onChange={(e) => setDisposition(e.target.value)} slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'wrapup-disposition' } as object } }}>
            {dispositions.map((d) => (
              <MenuItem key={d} value={d}>
                {d}
              </MenuItem>
            ))}
          </TextField>
          <div>
            <FormLabel>Resolved on this call?</FormLabel>
            <RadioGroup row value={resolved} onChange={(e) => setResolved(e.target.value as 'yes' | 'no')}>
              <FormControlLabel value="yes" control={<Radio slotProps={{ input: { 'data-testid': 'wrapup-resolved-yes' } as object }} />} label="Yes" />
              <FormControlLabel value="no" control={<Radio slotProps={{ input: { 'data-testid': 'wrapup-resolved-no' } as object }} />} label="No" />
            </RadioGroup>
          </div>
          <TextField label="Note" multiline minRows={2} value={note} onChange={(e) => setNote(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'wrapup-note', maxLength: 2000 } }} />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button variant="contained" data-testid="wrapup-save" disabled={saving} onClick={() => void save()}>
          Save and go Ready
        </Button>
      </DialogActions>
    </Dialog>
  );
}
