import { LinearProgress, List, ListItemButton, ListItemText, Typography } from '@mui/material';
import { Link, useCreatePath, useGetList } from 'react-admin';
import { DashboardCard } from './DashboardCard';

interface Client {
    id: string | number;
    firstName: string;
    lastName: string;
    availableSessions: number;
}

const LowBalanceList = () => {
    const createPath = useCreatePath();
    const { data, isPending, error } = useGetList<Client>('clients', {
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
            {data.map(client => (
                <ListItemButton
                    key={client.id}
                    component={Link}
                    to={createPath({ resource: 'clients', id: client.id, type: 'show' })}
                >
                    <ListItemText
                        primary={`${client.firstName} ${client.lastName}`}
                        secondary={`${client.availableSessions} available`}
                    />
                </ListItemButton>
            ))}
        </List>
    );
};

export const LowBalanceClients = () => (
    <DashboardCard title="Low-balance clients">
        <LowBalanceList />
    </DashboardCard>
);
