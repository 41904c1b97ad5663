import { Box, Typography } from '@mui/material';
import {
    DateField,
    Labeled,
    NumberField,
    Pagination,
    ReferenceField,
    ReferenceManyField,
    Show,
    SimpleShowLayout,
    TextField,
    TopToolbar,
} from 'react-admin';
import { WHEN } from '../dates/formats';
import { LedgerEntries } from '../ledger/LedgerEntries';
import { MoneyField } from '../money/MoneyField';
import { StatusField } from '../status/StatusField';
import { WorkflowLinkField } from '../workflows/WorkflowLinkField';
import { RefundButton } from './RefundButton';

const Row = ({ children }: { children: React.ReactNode }) => (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', columnGap: 5, rowGap: 2 }}>{children}</Box>
);

const PurchaseActions = () => (
    <TopToolbar>
        <RefundButton />
    </TopToolbar>
);

/** One purchase: what was bought and paid, what was refunded or disputed, its Stripe ids and its workflow. */
export const PurchaseShow = () => (
    <Show actions={<PurchaseActions />}>
        <SimpleShowLayout>
            <Row>
                <Labeled label="Client">
                    <ReferenceField source="clientId" reference="clients" link="show" />
                </Labeled>
                <Labeled label="Package">
                    <ReferenceField source="packageId" reference="packages" link={false} />
                </Labeled>
                <Labeled label="Sessions">
                    <NumberField source="sessions" />
                </Labeled>
                <Labeled label="Amount">
                    <MoneyField source="amountCents" />
                </Labeled>
                <Labeled label="Status">
                    <StatusField />
                </Labeled>
                <Labeled label="Bought">
                    <DateField source="createdAt" showTime options={WHEN} />
                </Labeled>
                <Labeled label="Paid">
                    <DateField source="paidAt" showTime options={WHEN} emptyText="Not paid" />
                </Labeled>
            </Row>
            <Row>
                <Labeled label="Refunded">
                    <MoneyField source="refundedCents" />
                </Labeled>
                <Labeled label="Sessions taken back">
                    <NumberField source="refundedSessions" />
                </Labeled>
                <Labeled label="Sessions owed (used before the refund)">
                    <NumberField source="sessionsOwed" />
                </Labeled>
                <Labeled label="Dispute">
                    <StatusField source="disputeStatus" emptyText="None" />
                </Labeled>
            </Row>
            <Row>
                <Labeled label="Stripe checkout session">
                    <TextField source="stripeCheckoutSessionId" emptyText="—" />
                </Labeled>
                <Labeled label="Stripe payment intent">
                    <TextField source="stripePaymentIntentId" emptyText="—" />
                </Labeled>
                <Labeled label="Workflow">
                    <WorkflowLinkField />
                </Labeled>
            </Row>
            <Typography variant="h6" sx={{ mt: 2 }}>
                Credits from this purchase
            </Typography>
            <ReferenceManyField
                reference="ledger"
                target="purchaseId"
                sort={{ field: 'id', order: 'DESC' }}
                perPage={25}
                pagination={<Pagination />}
            >
                <LedgerEntries
                    showClient={false}
                    empty={<Typography color="text.secondary">No credits yet: they are given when the payment succeeds.</Typography>}
                />
            </ReferenceManyField>
        </SimpleShowLayout>
    </Show>
);
