/**
 * RADIUS dictionaries in FreeRADIUS's file format: ATTRIBUTE, VALUE, VENDOR (with format=t,l),
 * BEGIN-VENDOR/END-VENDOR, $INCLUDE (and $INCLUDE- for optional files), the flags has_tag,
 * encrypt=1|2|3 and concat. Uplink ships its own files in ./dictionaries; an operator can load
 * more (a vendor we lack) with loadDictionary(path).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type AttributeType =
  | 'string'
  | 'octets'
  | 'ipaddr'
  | 'ipv6addr'
  | 'ipv6prefix'
  | 'ifid'
  | 'integer'
  | 'short'
  | 'byte'
  | 'signed'
  | 'date'
  | 'integer64'
  | 'ether'
  | 'combo-ip';

/** 0 none, 1 User-Password style (RFC 2865 §5.2), 2 salted (RFC 2868 §3.5), 3 Ascend-Send-Secret. */
export type EncryptMethod = 0 | 1 | 2 | 3;

export interface AttributeDefinition {
  name: string;
  /** 0 for a standard attribute, else the vendor's IANA number (carried in Vendor-Specific). */
  vendorId: number;
  code: number;
  type: AttributeType;
  encrypt: EncryptMethod;
  hasTag: boolean;
  /** Long values are split over several attributes and joined on receipt (EAP-Message). */
  concat: boolean;
  /** VALUE names: name → number and number → name. */
  valuesByName: Map<string, number>;
  namesByValue: Map<number, string>;
}

export interface VendorDefinition {
  name: string;
  id: number;
  /** Octets of the sub-attribute type and length fields (format=t,l; 1,1 for nearly everyone). */
  typeSize: 1 | 2 | 4;
  lengthSize: 0 | 1 | 2;
}

export class DictionaryError extends Error {
  override name = 'DictionaryError';
}

/** Types FreeRADIUS knows that Uplink reads as raw octets (no value decoding). */
const AS_OCTETS = new Set(['tlv', 'abinary', 'vsa', 'extended', 'long-extended', 'evs', 'struct', 'ipv4prefix']);
const ALIASES: Record<string, AttributeType> = { uint8: 'byte', uint16: 'short', uint32: 'integer', uint64: 'integer64', int32: 'signed' };
const TYPES = new Set<string>(['string', 'octets', 'ipaddr', 'ipv6addr', 'ipv6prefix', 'ifid', 'integer', 'short', 'byte', 'signed', 'date', 'integer64', 'ether', 'combo-ip']);

export class Dictionary {
  private readonly byName = new Map<string, AttributeDefinition>();
  private readonly byCode = new Map<string, AttributeDefinition>();
  private readonly vendorsByName = new Map<string, VendorDefinition>();
  private readonly vendorsById = new Map<number, VendorDefinition>();
  /** VALUE lines may precede their ATTRIBUTE (FreeRADIUS allows it): kept until it arrives. */
  private readonly pendingValues = new Map<string, Array<[string, number]>>();

  /** Finds an attribute by name, case-insensitively as FreeRADIUS does. */
  attribute(name: string): AttributeDefinition | undefined {
    return this.byName.get(name.toLowerCase());
  }

  attributeByCode(vendorId: number, code: number): AttributeDefinition | undefined {
    return this.byCode.get(`${vendorId}:${code}`);
  }

  vendor(nameOrId: string | number): VendorDefinition | undefined {
    return typeof nameOrId === 'number' ? this.vendorsById.get(nameOrId) : this.vendorsByName.get(nameOrId.toLowerCase());
  }

  /** The VALUE name of an integer (e.g. Acct-Status-Type 3 → "Interim-Update"). */
  valueName(attributeName: string, value: number): string | undefined {
    return this.attribute(attributeName)?.namesByValue.get(value);
  }

  /** The number behind a VALUE name (e.g. Service-Type "Framed-User" → 2). */
  valueNumber(attributeName: string, valueName: string): number | undefined {
    return this.attribute(attributeName)?.valuesByName.get(valueName.toLowerCase());
  }

  addVendor(vendor: VendorDefinition) {
    this.vendorsByName.set(vendor.name.toLowerCase(), vendor);
    this.vendorsById.set(vendor.id, vendor);
  }

  addAttribute(def: Omit<AttributeDefinition, 'valuesByName' | 'namesByValue'>) {
    const existing = this.byCode.get(`${def.vendorId}:${def.code}`);
    // A second name for the same number is an alias: it shares the values of the first.
    const full: AttributeDefinition = existing
      ? { ...def, valuesByName: existing.valuesByName, namesByValue: existing.namesByValue }
      : { ...def, valuesByName: new Map(), namesByValue: new Map() };
    this.byName.set(def.name.toLowerCase(), full);
    if (!existing) this.byCode.set(`${def.vendorId}:${def.code}`, full);
    for (const [name, value] of this.pendingValues.get(def.name.toLowerCase()) ?? []) this.addValue(def.name, name, value);
    this.pendingValues.delete(def.name.toLowerCase());
  }

  addValue(attributeName: string, valueName: string, value: number) {
    const def = this.attribute(attributeName);
    if (!def) {
      const list = this.pendingValues.get(attributeName.toLowerCase()) ?? [];
      list.push([valueName, value]);
      this.pendingValues.set(attributeName.toLowerCase(), list);
      return;
    }
    def.valuesByName.set(valueName.toLowerCase(), value);
    if (!def.namesByValue.has(value)) def.namesByValue.set(value, valueName);
  }

