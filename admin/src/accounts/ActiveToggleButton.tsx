import BlockIcon from '@mui/icons-material/Block';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import { Button, Tooltip } from '@mui/material';
import { useState } from 'react';
import { Confirm, useGetIdentity, useNotify, useRecordContext, useRefresh } from 'react-admin';
import { callApi, messageOf } from '../commands/studioApi';
import { personName, type Account } from './account';

/**
 * Deactivates or reactivates the account in context. Deactivating signs them out at once;
 * the API refuses your own account and the last active admin, and says why.
 */
export const ActiveToggleButton = () => {
    const account = useRecordContext<Account>();
    const { identity } = useGetIdentity();
    const notify = useNotify();
    const refresh = useRefresh();
    const [confirming, setConfirming] = useState(false);
    const [busy, setBusy] = useState(false);
    if (!account) {
        return null;
    }
    const name = personName(account);
    const change = async (active: boolean) => {
        setBusy(true);
        try {
            await callApi(`/api/admin/users/${account.id}`, { method: 'PATCH', body: { active } });
            notify(active ? `${name} can sign in again.` : `${name} is deactivated and signed out everywhere.`, { type: 'success' });
            refresh();
        } catch (error) {
            notify(messageOf(error), { type: 'error' });
        } finally {
            setBusy(false);
            setConfirming(false);
        }
    };

    if (!account.active) {
        return (
            <Button size="small" color="success" startIcon={<CheckCircleIcon />} disabled={busy} onClick={() => void change(true)}>
                Reactivate
            </Button>
        );
    }
    if (identity && String(identity.id) === String(account.id)) {
        return (
            <Tooltip title="You cannot deactivate your own account; ask another admin.">
                <span>
                    <Button size="small" color="error" startIcon={<BlockIcon />} disabled>
                        Deactivate
                    </Button>
                </span>
            </Tooltip>
        );
    }
    return (
        <>
            <Button size="small" color="error" startIcon={<BlockIcon />} disabled={busy} onClick={() => setConfirming(true)}>
                Deactivate
            </Button>
            <Confirm
                isOpen={confirming}
                loading={busy}
                title={`Deactivate ${name}?`}
                content="They are signed out at once and cannot sign in until reactivated. Their history stays."
                confirm="Deactivate"
                confirmColor="warning"
                onConfirm={() => void change(false)}
                onClose={() => setConfirming(false)}
            />
        </>
    );
};
