import { Button, LinearProgress, List, ListItem, ListItemButton, ListItemText, Typography } from '@mui/material';
import { Link, useCreatePath, useGetList } from 'react-admin';
import { AllocateButton } from '../allocations/AllocateButton';
import { clientName, type ClientOption } from '../clients/clientName';
import { DashboardCard } from './DashboardCard';

const LowBalanceList = () => {
    const createPath = useCreatePath();
    const { data, isPending, error } = useGetList<ClientOption>('clients', {
        filter: { lowBalance: true },
        pagination: { page: 1, perPage: 5 },
        sort: { field: 'availableSessions', order: 'ASC' },
    });

    if (isPending) {
        return <LinearProgress />;
    }
    if (error) {
        return <Typography color="error">Could not load low-balance clients.</Typography>;
    }
    if (data.length === 0) {
        return <Typography color="text.secondary">No client is running low.</Typography>;
    }
    return (
        <List dense disablePadding>
            {data.map((client) => (
                <ListItem key={client.id} disablePadding secondaryAction={<AllocateButton client={client} compact />}>
                    <ListItemButton component={Link} to={createPath({ resource: 'clients', id: client.id, type: 'show' })}>
                        <ListItemText primary={clientName(client)} secondary={`${client.availableSessions} available`} />
                    </ListItemButton>
                </ListItem>
            ))}
        </List>
    );
};

const SEE_ALL = `/clients?filter=${encodeURIComponent(JSON.stringify({ lowBalance: true }))}`;

export const LowBalanceClients = () => (
    <DashboardCard
        title="Low-balance clients"
        action={
            <Button component={Link} to={SEE_ALL} size="small">
                See all
            </Button>
        }
    >
        <LowBalanceList />
    </DashboardCard>
);
