import { AutocompleteInput, DateInput, List, ReferenceInput, SelectInput, TextInput } from 'react-admin';
import { startOfStudioDay, studioDateOf } from '../dates/formats';
import { KIND_CHOICES } from './kindLabel';
import { LedgerEntries } from './LedgerEntries';

const filters = [
    <ReferenceInput key="clientId" source="clientId" reference="clients" alwaysOn>
        <AutocompleteInput label="Client" sx={{ minWidth: 240 }} />
    </ReferenceInput>,
    <SelectInput key="kind" source="kind" choices={KIND_CHOICES} alwaysOn />,
    <DateInput key="from" source="from" label="From" parse={startOfStudioDay} format={studioDateOf} alwaysOn />,
    <DateInput key="to" source="to" label="Before" parse={startOfStudioDay} format={studioDateOf} alwaysOn />,
    <TextInput key="workflowId" source="workflowId" label="Workflow id" />,
];

export const LedgerList = () => (
    <List filters={filters} sort={{ field: 'id', order: 'DESC' }} perPage={25}>
        <LedgerEntries />
    </List>
);
