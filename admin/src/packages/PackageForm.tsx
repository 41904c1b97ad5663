import {
    BooleanInput,
    DeleteButton,
    NumberInput,
    required,
    SaveButton,
    SimpleForm,
    type SimpleFormProps,
    TextInput,
    Toolbar,
} from 'react-admin';

// The API never deletes a package (purchases point at it): "delete" takes it off sale.
const PackageToolbar = () => (
    <Toolbar sx={{ justifyContent: 'space-between' }}>
        <SaveButton />
        <DeleteButton
            label="Take off sale"
            mutationMode="pessimistic"
            confirmTitle="Take this package off sale?"
            confirmContent="Clients can no longer buy it; past purchases keep it."
        />
    </Toolbar>
);

/** The API validates every field and answers why a value is refused. */
export const PackageForm = ({ canRetire = false, ...props }: Omit<SimpleFormProps, 'children'> & { canRetire?: boolean }) => (
    <SimpleForm toolbar={canRetire ? <PackageToolbar /> : undefined} {...props}>
        <TextInput source="name" validate={required()} />
        <NumberInput source="sessions" validate={required()} step={1} />
        <NumberInput source="priceCents" label="Price (minor units, e.g. cents)" validate={required()} step={1} />
        <TextInput
            source="currency"
            validate={required()}
            helperText="ISO code, e.g. usd"
            parse={(value: string) => (value ? value.toLowerCase() : null)}
        />
        <NumberInput source="validityDays" label="Valid for (days)" helperText="Leave empty for credits that never expire" step={1} />
        <TextInput source="stripePriceId" label="Stripe price id" helperText="Optional, e.g. price_123" />
        <BooleanInput source="active" label="On sale" />
    </SimpleForm>
);
