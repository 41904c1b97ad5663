import AddCardIcon from '@mui/icons-material/AddCard';
import { Button, Dialog, DialogContent, DialogTitle, IconButton, Tooltip } from '@mui/material';
import { useState } from 'react';
import { useRecordContext } from 'react-admin';
import { clientName, type ClientOption } from '../clients/clientName';
import { AllocationForm } from './AllocationForm';

/**
 * "Add / remove sessions" for one client (the record in context, or `client`). The dialog's
 * form mounts when it opens, so each opening is one command with its own idempotency key.
 */
export const AllocateButton = ({ client, compact = false }: { client?: ClientOption; compact?: boolean; label?: string }) => {
    const record = useRecordContext<ClientOption>();
    const target = client ?? record;
    const [open, setOpen] = useState(false);
    if (!target) {
        return null;
    }
    const label = 'Add / remove sessions';
    const openDialog = (event: React.MouseEvent) => {
        // In a list row the row's own click would open the client's page.
        event.stopPropagation();
        setOpen(true);
    };
    return (
        <>
            {compact ? (
                <Tooltip title={label}>
                    <IconButton size="small" aria-label={`${label} for ${clientName(target)}`} onClick={openDialog}>
                        <AddCardIcon fontSize="small" />
                    </IconButton>
                </Tooltip>
            ) : (
                <Button size="small" startIcon={<AddCardIcon />} onClick={openDialog}>
                    {label}
                </Button>
            )}
            <Dialog
                open={open}
                onClose={() => setOpen(false)}
                onClick={(event) => event.stopPropagation()}
                maxWidth="sm"
                fullWidth
                aria-labelledby="allocation-dialog-title"
            >
                <DialogTitle id="allocation-dialog-title">Add / remove sessions: {clientName(target)}</DialogTitle>
                <DialogContent>
                    {open && <AllocationForm client={target} actions={<Button onClick={() => setOpen(false)}>Close</Button>} />}
                </DialogContent>
            </Dialog>
        </>
    );
};
