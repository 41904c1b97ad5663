import {
    BooleanInput,
    NumberInput,
    required,
    SimpleForm,
    type SimpleFormProps,
    TextInput,
} from 'react-admin';

export const PackageForm = (props: Omit<SimpleFormProps, 'children'>) => (
    <SimpleForm {...props}>
        <TextInput source="name" validate={required()} />
        <NumberInput source="sessions" validate={required()} step={1} />
        <NumberInput
            source="priceCents"
            label="Price (minor units, e.g. cents)"
            validate={required()}
            step={1}
        />
        <TextInput source="currency" validate={required()} helperText="ISO code, e.g. usd" />
        <NumberInput
            source="validityDays"
            label="Valid for (days)"
            helperText="Leave empty for credits that never expire"
            step={1}
        />
        <BooleanInput source="active" />
    </SimpleForm>
);
