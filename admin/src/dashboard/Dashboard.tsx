import { Box } from '@mui/material';
import { Title, usePermissions } from 'react-admin';
import { LowBalanceClients } from './LowBalanceClients';
import { WelcomeCard } from './WelcomeCard';

export const Dashboard = () => {
    const { permissions: role } = usePermissions<string>();
    return (
        <Box
            sx={{
                display: 'grid',
                gap: 2,
                gridTemplateColumns: 'repeat(auto-fill, minmax(280px, 1fr))',
                alignItems: 'start',
                mt: 2,
            }}
        >
            <Title title="Studio Sessions" />
            <WelcomeCard />
            {role === 'admin' && <LowBalanceClients />}
        </Box>
    );
};
