import { BooleanField, DataTable, List, NumberField, SearchInput, SelectInput } from 'react-admin';
import { MoneyField } from '../money/MoneyField';

const filters = [
    <SearchInput key="q" source="q" alwaysOn placeholder="Name" />,
    <SelectInput
        key="active"
        source="active"
        label="On sale"
        choices={[
            { id: true, name: 'On sale' },
            { id: false, name: 'Retired' },
        ]}
        alwaysOn
    />,
];

export const PackageList = () => (
    <List filters={filters} sort={{ field: 'name', order: 'ASC' }}>
        <DataTable rowClick="edit" bulkActionButtons={false}>
            <DataTable.Col source="name" />
            <DataTable.NumberCol source="sessions" />
            <DataTable.Col source="priceCents" label="Price" align="right">
                <MoneyField source="priceCents" />
            </DataTable.Col>
            <DataTable.Col source="currency" />
            <DataTable.Col source="validityDays" label="Valid for (days)" align="right">
                <NumberField source="validityDays" emptyText="Never expires" />
            </DataTable.Col>
            <DataTable.Col source="active" label="On sale">
                <BooleanField source="active" />
            </DataTable.Col>
        </DataTable>
    </List>
);
