import { BooleanField, DataTable, List, NumberField } from 'react-admin';
import { PriceField } from './PriceField';

export const PackageList = () => (
    <List sort={{ field: 'name', order: 'ASC' }}>
        <DataTable rowClick="edit">
            <DataTable.Col source="name" />
            <DataTable.NumberCol source="sessions" />
            <DataTable.Col source="priceCents" label="Price" align="right">
                <PriceField />
            </DataTable.Col>
            <DataTable.Col source="currency" />
            <DataTable.Col source="validityDays" label="Valid for (days)" align="right">
                <NumberField source="validityDays" emptyText="Never expires" />
            </DataTable.Col>
            <DataTable.Col source="active">
                <BooleanField source="active" />
            </DataTable.Col>
        </DataTable>
    </List>
);
