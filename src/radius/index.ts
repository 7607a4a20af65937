/**
 * Uplink's RADIUS layer: the server (auth + accounting + Status-Server), the CoA/Disconnect
 * client, the packet codec and the dictionaries. The contract with the modules is in contract.ts.
 *
 *   const server = createRadiusServer({ auth: { port: 1812 }, acct: { port: 1813 }, clients, policy, accounting, logger });
 *   await server.start();
 *   const coa = createChangeSender({ logger });
 *   await coa.send(nas, 'disconnect', [['User-Name', 'alice'], ['Acct-Session-Id', '81a00005']]);
 */
export type * from './contract.ts';
export { type RadiusServer, type RadiusServerOptions, type RadiusServerStats, type RadiusLogger, createRadiusServer } from './server.ts';
export { type ChangeSenderOptions, type RadiusChangeSender, createChangeSender } from './coa.ts';
export {
  type DecodeOptions,
  type EncodeOptions,
  type RadiusPacket,
  type RawPacket,
  MAX_PACKET,
  PacketCode,
  RadiusDecodeError,
  attributeValue,
  decodePacket,
  encodePacket,
  parsePacket,
} from './packet.ts';
export { RadiusEncodeError, decodeAttributes, encodeAttributes } from './attributes.ts';
export {
  type AttributeDefinition,
  type AttributeType,
  type VendorDefinition,
  BUILTIN_DICTIONARY_PATH,
  Dictionary,
  DictionaryError,
  defaultDictionary,
  loadDictionary,
} from './dictionary.ts';
