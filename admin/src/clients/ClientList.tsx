import {
    CreateButton,
    DataTable,
    DateField,
    ExportButton,
    FilterButton,
    FunctionField,
    List,
    SearchInput,
    SelectInput,
    TopToolbar,
} from 'react-admin';
import { Stack } from '@mui/material';
import { AccessChip } from '../accounts/AccessChip';
import { AllocateButton } from '../allocations/AllocateButton';
import { DAY } from '../dates/formats';
import { BalanceField } from './BalanceField';
import { clientName, type ClientOption } from './clientName';

const filters = [
    <SearchInput key="q" source="q" alwaysOn placeholder="Name or email" />,
    <SelectInput
        key="lowBalance"
        source="lowBalance"
        label="Balance"
        choices={[
            { id: true, name: 'Low balance' },
            { id: false, name: 'Not low' },
        ]}
    />,
];

const ClientListActions = () => (
    <TopToolbar>
        <FilterButton />
        <CreateButton label="New walk-in client" />
        <ExportButton />
    </TopToolbar>
);

export const ClientList = () => (
    <List filters={filters} actions={<ClientListActions />} sort={{ field: 'lastName', order: 'ASC' }}>
        <DataTable rowClick="show" bulkActionButtons={false}>
            <DataTable.Col source="lastName" label="Name">
                <FunctionField<ClientOption & { active: boolean }>
                    render={(client) => (
                        <Stack direction="row" spacing={1} component="span" sx={{ alignItems: 'center' }}>
                            <span>{clientName(client)}</span>
                            {!client.active && <AccessChip active={false} />}
                        </Stack>
                    )}
                />
            </DataTable.Col>
            <DataTable.Col source="email" />
            <DataTable.Col source="availableSessions" label="Available" align="right">
                <BalanceField />
            </DataTable.Col>
            <DataTable.NumberCol source="held" disableSort />
            <DataTable.NumberCol source="consumed" disableSort />
            <DataTable.NumberCol source="total" disableSort />
            <DataTable.Col source="createdAt" label="Client since">
                <DateField source="createdAt" options={DAY} />
            </DataTable.Col>
            <DataTable.Col label="" disableSort align="right">
                <AllocateButton compact />
            </DataTable.Col>
        </DataTable>
    </List>
);