  /** Parses one dictionary file's text; `readInclude` resolves $INCLUDE names relative to it. */
  parse(text: string, source: string, readInclude?: (name: string, optional: boolean) => void) {
    let vendorId = 0;
    const lines = text.split(/\r?\n/);
    lines.forEach((raw, index) => {
      const where = `${source}:${index + 1}`;
      const line = raw.replace(/#.*$/, '').trim();
      if (!line) return;
      const fields = line.split(/\s+/);
      const keyword = fields[0]!;
      const fail = (message: string): never => {
        throw new DictionaryError(`${where}: ${message}`);
      };
      switch (keyword) {
        case '$INCLUDE':
        case '$INCLUDE-':
          if (!fields[1]) fail('$INCLUDE needs a file name');
          if (!readInclude) fail('$INCLUDE is not available here');
          readInclude!(fields[1]!, keyword === '$INCLUDE-');
          return;
        case 'VENDOR': {
          const [, name, idText, format] = fields;
          const id = parseNumber(idText);
          if (!name || id === null) return fail('VENDOR needs a name and a number');
          let typeSize: VendorDefinition['typeSize'] = 1;
          let lengthSize: VendorDefinition['lengthSize'] = 1;
          if (format) {
            const match = /^format=([124]),([012])(,c)?$/.exec(format);
            if (!match) return fail(`unknown vendor format "${format}"`);
            typeSize = Number(match[1]) as VendorDefinition['typeSize'];
            lengthSize = Number(match[2]) as VendorDefinition['lengthSize'];
          }
          this.addVendor({ name, id, typeSize, lengthSize });
          return;
        }
        case 'BEGIN-VENDOR': {
          const vendor = fields[1] ? this.vendor(fields[1]) : undefined;
          if (!vendor) return fail(`BEGIN-VENDOR of an unknown vendor "${fields[1] ?? ''}"`);
          vendorId = vendor.id;
          return;
        }
        case 'END-VENDOR':
          vendorId = 0;
          return;
        case 'ATTRIBUTE': {
          const [, name, codeText, typeText, extra] = fields;
          if (!name || !codeText || !typeText) return fail('ATTRIBUTE needs a name, a number and a type');
          const code = parseNumber(codeText);
          // Dotted numbers (RFC 6929 extended attributes, TLV children) are not carried by Uplink.
          if (code === null) {
            if (/^\d+(\.\d+)+$/.test(codeText)) return;
            return fail(`bad attribute number "${codeText}"`);
          }
          const baseType = typeText.toLowerCase().replace(/\[\d+\]$/, '');
          const type = TYPES.has(baseType) ? (baseType as AttributeType) : (ALIASES[baseType] ?? (AS_OCTETS.has(baseType) ? 'octets' : null));
          if (!type) return fail(`unknown type "${typeText}"`);
          let attrVendor = vendorId;
          let encrypt: EncryptMethod = 0;
          let hasTag = false;
          let concat = false;
          if (extra) {
            // Old-style files name the vendor in the fifth field instead of flags.
            const asVendor = !extra.includes('=') && this.vendor(extra);
            if (asVendor) attrVendor = asVendor.id;
            else
              for (const flag of extra.split(',')) {
                if (flag === 'has_tag') hasTag = true;
                else if (flag === 'concat') concat = true;
                else if (/^encrypt=[0-3]$/.test(flag)) encrypt = Number(flag.slice(8)) as EncryptMethod;
              }
          }
          const max = attrVendor === 0 ? 255 : 2 ** (8 * (this.vendor(attrVendor)?.typeSize ?? 1)) - 1;
          // FreeRADIUS's server-internal attributes (numbers above 255) never travel on the wire.
          if (code > max) return;
          this.addAttribute({ name, vendorId: attrVendor, code, type, encrypt, hasTag, concat });
          return;
        }
        case 'VALUE': {
          const [, attributeName, valueName, numberText] = fields;
          const value = parseNumber(numberText);
          if (!attributeName || !valueName || value === null) return fail('VALUE needs an attribute, a name and a number');
          this.addValue(attributeName, valueName, value);
          return;
        }
        case 'PROTOCOL':
        case 'FLAGS':
        case 'BEGIN-TLV':
        case 'END-TLV':
        case 'BEGIN':
        case 'END':
          return;
        default:
          fail(`unknown keyword "${keyword}"`);
      }
    });
  }
}

function parseNumber(text: string | undefined): number | null {
  if (!text) return null;
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text, 16);
  if (/^\d+$/.test(text)) return Number(text);
  return null;
}

/** Loads a dictionary file and everything it includes, relative paths from the including file. */
export function loadDictionary(path: string, into = new Dictionary()): Dictionary {
  const seen = new Set<string>();
  const load = (file: string) => {
    const full = resolve(file);
    if (seen.has(full)) throw new DictionaryError(`${full}: included twice (an $INCLUDE loop?)`);
    seen.add(full);
    into.parse(readFileSync(full, 'utf8'), full, (name, optional) => {
      const target = isAbsolute(name) ? name : join(dirname(full), name);
      if (optional && !existsSync(target)) return;
      load(target);
    });
  };
  load(path);
  return into;
}

export const BUILTIN_DICTIONARY_PATH = fileURLToPath(new URL('./dictionaries/dictionary', import.meta.url));

let builtin: Dictionary | undefined;
/** Uplink's own dictionaries (RFCs, Microsoft, MikroTik, Cisco, Juniper, Huawei), loaded once. */
export function defaultDictionary(): Dictionary {
  builtin ??= loadDictionary(BUILTIN_DICTIONARY_PATH);
  return builtin;
}
