import { Alert, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Typography } from '@mui/material';
import { useState } from 'react';

/** A generated password, shown this once: the API keeps only its hash. */
export const TemporaryPasswordNotice = ({ name, password, onClose }: { name: string; password: string; onClose: () => void }) => {
    const [copied, setCopied] = useState(false);
    const copy = async () => {
        await navigator.clipboard.writeText(password);
        setCopied(true);
    };
    return (
        <Dialog open onClose={onClose} aria-labelledby="temporary-password-title" maxWidth="xs" fullWidth>
            <DialogTitle id="temporary-password-title">Temporary password for {name}</DialogTitle>
            <DialogContent>
                <Typography
                    component="p"
                    aria-label="Temporary password"
                    sx={{ fontFamily: 'monospace', fontSize: '1.4rem', letterSpacing: '0.05em', textAlign: 'center', my: 2 }}
                >
                    {password}
                </Typography>
                <DialogContentText>Give it to {name} in person. They sign in with it and their email.</DialogContentText>
                <Alert severity="warning" sx={{ mt: 2 }}>
                    Shown only now: once closed, nobody can read it again. Set another if it is lost.
                </Alert>
            </DialogContent>
            <DialogActions>
                {navigator.clipboard && <Button onClick={() => void copy()}>{copied ? 'Copied' : 'Copy'}</Button>}
                <Button variant="contained" onClick={onClose}>
                    Done
                </Button>
            </DialogActions>
        </Dialog>
    );
};
