import { Chip, Stack } from '@mui/material';
import { type Identifier, useRecordContext } from 'react-admin';

// §3's default threshold, used only when the API does not send its own `lowBalance` flag.
const DEFAULT_LOW_BALANCE = 2;

interface ClientBalance {
    id: Identifier;
    availableSessions: number;
    lowBalance?: boolean;
}

export const BalanceField = () => {
    const client = useRecordContext<ClientBalance>();
    if (!client) {
        return null;
    }
    const isLow = client.lowBalance ?? client.availableSessions <= DEFAULT_LOW_BALANCE;
    return (
        <Stack
            direction="row"
            spacing={1}
            component="span"
            sx={{ display: 'inline-flex', alignItems: 'center' }}
        >
            <span>{client.availableSessions}</span>
            {isLow && <Chip label="Low balance" color="warning" size="small" />}
        </Stack>
    );
};
