import type { DateFormat } from '../../metadata/declarations';
import {
  type AttributeCodec,
  type CodecSite,
  wrongStoredType,
  wrongValueType,
} from '../attribute-codec';

/**
 * `Date` ⇄ S (ISO-8601, the default), N (epoch milliseconds) or N (epoch seconds, for TTL; the
 * milliseconds are dropped).
 */
export function dateCodec(site: CodecSite, format: DateFormat): AttributeCodec {
  const toDate = (value: unknown): Date => {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      throw wrongValueType(site, 'a valid Date', value);
    }
    return value;
  };
  if (format === 'iso') {
    return {
      kind: 'Date',
      keyType: 'S',
      write: (value) => ({ S: toDate(value).toISOString() }),
      read(value) {
        const date = value.S === undefined ? undefined : new Date(value.S);
        if (date === undefined || Number.isNaN(date.getTime())) {
          throw wrongStoredType(site, 'an ISO-8601 S', value);
        }
        return date;
      },
    };
  }
  const unit = format === 'epochSeconds' ? 1000 : 1;
  return {
    kind: 'Date',
    keyType: 'N',
    write: (value) => ({ N: String(Math.floor(toDate(value).getTime() / unit)) }),
    read(value) {
      const epoch = value.N === undefined ? Number.NaN : Number(value.N);
      if (!Number.isFinite(epoch)) throw wrongStoredType(site, 'an epoch N', value);
      return new Date(epoch * unit);
    },
  };
}
