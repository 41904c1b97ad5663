import { AutocompleteInput, List, ReferenceInput, SelectInput } from 'react-admin';
import { statusChoices } from '../status/statusLabel';
import { EmptyState } from '../layout/EmptyState';
import { PurchaseEntries } from './PurchaseEntries';

const STATUSES = statusChoices(['pending', 'paid', 'failed', 'expired', 'refunded', 'partially_refunded', 'disputed']);

const filters = [
    <ReferenceInput key="clientId" source="clientId" reference="clients" alwaysOn>
        <AutocompleteInput label="Client" sx={{ minWidth: 240 }} />
    </ReferenceInput>,
    <SelectInput key="status" source="status" choices={STATUSES} alwaysOn />,
];

export const PurchaseList = () => (
    <List
        filters={filters}
        sort={{ field: 'createdAt', order: 'DESC' }}
        perPage={25}
        empty={
            <EmptyState
                message="No purchases yet: clients buy packages through the studio's checkout."
                action="See the packages"
                to="/packages"
            />
        }
    >
        <PurchaseEntries />
    </List>
);
