import { Chip, Stack } from '@mui/material';
import { type Identifier, useRecordContext } from 'react-admin';

interface ClientBalance {
    id: Identifier;
    availableSessions: number;
    /** Decided by the API from the studio's low-balance policy. */
    lowBalance: boolean;
}

export const BalanceField = (_props: { label?: string }) => {
    const client = useRecordContext<ClientBalance>();
    if (!client) {
        return null;
    }
    return (
        <Stack direction="row" spacing={1} component="span" sx={{ display: 'inline-flex', alignItems: 'center' }}>
            <span>{client.availableSessions}</span>
            {client.lowBalance && <Chip label="Low balance" color="warning" size="small" />}
        </Stack>
    );
};
