import KeyIcon from '@mui/icons-material/Key';
import {
    Alert,
    Button,
    Dialog,
    DialogActions,
    DialogContent,
    DialogContentText,
    DialogTitle,
    FormControlLabel,
    Radio,
    RadioGroup,
    TextField,
} from '@mui/material';
import { useState } from 'react';
import { useNotify, useRecordContext } from 'react-admin';
import { callApi, fieldErrorsOf, messageOf } from '../commands/studioApi';
import { personName, type Account, type WithTemporaryPassword } from './account';
import { TemporaryPasswordNotice } from './TemporaryPasswordNotice';

const SetPasswordDialog = ({ account, onClose }: { account: Account; onClose: () => void }) => {
    const notify = useNotify();
    const [mode, setMode] = useState<'generate' | 'type'>('generate');
    const [password, setPassword] = useState('');
    const [busy, setBusy] = useState(false);
    const [refusal, setRefusal] = useState<string>();
    const [fieldError, setFieldError] = useState<string>();
    const [generated, setGenerated] = useState<string>();
    const name = personName(account);

    const submit = async () => {
        setBusy(true);
        setRefusal(undefined);
        setFieldError(undefined);
        try {
            const answer = await callApi<WithTemporaryPassword>(`/api/admin/users/${account.id}/temporary-password`, {
                body: mode === 'type' ? { password } : {},
            });
            if (answer.temporaryPassword) {
                setGenerated(answer.temporaryPassword);
            } else {
                notify(`Temporary password set for ${name}; their other sign-ins have ended.`, { type: 'success' });
                onClose();
            }
        } catch (error) {
            const errors = fieldErrorsOf(error);
            if (errors?.password) {
                setFieldError(errors.password);
            } else {
                setRefusal(messageOf(error));
            }
        } finally {
            setBusy(false);
        }
    };

    if (generated) {
        return <TemporaryPasswordNotice name={name} password={generated} onClose={onClose} />;
    }
    return (
        <Dialog open onClose={onClose} aria-labelledby="set-password-title" maxWidth="xs" fullWidth>
            <DialogTitle id="set-password-title">Set a temporary password for {name}</DialogTitle>
            <DialogContent>
                <DialogContentText sx={{ mb: 2 }}>
                    Their current password stops working, and every device they are signed in on is signed out.
                </DialogContentText>
                {refusal && (
                    <Alert severity="error" sx={{ mb: 2 }}>
                        {refusal}
                    </Alert>
                )}
                <RadioGroup value={mode} onChange={(event) => setMode(event.target.value as 'generate' | 'type')}>
                    <FormControlLabel value="generate" control={<Radio />} label="Generate one (shown once)" />
                    <FormControlLabel value="type" control={<Radio />} label="Type one" />
                </RadioGroup>
                {mode === 'type' && (
                    <TextField
                        label="Temporary password"
                        value={password}
                        onChange={(event) => setPassword(event.target.value)}
                        autoComplete="new-password"
                        fullWidth
                        margin="normal"
                        error={fieldError !== undefined}
                        helperText={fieldError ?? 'At least 8 characters'}
                    />
                )}
            </DialogContent>
            <DialogActions>
                <Button onClick={onClose}>Cancel</Button>
                <Button variant="contained" disabled={busy} onClick={() => void submit()}>
                    Set password
                </Button>
            </DialogActions>
        </Dialog>
    );
};

/** Opens the dialog for the account in context (a staff member or a client). */
export const TemporaryPasswordButton = () => {
    const account = useRecordContext<Account>();
    const [open, setOpen] = useState(false);
    if (!account) {
        return null;
    }
    return (
        <>
            <Button size="small" startIcon={<KeyIcon />} onClick={() => setOpen(true)}>
                Set temporary password
            </Button>
            {open && <SetPasswordDialog account={account} onClose={() => setOpen(false)} />}
        </>
    );
};
