import { Alert, Box } from '@mui/material';
import {
    BooleanField,
    DateField,
    EditButton,
    EmailField,
    FunctionField,
    Labeled,
    NumberField,
    Pagination,
    ReferenceManyField,
    Show,
    TabbedShowLayout,
    TextField,
    TopToolbar,
    useRecordContext,
} from 'react-admin';
import { AllocateButton } from '../allocations/AllocateButton';
import { DAY } from '../dates/formats';
import { EmptyState } from '../layout/EmptyState';
import { BookingEntries } from '../bookings/BookingEntries';
import { LedgerEntries } from '../ledger/LedgerEntries';
import { CreditLots } from '../lots/CreditLots';
import { NotificationEntries } from '../notifications/NotificationEntries';
import { PurchaseEntries } from '../purchases/PurchaseEntries';
import { BalanceField } from './BalanceField';
import { clientName, type ClientOption } from './clientName';

/** The figures, each from the API's one query path (the ledger's client_balances view). */
const Figures = () => (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 4 }}>
        <Labeled label="Available sessions">
            <BalanceField />
        </Labeled>
        <Labeled label="Held">
            <NumberField source="held" />
        </Labeled>
        <Labeled label="Consumed">
            <NumberField source="consumed" />
        </Labeled>
        <Labeled label="Cancelled">
            <NumberField source="cancelled" />
        </Labeled>
        <Labeled label="Total">
            <NumberField source="total" />
        </Labeled>
    </Box>
);

const Profile = () => (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 4 }}>
        <Labeled label="Name">
            <FunctionField<ClientOption> render={clientName} />
        </Labeled>
        <Labeled>
            <EmailField source="email" />
        </Labeled>
        <Labeled>
            <TextField source="phone" emptyText="—" />
        </Labeled>
        <Labeled label="Client since">
            <DateField source="createdAt" options={DAY} />
        </Labeled>
        <Labeled label="Has purchased before">
            <BooleanField source="hasPurchasedBefore" />
        </Labeled>
    </Box>
);

const ClientActions = () => (
    <TopToolbar>
        <EditButton label="Edit profile" />
        <AllocateButton />
    </TopToolbar>
);

const Deactivated = () => {
    const client = useRecordContext<{ active: boolean }>();
    return client && !client.active ? (
        <Alert severity="warning" sx={{ mb: 2 }}>
            This client is deactivated and cannot sign in or be found to book; reactivate them from “Edit profile”.
        </Alert>
    ) : null;
};

export const ClientShow = () => (
    <Show actions={<ClientActions />}>
        <TabbedShowLayout>
            <TabbedShowLayout.Tab label="Balance and ledger">
                <Deactivated />
                <Profile />
                <Figures />
                <CreditLots />
                <ReferenceManyField
                    label="Ledger"
                    reference="ledger"
                    target="clientId"
                    sort={{ field: 'id', order: 'DESC' }}
                    perPage={25}
                    pagination={<Pagination />}
                >
                    <LedgerEntries
                        showClient={false}
                        empty={<EmptyState message="No credits yet. Give some with “Add / remove sessions” above." />}
                    />
                </ReferenceManyField>
            </TabbedShowLayout.Tab>
            <TabbedShowLayout.Tab label="Bookings" path="bookings">
                <ReferenceManyField
                    reference="bookings"
                    target="clientId"
                    sort={{ field: 'startsAt', order: 'DESC' }}
                    perPage={25}
                    pagination={<Pagination />}
                >
                    <BookingEntries showClient={false} />
                </ReferenceManyField>
            </TabbedShowLayout.Tab>
            <TabbedShowLayout.Tab label="Purchases" path="purchases">
                <ReferenceManyField
                    reference="purchases"
                    target="clientId"
                    sort={{ field: 'createdAt', order: 'DESC' }}
                    perPage={25}
                    pagination={<Pagination />}
                >
                    <PurchaseEntries showClient={false} />
                </ReferenceManyField>
            </TabbedShowLayout.Tab>
            <TabbedShowLayout.Tab label="Emails" path="emails">
                <ReferenceManyField
                    reference="notifications"
                    target="clientId"
                    sort={{ field: 'id', order: 'DESC' }}
                    perPage={25}
                    pagination={<Pagination />}
                >
                    <NotificationEntries />
                </ReferenceManyField>
            </TabbedShowLayout.Tab>
        </TabbedShowLayout>
    </Show>
);
