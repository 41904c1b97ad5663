import {
    AutocompleteInput,
    DateInput,
    List,
    ReferenceInput,
    SelectInput,
    TextInput,
} from 'react-admin';
import { LedgerEntries } from './LedgerEntries';

const KINDS = ['grant', 'hold', 'release', 'consume', 'expire', 'revoke', 'adjust'].map(kind => ({
    id: kind,
    name: kind,
}));

/** A date picked in the browser's time zone, sent as the instant its day starts. */
const startOfLocalDay = (value: string) => (value ? new Date(`${value}T00:00`).toISOString() : null);

const filters = [
    <ReferenceInput key="clientId" source="clientId" reference="clients" alwaysOn>
        <AutocompleteInput label="Client" sx={{ minWidth: 240 }} />
    </ReferenceInput>,
    <SelectInput key="kind" source="kind" choices={KINDS} alwaysOn />,
    <DateInput key="from" source="from" label="From" parse={startOfLocalDay} alwaysOn />,
    <DateInput key="to" source="to" label="Before" parse={startOfLocalDay} alwaysOn />,
    <TextInput key="workflowId" source="workflowId" label="Workflow id" />,
];

export const LedgerList = () => (
    <List filters={filters} sort={{ field: 'id', order: 'DESC' }} perPage={25}>
        <LedgerEntries />
    </List>
);
