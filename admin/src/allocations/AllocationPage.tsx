import { Box, Card, CardContent, CardHeader, Typography } from '@mui/material';
import { ListBase, Pagination, Title } from 'react-admin';
import { LedgerEntries } from '../ledger/LedgerEntries';
import { AllocationForm } from './AllocationForm';

/** The ledger kinds an allocation writes: a grant adds, an adjust removes. */
const ALLOCATION_KINDS = ['grant', 'adjust'];

/** The Session Allocation Manager: find a client, give or take sessions, see it in the ledger at once. */
export const AllocationPage = () => (
    <Box sx={{ mt: 2, display: 'grid', gap: 2 }}>
        <Title title="Add / remove sessions" />
        <Card sx={{ maxWidth: 640 }}>
            <CardHeader title="Add / remove sessions" slotProps={{ title: { variant: 'h6' } }} />
            <CardContent>
                <AllocationForm />
            </CardContent>
        </Card>
        <Card>
            <CardHeader
                title="Recent grants and removals"
                subheader="Allocations and purchases, newest first; every entry links to the workflow that wrote it"
                slotProps={{ title: { variant: 'h6' } }}
            />
            <ListBase
                resource="ledger"
                filter={{ kind: ALLOCATION_KINDS }}
                sort={{ field: 'id', order: 'DESC' }}
                perPage={10}
                disableSyncWithLocation
            >
                <LedgerEntries
                    empty={
                        <Typography sx={{ p: 2 }} color="text.secondary">
                            No sessions have been given or removed yet.
                        </Typography>
                    }
                />
                <Pagination rowsPerPageOptions={[10, 25, 50]} />
            </ListBase>
        </Card>
    </Box>
);
