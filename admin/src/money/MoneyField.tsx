import { useRecordContext } from 'react-admin';

// Intl knows each currency's minor unit, so zero-decimal currencies (JPY, KRW) are not divided by 100.
export const minorUnitDigits = (currency: string) =>
    new Intl.NumberFormat(undefined, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

export const formatMoney = (minorUnits: number, currency: string) =>
    new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minorUnits / 10 ** minorUnitDigits(currency));

/** An amount typed in currency units ("210.50"), in minor units; undefined when it is no amount. */
export const toMinorUnits = (typed: string, currency: string): number | undefined => {
    const value = Number(typed.replace(',', '.'));
    return typed.trim() === '' || !Number.isFinite(value) ? undefined : Math.round(value * 10 ** minorUnitDigits(currency));
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
