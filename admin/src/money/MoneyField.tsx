import { useRecordContext } from 'react-admin';

// Intl knows each currency's minor unit, so zero-decimal currencies (JPY, KRW) are not divided by 100.
const formatMoney = (minorUnits: number, currency: string) => {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    const fractionDigits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minorUnits / 10 ** fractionDigits);
};

/** An amount in minor units (`source`, e.g. priceCents) in the record's currency. */
export const MoneyField = ({ source, currencySource = 'currency' }: { source: string; currencySource?: string; label?: string }) => {
    const record = useRecordContext<Record<string, unknown>>();
    const amount = record?.[source];
    const currency = record?.[currencySource];
    if (typeof amount !== 'number' || typeof currency !== 'string') {
        return null;
    }
    return <span>{formatMoney(amount, currency)}</span>;
};
